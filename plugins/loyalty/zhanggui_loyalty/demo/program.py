"""Loyalty's part of ``zhanggui demo-data``: a program at work on the demo chain.

Runs after the members plugin (loyalty requires it), inside the transaction
``demo-data`` opens for the plugin.  It sets up three tiers with their benefits
(银卡 / 金卡 / 钻石卡), earning rules, a points expiry of six months after the
month earned, points for every member purchase of the demo year, member events with
sign-ups and attendance points, expiries and some redemptions, then the cached
balances, lots and tiers.

Speed: a million members come with millions of purchases, so nothing here goes
through ``award_for_purchase`` per purchase: every step is one set-based
``INSERT ... SELECT`` (one per month where the expiry date differs), reading the
members plugin's purchase tables by name (the one place loyalty reads another
plugin's tables: a demo, never the product).

What the demo simplifies, on purpose:

* the demo year's points are earned at the base rate (1 point per yuan paid other
  than by gift card or coupon, per purchase rounded down); the category and
  birthday multipliers start the day after the demo's last day, and tier
  multipliers are not applied to history;
* earn entries carry a breakdown per purchase, not per line, so a later refund of a
  demo purchase takes its points back in proportion to the money refunded;
* a redemption spends exactly the member's earliest-expiring open lot, and an
  expiry takes a whole lot, so each spend draws from one credit.

Afterwards every cached balance equals its ledger (:func:`ledger.check_all`).
"""
from __future__ import annotations

import datetime as dt
import decimal
from zoneinfo import ZoneInfo

import peewee

from zhanggui import _, database

from ..ledger.expiry import expires_at_for
from ..ledger.postings import program_settings
from ..models import EarningRule, LoyaltySettings, MemberEvent, Tier

D = decimal.Decimal
TZ = "Asia/Shanghai"
TIERS = (  # code, name, rank, threshold, multiplier, gift, parking hours, priority, exclusive
    ("SILVER", "银卡会员", 1, "3000.00", "1.0", None, 1, False, False),
    ("GOLD", "金卡会员", 2, "12000.00", "1.2", "生日蛋糕券", 2, True, False),
    ("DIAMOND", "钻石卡会员", 3, "40000.00", "1.5", "生日礼盒", 4, True, True))
EXCLUDED_METHODS = ("gift_card", "coupon")
REDEEM_EVERY = 7          # one member in seven with points has redeemed once


def _backend() -> str:
    return "postgresql" if isinstance(database.obj, peewee.PostgresqlDatabase) else "sqlite"


def _naive(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.timezone.utc).replace(tzinfo=None)


def _sql(sql: str, params=()) -> int:
    """Run ``sql`` written with ``?`` placeholders and plain ``%`` on either backend."""
    if _backend() == "postgresql":
        sql = sql.replace("%", "%%").replace("?", "%s")
    cursor = database.execute_sql(sql, params)
    return cursor.rowcount if cursor.rowcount is not None else 0


def _program(as_of: dt.date) -> None:
    LoyaltySettings.update(pending_days=0, expiry_policy="month_end", expiry_period=6,
                           expiry_notice_days=30, refund_policy="negative",
                           timezone=TZ).where(LoyaltySettings.id == 1).execute()
    for code, name, rank, threshold, mult, gift, parking, priority, exclusive in TIERS:
        Tier.create(code=code, name=name, rank=rank, qualify_by="spend",
                    threshold=D(threshold), window_days=365, downgrade_policy="period_end",
                    points_multiplier=D(mult), birthday_gift=gift, parking_hours=parking,
                    priority_service=priority, exclusive_events=exclusive)
    tomorrow = as_of + dt.timedelta(days=1)
    EarningRule.create(code="BASE", name="消费积分 每1元积1分", kind="base", sequence=10,
                       excluded_payment_methods=",".join(EXCLUDED_METHODS))
    EarningRule.create(code="COS-X2", name="化妆品双倍积分", kind="multiplier", sequence=20,
                       match_field="category", match_values="化妆品", multiplier=D("2"),
                       starts_on=tomorrow)
    EarningRule.create(code="JEW-X1.5", name="珠宝1.5倍积分", kind="multiplier", sequence=30,
                       match_field="category", match_values="珠宝", multiplier=D("1.5"),
                       starts_on=tomorrow, ends_on=tomorrow + dt.timedelta(days=60))
    EarningRule.create(code="BDAY-X2", name="生日月双倍积分", kind="birthday", sequence=40,
                       multiplier=D("2"), birthday_scope="month", starts_on=tomorrow)


def _month_ranges(start: dt.datetime, end: dt.datetime):
    """Local calendar months covering [start, end), as UTC bounds."""
    tz = ZoneInfo(TZ)
    local = start.astimezone(tz)
    month = dt.datetime(local.year, local.month, 1, tzinfo=tz)
    while month.astimezone(dt.timezone.utc) < end:
        following = dt.datetime(month.year + (month.month == 12), month.month % 12 + 1, 1,
                                tzinfo=tz)
        yield month.astimezone(dt.timezone.utc), following.astimezone(dt.timezone.utc)
        month = following


def _earn_purchases(settings, now: dt.datetime) -> int:
    """One earn entry per member purchase, in one pass: the expiry date is chosen per
    local month by a CASE over the month boundaries."""
    pg = _backend() == "postgresql"
    net = "p.total - COALESCE(x.paid, 0)"
    points = f"GREATEST(FLOOR({net}), 0)::bigint" if pg else \
        f"MAX(CAST({net} + 0.000001 AS INTEGER), 0)"
    text = (lambda e: f"CAST({e} AS TEXT)")
    first, last = database.execute_sql(
        "SELECT MIN(occurred_at), MAX(occurred_at) FROM members_purchase "
        "WHERE member_id IS NOT NULL").fetchone()
    if first is None:
        return 0
    if isinstance(first, str):
        first, last = dt.datetime.fromisoformat(first), dt.datetime.fromisoformat(last)
    first = first.replace(tzinfo=dt.timezone.utc) if first.tzinfo is None else first
    last = last.replace(tzinfo=dt.timezone.utc) if last.tzinfo is None else last
    methods = ", ".join(f"'{m}'" for m in EXCLUDED_METHODS)
    branches, params = [], []
    for _start, end in _month_ranges(first, last + dt.timedelta(seconds=1)):
        branches.append("WHEN p.occurred_at < ? THEN ?")
        params += [_naive(end), _naive(expires_at_for(_start, settings))]
    expires = f"CASE {' '.join(branches)} END"
    detail = ("'{\"demo\": true, \"bonus_points\": 0, \"total_amount\": \"' || "
              f"{text('p.total')} || '\", \"lines\": [{{\"line\": \"all\", \"amount\": \"' || "
              f"{text('p.total')} || '\", \"points\": ' || {text(points)} || '}}]}}'")
    return _sql(
        "INSERT INTO loyalty_ledger_entry (member_id, kind, points, pending_points, spend, "
        "source_type, source_id, idempotency_key, expires_at, store_code, occurred_at, "
        "created_at, detail) "
        f"SELECT p.member_id, 'earn', {points}, 0, p.total, 'purchase', {text('p.id')}, "
        f"'purchase:' || {text('p.id')} || ':earn', {expires}, s.code, p.occurred_at, "
        f"p.occurred_at, {detail} "
        "FROM members_purchase p JOIN members_store s ON s.id = p.store_id "
        "LEFT JOIN (SELECT purchase_id, SUM(amount) AS paid FROM members_payment "
        f"WHERE method IN ({methods}) GROUP BY purchase_id) x ON x.purchase_id = p.id "
        "WHERE p.member_id IS NOT NULL ORDER BY p.id", params)


def _tiers(now: dt.datetime) -> None:
    """Each member's tier from the spend of the last 365 days, with its history row."""
    since = _naive(now - dt.timedelta(days=365))
    tiers = list(Tier.select().order_by(Tier.rank.desc()))
    case = " ".join(f"WHEN q.spend >= {t.threshold} THEN {t.id}" for t in tiers)
    _sql("INSERT INTO loyalty_member_tier (member_id, tier_id, since, last_purchase_at) "
         f"SELECT q.member_id, CASE {case} ELSE NULL END, q.last_at, q.last_at FROM "
         "(SELECT member_id, SUM(CASE WHEN occurred_at > ? THEN spend ELSE 0 END) AS spend, "
         "MAX(occurred_at) AS last_at FROM loyalty_ledger_entry WHERE kind = 'earn' "
         "GROUP BY member_id) q", (since,))
    codes = " ".join(f"WHEN {t.id} THEN '{t.code}'" for t in tiers)
    _sql("INSERT INTO loyalty_tier_history (member_id, from_tier, to_tier, reason, "
         "qualifying_value, source_id, changed_at) "
         f"SELECT m.member_id, NULL, CASE m.tier_id {codes} END, 'upgrade', 0, 'demo', m.since "
         "FROM loyalty_member_tier m WHERE m.tier_id IS NOT NULL")


def _events(ctx, now: dt.datetime, settings) -> tuple[int, int]:
    """Past and coming events; the past ones filled and attended (points earned)."""
    tz = ZoneInfo(TZ)
    day = now.astimezone(tz).date()

    def at(days, hour):
        return dt.datetime.combine(day + dt.timedelta(days=days), dt.time(hour), tz)

    plans = [("钻石卡会员专场：秋冬新品预览", "SH01", -40, 19, 60, "DIAMOND", 500),
             ("金卡会员下午茶", "BJ01", -20, 15, 80, "GOLD,DIAMOND", 200),
             ("亲子烘焙课堂", "HZ01", -8, 10, 40, "", 100),
             ("美妆沙龙：秋季护肤", "SZ01", 6, 14, 50, "", 150),
             ("钻石卡会员珠宝品鉴晚宴", "SH01", 15, 18, 30, "DIAMOND", 800),
             ("年终会员答谢日", "GZ01", 30, 10, 200, "SILVER,GOLD,DIAMOND", 300)]
    signups = attended = 0
    pg = _backend() == "postgresql"
    for title, store, days, hour, capacity, allowed, points in plans:
        event = MemberEvent.create(title=title, store_code=store, starts_at=at(days, hour),
                                   ends_at=at(days, hour + 3), capacity=capacity,
                                   allowed_tiers=allowed, attendance_points=points)
        codes = [c for c in allowed.split(",") if c]
        quoted = ", ".join(f"'{c}'" for c in codes)
        where = f"m.tier_id IN (SELECT id FROM loyalty_tier WHERE code IN ({quoted}))" \
            if codes else "1 = 1"
        past = days < 0
        fill = capacity if past else capacity // 3
        offset = ctx.rng.randrange(0, 1000)
        signed_at = _naive(at(days - 7, 12))
        signups += _sql(
            "INSERT INTO loyalty_event_signup (event_id, member_id, signed_up_at, channel) "
            f"SELECT ?, m.member_id, ?, 'app' FROM loyalty_member_tier m WHERE {where} "
            f"ORDER BY (m.member_id * 7919 + {offset}) % 100003 LIMIT {fill}",
            (event.id, signed_at))
        if not past:
            continue
        # four in five came; each earned the attendance points once
        came_at = event.starts_at + dt.timedelta(minutes=20)
        expires = expires_at_for(came_at, settings)
        key = ("'event:' || CAST(s.event_id AS TEXT) || ':member:' || "
               "CAST(s.member_id AS TEXT) || ':attend'")
        attended += _sql(
            "INSERT INTO loyalty_ledger_entry (member_id, kind, points, pending_points, spend, "
            "source_type, source_id, idempotency_key, expires_at, store_code, occurred_at, "
            "created_at, reason) "
            f"SELECT s.member_id, 'earn', {points}, 0, 0, 'event', CAST(s.event_id AS TEXT), "
            f"{key}, ?, ?, ?, ?, ? FROM loyalty_event_signup s "
            "WHERE s.event_id = ? AND s.member_id % 5 <> 0",
            (_naive(expires), store, _naive(came_at), _naive(came_at), title, event.id))
        join = ("UPDATE loyalty_event_signup SET attended_at = ?, attendance_entry = e.id "
                "FROM loyalty_ledger_entry e WHERE e.idempotency_key = 'event:' || "
                "CAST(loyalty_event_signup.event_id AS TEXT) || ':member:' || "
                "CAST(loyalty_event_signup.member_id AS TEXT) || ':attend' "
                "AND loyalty_event_signup.event_id = ?") if pg else (
            "UPDATE loyalty_event_signup SET attended_at = ?, attendance_entry = "
            "(SELECT e.id FROM loyalty_ledger_entry e WHERE e.idempotency_key = 'event:' || "
            "CAST(loyalty_event_signup.event_id AS TEXT) || ':member:' || "
            "CAST(loyalty_event_signup.member_id AS TEXT) || ':attend') "
            "WHERE event_id = ? AND member_id % 5 <> 0")
        _sql(join, (_naive(came_at), event.id))
    return signups, attended


def _expire_and_redeem(now: dt.datetime) -> tuple[int, int]:
    """Expire every credit due by ``now`` (whole lots), open lots for the rest, then
    let one member in seven with points spend their earliest-expiring lot."""
    expired = _sql(
        "INSERT INTO loyalty_ledger_entry (member_id, kind, points, pending_points, spend, "
        "source_type, source_id, idempotency_key, related_entry_id, store_code, occurred_at, "
        "created_at) "
        "SELECT e.member_id, 'expire', 0 - e.points, 0, 0, 'expiry', CAST(e.id AS TEXT), "
        "'expire:' || CAST(e.id AS TEXT), e.id, NULL, e.expires_at, e.expires_at "
        "FROM loyalty_ledger_entry e WHERE e.points > 0 AND e.expires_at <= ?",
        (_naive(now),))
    _sql("INSERT INTO loyalty_allocation (debit_id, credit_id, points) "
         "SELECT x.id, x.related_entry_id, 0 - x.points FROM loyalty_ledger_entry x "
         "WHERE x.kind = 'expire'")
    _sql("INSERT INTO loyalty_lot (credit_id, member_id, remaining, expires_at) "
         "SELECT e.id, e.member_id, e.points, e.expires_at FROM loyalty_ledger_entry e "
         "WHERE e.points > 0 AND NOT EXISTS (SELECT 1 FROM loyalty_allocation a "
         "WHERE a.credit_id = e.id)")
    _redeem_spread(now)
    redeemed = _sql(
        "INSERT INTO loyalty_allocation (debit_id, credit_id, points) "
        "SELECT x.id, x.related_entry_id, 0 - x.points FROM loyalty_ledger_entry x "
        "WHERE x.kind = 'redeem' AND x.source_id LIKE 'DEMO-R-%'")
    _sql("INSERT INTO loyalty_redemption (key, member_id, points, store_code, reason, "
         "request_hash, response, created_at) "
         "SELECT x.source_id, x.member_id, 0 - x.points, x.store_code, x.reason, 'demo', "
         "'{\"demo\": true}', x.occurred_at FROM loyalty_ledger_entry x "
         "WHERE x.kind = 'redeem' AND x.source_id LIKE 'DEMO-R-%'")
    _sql("DELETE FROM loyalty_lot WHERE credit_id IN (SELECT related_entry_id FROM "
         "loyalty_ledger_entry WHERE kind = 'redeem' AND source_id LIKE 'DEMO-R-%')")
    return expired, redeemed


def _redeem_spread(now: dt.datetime, days: int = 90) -> None:
    """One member in seven with points spends the earliest-expiring lot, on a day of
    the last ``days`` after the points were earned, at the store where they were
    earned (the head office's first store for points earned elsewhere): the day and
    the store follow from the member id, so the same seed gives the same chain."""
    rows = database.execute_sql(_placeholders(
        "SELECT r.member_id, r.credit_id, r.remaining, c.occurred_at, c.store_code "
        "FROM (SELECT l.member_id, l.credit_id, l.remaining, ROW_NUMBER() OVER "
        "(PARTITION BY l.member_id ORDER BY l.expires_at, l.credit_id) AS n "
        f"FROM loyalty_lot l WHERE l.member_id % {REDEEM_EVERY} = 0 AND l.remaining >= 100) r "
        "JOIN loyalty_ledger_entry c ON c.id = r.credit_id WHERE r.n = 1")).fetchall()
    latest = _naive(now - dt.timedelta(hours=2))
    out = []
    for member_id, credit_id, remaining, earned, store_code in rows:
        if isinstance(earned, str):
            earned = dt.datetime.fromisoformat(earned)
        earned = earned.replace(tzinfo=None)
        earliest = min(max(earned + dt.timedelta(hours=1), latest - dt.timedelta(days=days)),
                       latest)
        share = (member_id * 2654435761 % 1000) / 1000
        at = (earliest + (latest - earliest) * share).replace(microsecond=0)
        key = f"DEMO-R-{member_id}"
        out.append((member_id, -remaining, key, f"redemption:{key}", credit_id,
                    store_code or "SH01", at, at))
    sql = _placeholders(
        "INSERT INTO loyalty_ledger_entry (member_id, kind, points, pending_points, spend, "
        "source_type, source_id, idempotency_key, related_entry_id, store_code, occurred_at, "
        "created_at, reason) VALUES (?, 'redeem', ?, 0, 0, 'redemption', ?, ?, ?, ?, ?, ?, "
        "'积分换购')")
    cursor = database.cursor()
    for start in range(0, len(out), 5000):
        cursor.executemany(sql, out[start:start + 5000])


def _placeholders(sql: str) -> str:
    return sql.replace("%", "%%").replace("?", "%s") if _backend() == "postgresql" else sql


def _balances(now: dt.datetime) -> None:
    _sql("INSERT INTO loyalty_member_balance (member_id, balance, pending, lifetime_earned, "
         "updated_at) SELECT member_id, SUM(points), SUM(pending_points), "
         "SUM(CASE WHEN kind = 'earn' THEN points + pending_points ELSE 0 END), ? "
         "FROM loyalty_ledger_entry GROUP BY member_id", (_naive(now),))


def build_demo_program(ctx) -> None:
    """Create the demo loyalty program (see the module docstring)."""
    from ..models import PointsLedgerEntry

    if PointsLedgerEntry.select().exists() or Tier.select().exists():
        return  # a demo on top of a real program would corrupt it: leave it alone
    as_of = getattr(ctx, "as_of", None) or (
        dt.datetime.now(dt.timezone.utc).date() - dt.timedelta(days=1))
    now = dt.datetime.combine(as_of, dt.time(23, 0), ZoneInfo(TZ)).astimezone(dt.timezone.utc)
    progress = ctx.progress(_("Loyalty program"), 5)
    _program(as_of)
    settings = program_settings()
    earned = _earn_purchases(settings, now)
    progress.advance()
    _tiers(now)
    progress.advance()
    signups, attended = _events(ctx, now, settings)
    progress.advance()
    expired, redeemed = _expire_and_redeem(now)
    progress.advance()
    _balances(now)
    from ..console.dashboard import MONTHS, refresh_months

    refresh_months(MONTHS, now)
    progress.advance()
    progress.close()
    ctx.count(_("points ledger entries for purchases"), earned)
    ctx.count(_("event sign-ups"), signups)
    ctx.count(_("attendances"), attended)
    ctx.count(_("expiries"), expired)
    ctx.count(_("redemptions"), redeemed)
