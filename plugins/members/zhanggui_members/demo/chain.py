"""The members plugin's part of ``zhanggui demo-data``: a believable retail chain.

Eight stores (six on the mainland, Taipei in TWD, Hong Kong in HKD), counters (专柜)
by category, members with common surnames and generation-typical given names, valid
mobile numbers of their home store's region in E.164 (encrypted like real ones), birthdays and WeChat/app/online-shop ids,
and a year of purchases shaped by weekends, 双11, 618, 春节, 中秋, 国庆 and
Valentine's days, with lines and payments.

Determinism: every random choice comes from the seed: the catalog prices, phone and
card numbering and each member's stage and number of purchase lines from ``ctx.rng``,
then each block of :data:`BLOCK` members from a generator seeded with the seed and the
block number.  The year ends on ``ctx.as_of`` (default: yesterday, UTC, so the data
stays recent for lifecycle stages), so the same seed and date give the same chain,
whether it is built in one process or several.  Only the AES-GCM ciphertexts differ
between runs (their nonces are random by design); the phone numbers inside do not.

Speed (a million members and ten million lines in a few minutes): blocks are
generated as plain tuples in worker processes (:func:`~.bulk.ordered_map`) while this
process stores the previous ones with :class:`~.bulk.BulkWriter` into tables whose
secondary indexes are built once at the end, all inside the one transaction
``demo-data`` opens for the plugin.  Purchase ids rise with members but leave gaps
between blocks (a block reserves one id per purchase line it may need).
"""
from __future__ import annotations

import datetime as dt
import random
from array import array
from bisect import bisect_right
from itertools import accumulate
from zoneinfo import ZoneInfo

from zhanggui import _, _l

from ..bulk import BulkWriter, available_cores, encode_copy, ordered_map
from ..profile.crypto import phone_cipher
from ..profile.models import Member, MemberIdentity, Payment, Purchase, PurchaseLine, Store
from ..profile.services import MemberError
from ..profile.sort_keys import name_sort_keys
from . import catalog as cat

WINDOW_DAYS = 365
BLOCK = 5000          # members generated together (one task of a worker process)
MAX_WORKERS = 4
LINES_PER_MEMBER = 12
STAGES = ("potential", "active", "dormant", "churned")
STAGE_SHARE = (12, 50, 26, 12)
STAGE_ACTIVITY = (0.0, 1.6, 0.7, 0.35)
BASKET_SIZES = (1, 2, 3, 4, 5, 6, 7, 8)
BASKET_SHARE = (35, 25, 16, 10, 6, 4, 2, 2)
HK_MOBILE_PREFIXES = ("96", "97", "94", "61", "64", "69", "63", "65")
B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

MEMBER_COLUMNS = ("id", "name", "gender", "birthday", "phone_encrypted", "phone_hash",
                  "phone_last4", "card_no", "home_store_id", "joined_at", "join_channel",
                  "lifecycle_stage", "notes", "erased_at", "name_pinyin", "name_zhuyin")
IDENTITY_COLUMNS = ("member_id", "kind", "value", "created_at")
PURCHASE_COLUMNS = ("id", "pos_id", "store_id", "member_id", "occurred_at", "channel",
                    "total", "refunded_amount", "request_hash", "response")
LINE_COLUMNS = ("purchase_id", "sku", "name", "category", "counter_code", "quantity",
                "amount")
PAYMENT_COLUMNS = ("purchase_id", "method", "amount")
TABLES = ((Member, MEMBER_COLUMNS, "members"), (MemberIdentity, IDENTITY_COLUMNS, "identities"),
          (Purchase, PURCHASE_COLUMNS, "purchases"), (PurchaseLine, LINE_COLUMNS, "lines"),
          (Payment, PAYMENT_COLUMNS, "payments"))
BULK_MODELS = [model for model, _columns, _key in TABLES]


def build_demo_chain(ctx, anchor: dt.date | None = None, workers: int | None = None,
                     block: int = BLOCK) -> None:
    """Create stores, members and a year of purchases (see the module docstring).

    The year ends on ``anchor``, else ``ctx.as_of``, else yesterday.  ``workers``
    processes generate rows (``None``: one per core, up to :data:`MAX_WORKERS`, for
    chains of four blocks or more; ``0``: all here); the chain is the same either way.
    """
    if Member.select().exists():
        raise MemberError(_l("The demo chain needs a database without members; this one "
                             "already has some."))
    anchor = anchor or getattr(ctx, "as_of", None) or (
        dt.datetime.now(dt.timezone.utc).date() - dt.timedelta(days=1))
    DemoChain(ctx, anchor).run(workers=workers, block=block)


def _cum(weights):
    return list(accumulate(weights))


def _pick(rng, items, cum):
    return items[bisect_right(cum, rng.random() * cum[-1])]


def _fen(value: int) -> str:
    sign = "-" if value < 0 else ""
    value = abs(value)
    return f"{sign}{value // 100}.{value % 100:02d}"


def _luhn(digits: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            d -= 9 if d > 9 else 0
        total += d
    return digits + str((10 - total % 10) % 10)


class DemoChain:
    def __init__(self, ctx, anchor: dt.date):
        self.ctx, self.rng, self.anchor = ctx, ctx.rng, anchor
        self.first_day = anchor - dt.timedelta(days=WINDOW_DAYS - 1)
        self.writer = BulkWriter()
        self.cipher = phone_cipher()
        self._fen_cache: dict[int, str] = {}

    # -- the fixed parts, drawn once ---------------------------------------------

    def _stores(self) -> None:
        self.stores = []
        for code, name, city, region, currency, tz, traffic, factor, rounding in cat.STORES:
            store, _created = Store.get_or_create(code=code, defaults=dict(
                name=name, city=city, region=region, currency=currency, timezone=tz,
                country=cat.COUNTRY_OF_CURRENCY[currency]))
            self.stores.append((store.id, code, currency, ZoneInfo(tz), factor, rounding))
        self.store_cum = _cum([s[6] for s in cat.STORES])
        self.store_no = {s[0]: i + 1 for i, s in enumerate(cat.STORES)}   # not the db id
        self.ctx.count(_("stores"), len(self.stores))

    def fen(self, value: int) -> str:
        """Fen as ``"123.40"``; prices repeat, so the texts are cached."""
        text = self._fen_cache.get(value)
        if text is None:
            text = self._fen_cache[value] = _fen(value)
        return text

    def _calendar(self) -> None:
        days, weights, seasons = [], [], []
        for i in range(WINDOW_DAYS):
            day = self.first_day + dt.timedelta(days=i)
            weight, season = cat.day_traffic(day)
            days.append(day)
            weights.append(weight)
            seasons.append(season)
        self.days, self.day_season, self.day_cum = days, seasons, _cum(weights)
        self.day_codes = [f"{d:%y%m%d}" for d in days]
        # each store's local midnights as naive UTC, so a purchase time is one addition
        for i, store in enumerate(self.stores):
            tz = store[3]
            starts = [dt.datetime.combine(d, dt.time(), tz).astimezone(dt.timezone.utc)
                      .replace(tzinfo=None) for d in days]
            counters = [[f"{store[1]}-{code}{k + 1:02d}" for k in range(len(names))]
                        for _n, code, _s, names, _g in cat.CATEGORIES]
            self.stores[i] = store + (starts, counters)
        self.store_hours = (list(cat.STORE_HOURS), _cum(cat.STORE_HOURS.values()))
        self.online_hours = (list(cat.ONLINE_HOURS), _cum(cat.ONLINE_HOURS.values()))

    def _goods(self) -> None:
        """SKUs with fixed shelf prices per currency, and basket mixes per season."""
        rng = self.rng
        self.categories = []   # (category, {season: [sku, ...]})
        for name, code, _share, counters, goods in cat.CATEGORIES:
            skus = []
            for g, (item, low, high, sold, season) in enumerate(goods):
                for variant in range(3):
                    cny = rng.randrange(low, high + 1)
                    cny = cny - cny % 1000 + 900 if cny >= 10000 else cny - cny % 100
                    prices = {}
                    for _sc, _sn, _c, _r, currency, _tz, _t, factor, rounding in cat.STORES:
                        price = int(cny * factor)
                        prices[currency] = max(price - price % rounding, rounding)
                    skus.append((f"{code}{g + 1:02d}{variant + 1}", item, sold, season, prices))
            by_season = {s: [k for k in skus if k[3] in (None, s)] for s in cat.SEASONS}
            self.categories.append((name, by_season))
        self.mix = {}
        for gender, col in (("female", 0), ("male", 1)):
            for season in cat.SEASONS:
                boost = cat.SEASON_BOOST.get(season, {})
                self.mix[gender, season] = _cum(
                    [c[2][col] * boost.get(c[1], 1.0) for c in cat.CATEGORIES])
        self.mix["unknown", "normal"] = self.mix["female", "normal"]
        for season in cat.SEASONS:
            self.mix["unknown", season] = self.mix["female", season]
        self.pay = {cur: (list(m), _cum(m.values())) for cur, m in cat.PAYMENT_MIX.items()}

    def _people(self) -> None:
        rng = self.rng
        self.surnames = ([s for s, _w in cat.SURNAMES], _cum([w for _s, w in cat.SURNAMES]))
        self.given = {k: v.split() for k, v in cat.GIVEN.items()}
        self.local = {cur: tuple(part.split() for part in parts)
                      for cur, parts in cat.LOCAL_NAMES.items()}
        self.prefix_step = {p: rng.randrange(1, 10 ** 8) | 1 for p in cat.MOBILE_PREFIXES}
        for p, step in self.prefix_step.items():
            if step % 5 == 0:
                self.prefix_step[p] = step + 2
        self.prefix_offset = {p: rng.randrange(10 ** 8) for p in cat.MOBILE_PREFIXES}
        self.card_step = rng.randrange(10 ** 11, 10 ** 12) | 1
        if self.card_step % 5 == 0:
            self.card_step += 2
        self.card_offset = rng.randrange(10 ** 12)

    # -- members ------------------------------------------------------------------

    def _plan_members(self, n: int, lines_wanted: int) -> None:
        """Stage and number of purchase lines of every member, drawn before anything
        is written so the line budget is shared out exactly (and each block of
        members knows its share before it is generated)."""
        rng = self.rng
        stage_cum = _cum(STAGE_SHARE)
        self.stage = array("b")
        activity = array("d")
        for _i in range(n):
            s = bisect_right(stage_cum, rng.random() * stage_cum[-1])
            self.stage.append(s)
            activity.append(STAGE_ACTIVITY[s] * (0.15 + rng.expovariate(1.0)))
        total = sum(activity)
        scale = lines_wanted / total if total else 0.0
        self.budget = array("q", bytes(8 * n))
        running, done = 0.0, 0
        for index in range(n):
            running += activity[index]
            target = round(running * scale) if index < n - 1 else lines_wanted
            if target > done and self.stage[index] != 0:
                self.budget[index] = target - done
                done = target

    def _phone(self, index: int) -> str:
        # the suffix is a bijection of the member's index per prefix: unique numbers
        # without remembering the ones handed out (blocks are built independently)
        prefix = self.rng.choice(cat.MOBILE_PREFIXES)
        suffix = (index * self.prefix_step[prefix] + self.prefix_offset[prefix]) % 10 ** 8
        return f"{prefix}{suffix:08d}"

    @staticmethod
    def _local_phone(mainland: str, currency: str, index: int) -> str:
        """The member's E.164 mobile number, of the home store's region: Taipei members
        get a Taiwan number, Hong Kong members a Hong Kong one (unique per member
        index below ten million, like the mainland numbers)."""
        if currency == "TWD":
            return f"+88691{(index * 7919 + 1234567) % 10 ** 7:07d}"
        if currency == "HKD":
            prefix = HK_MOBILE_PREFIXES[index // 10 ** 6 % len(HK_MOBILE_PREFIXES)]
            return f"+852{prefix}{(index * 7919 + 123457) % 10 ** 6:06d}"
        return "+86" + mainland

    def _name(self, gender: str, born: int | None, currency: str) -> str:
        rng = self.rng
        if currency in self.local:
            surnames, female, male = self.local[currency]
            return rng.choice(surnames) + rng.choice(female if gender == "female" else male)
        surname = _pick(rng, *self.surnames)
        sex = gender if gender != "unknown" else rng.choice(("female", "male"))
        era = "older" if born is not None and born < 1975 else "younger"
        return surname + rng.choice(self.given[sex, era])

    def _openid(self) -> str:
        bits = self.rng.getrandbits(162)
        return "o" + "".join(B64[(bits >> (6 * i)) & 63] for i in range(27))

    def _member(self, mid: int, index: int, identities: list) -> tuple:
        rng, anchor = self.rng, self.anchor
        stage = self.stage[index]
        store = _pick(rng, self.stores, self.store_cum)
        store_id, code, currency = store[0], store[1], store[2]
        r = rng.random()
        gender = "female" if r < 0.64 else "male" if r < 0.95 else "unknown"
        born = None
        birthday = None
        if rng.random() < 0.88:
            born = anchor.year - int(rng.triangular(18, 76, 33))
            birthday = (dt.date(born, 1, 1) + dt.timedelta(days=rng.randrange(365))).isoformat()
        name = self._name(gender, born, currency)
        phone = self._local_phone(self._phone(index), currency, index)
        # potential members joined lately; dormant and churned ones well before the year
        if stage == 0:
            join_day = WINDOW_DAYS - 1 - rng.randrange(120)
        elif stage == 1 and rng.random() < 0.25:
            join_day = rng.randrange(WINDOW_DAYS - 30)
        else:
            join_day = -rng.randrange(1, 5 * 365)
        joined = dt.datetime.combine(self.first_day + dt.timedelta(days=join_day),
                                     dt.time(rng.randrange(2, 14), rng.randrange(60),
                                             rng.randrange(60)))
        joined_text = joined.isoformat(" ")
        if currency == "CNY":
            channel = rng.choices(("store", "wechat", "app", "ecommerce", "pos", "callcenter",
                                   "import"), (40, 30, 10, 8, 8, 2, 2))[0]
        else:
            channel = rng.choices(("store", "app", "ecommerce", "pos"), (55, 20, 10, 15))[0]
        card = None
        if channel in ("store", "pos", "import", "callcenter") or rng.random() < 0.4:
            seq = (index * self.card_step + self.card_offset) % 10 ** 12
            card = _luhn(f"6{self.store_no[code]:02d}{seq:012d}")
        if channel == "wechat" or (currency == "CNY" and rng.random() < 0.35):
            identities.append((mid, "wechat_openid", self._openid(), joined_text))
            if rng.random() < 0.6:
                identities.append((mid, "wechat_unionid", self._openid(), joined_text))
        if channel == "app":
            identities.append((mid, "app_user", f"U{mid:010d}", joined_text))
        if channel == "ecommerce":
            identities.append((mid, "ecommerce_account",
                               "shop_" + "".join(rng.choice(B64[26:62]) for _ in range(10)),
                               joined_text))
        notes = rng.choice(cat.MEMBER_NOTES) if rng.random() < 0.04 else None
        row = (mid, name, gender, birthday, self.cipher.encrypt(phone),
               self.cipher.lookup_hash(phone), phone[-4:], card, store_id, joined_text,
               channel, STAGES[stage], notes, None) + name_sort_keys(name)
        return row, store, gender, max(join_day, 0)

    # -- purchases ----------------------------------------------------------------

    def _purchases(self, member_id, home, gender, stage, budget, from_day,
                   out_purchases, out_lines, out_payments):
        """Baskets of ``budget`` lines in all for one member (the hot loop: plain
        ``random()`` and bisect instead of ``randrange``/``choices``)."""
        random = self.rng.random
        last = WINDOW_DAYS
        if stage == 2:
            last = WINDOW_DAYS - 90
        elif stage == 3:
            last = WINDOW_DAYS - 180
        from_day = min(from_day, last - 1)
        day_cum, basket_cum, fen = self.day_cum, self.basket_cum, self.fen
        stores, store_cum, categories = self.stores, self.store_cum, self.categories
        low = day_cum[from_day - 1] if from_day > 0 else 0.0
        span = day_cum[last - 1] - low
        first = True
        while budget > 0:
            size = bisect_right(basket_cum, random() * basket_cum[-1]) + 1
            if size > budget:
                size = budget
            budget -= size
            if first and stage == 1:          # active: bought within the last 90 days
                lo = max(from_day, WINDOW_DAYS - 90)
                lo_w = day_cum[lo - 1] if lo > 0 else 0.0
                day = bisect_right(day_cum, lo_w + random() * (day_cum[-1] - lo_w), lo,
                                   WINDOW_DAYS - 1)
            else:
                day = bisect_right(day_cum, low + random() * span, from_day, last - 1)
            first = False
            store = home if random() < 0.85 else stores[
                bisect_right(store_cum, random() * store_cum[-1])]
            store_id, code, currency, day_starts, store_counters = (
                store[0], store[1], store[2], store[6], store[7])
            r = random()
            if currency == "CNY":
                channel = "pos" if r < 0.82 else "miniprogram" if r < 0.92 else "ecommerce"
            else:
                channel = "pos" if r < 0.92 else "ecommerce"
            hour_list, hour_cum = self.store_hours if channel == "pos" else self.online_hours
            hour = hour_list[bisect_right(hour_cum, random() * hour_cum[-1])]
            occurred = day_starts[day] + dt.timedelta(
                seconds=hour * 3600 + int(random() * 3600))
            season = self.day_season[day]
            mix = self.mix[gender, season]
            pid = self.next_purchase
            self.next_purchase += 1
            total = 0
            for _n in range(size):
                ci = bisect_right(mix, random() * mix[-1])
                name, by_season = categories[ci]
                counters = store_counters[ci]
                skus = by_season[season]
                sku, item, sold, _season, prices = skus[int(random() * len(skus))]
                unit = prices[currency]
                if sold == "kg":
                    grams = 300 + int(random() * 1701)
                    qty = f"{grams // 1000}.{grams % 1000:03d}"
                    amount = (unit * grams + 500) // 1000
                elif random() < 0.86:
                    qty, amount = "1.000", unit
                elif sold == "unit":
                    qty, amount = "2.000", unit * 2
                else:
                    q = 2 + int(random() * 2)
                    qty, amount = f"{q}.000", unit * q
                if season in ("double11", "618") and random() < 0.3:
                    amount = amount * 85 // 100
                total += amount
                out_lines.append((pid, sku, item, name,
                                  counters[int(random() * len(counters))], qty,
                                  fen(amount)))
            refunded = amount if random() < 0.015 else 0
            prefix = code if channel == "pos" else "EC"
            out_purchases.append((pid, f"{prefix}-{self.day_codes[day]}-{pid:09d}", store_id,
                                  member_id, occurred.isoformat(" "), channel, fen(total),
                                  fen(refunded), None, None))
            if channel != "pos":
                method = "line_pay" if currency == "TWD" else (
                    "wechat_pay" if random() < 0.55 else "alipay")
            else:
                methods, method_cum = self.pay[currency]
                method = methods[bisect_right(method_cum, random() * method_cum[-1])]
            if total >= 50000 and random() < 0.12 and method not in ("coupon", "gift_card"):
                part = min(total // 10 // 1000 * 1000, 50000) or 1000
                out_payments.append((pid, "coupon", fen(part)))
                out_payments.append((pid, method, fen(total - part)))
            else:
                out_payments.append((pid, method, fen(total)))

    # -- the whole chain ----------------------------------------------------------

    def run(self, workers: int | None = None, block: int = BLOCK) -> None:
        ctx, writer = self.ctx, self.writer
        n = ctx.members
        lines_wanted = ctx.purchases if ctx.purchases is not None else LINES_PER_MEMBER * n
        self._stores()
        self._calendar()
        self._goods()
        self._people()
        self._plan_members(n, lines_wanted)
        self.basket_cum = _cum(BASKET_SHARE)
        self.next_member = writer.next_id(Member)
        first_purchase = writer.next_id(Purchase)
        self.copy = writer.kind == "postgresql"
        tasks = []
        lines_before = 0
        for number, start in enumerate(range(0, n, block)):
            tasks.append((number, start, min(start + block, n), first_purchase + lines_before))
            # a basket has at least one line: a block's lines bound its purchase ids
            lines_before += sum(self.budget[start:start + block])
        if workers is None:
            workers = min(available_cores(), MAX_WORKERS) if len(tasks) >= 4 else 0
        progress = ctx.progress(_("Demo members and their purchases"), n)
        counts = dict.fromkeys(("members", "identities", "purchases", "lines", "payments"), 0)
        global _CHAIN
        _CHAIN = self
        try:
            writer.begin_load(BULK_MODELS)
            for task, block_rows in zip(tasks, ordered_map(_generate_block, tasks, workers)):
                for (model, columns, key), rows in zip(TABLES, block_rows):
                    if self.copy:
                        count, payload = rows
                        writer.write_copy(model, columns, payload)
                    else:
                        count = len(rows)
                        writer.write(model, columns, rows)
                    counts[key] += count
                progress.advance(task[2] - task[1])
            writer.finish()
        except BaseException:
            writer.abort()
            raise
        finally:
            _CHAIN = None
        progress.close()
        for key, label in (("members", _("members")), ("identities", _("linked accounts")),
                           ("purchases", _("purchases")), ("lines", _("purchase lines")),
                           ("payments", _("payments"))):
            ctx.count(label, counts[key])

    def generate_block(self, number: int, start: int, end: int, first_purchase: int):
        """Rows of members ``start..end-1`` (indexes into this run) and their purchases,
        drawn from the block's own generator so blocks can be built in any process
        in any order; purchase ids start at ``first_purchase``."""
        self.rng = random.Random(f"zhanggui-demo/{self.ctx.seed}/{number}")
        self.next_purchase = first_purchase
        members, identities, purchases, lines, payments = [], [], [], [], []
        for index in range(start, end):
            mid = self.next_member + index
            row, home, gender, from_day = self._member(mid, index, identities)
            members.append(row)
            budget = self.budget[index]
            if budget > 0:
                self._purchases(mid, home, gender, self.stage[index], budget, from_day,
                                purchases, lines, payments)
        tables = (members, identities, purchases, lines, payments)
        if self.copy:   # encoded here, in the worker, so the loading process only sends
            return tuple((len(rows), encode_copy(rows)) for rows in tables)
        return tables


_CHAIN: DemoChain | None = None   # the chain being built, as the worker processes see it


def _generate_block(task):
    return _CHAIN.generate_block(*task)
