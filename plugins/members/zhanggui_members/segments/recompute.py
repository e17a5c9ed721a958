"""Member segmentation: RFM scores, a CLV estimate, value groups and lifecycle stages.

Definitions (as of a moment ``as_of``, default now; settings in ``core/zhanggui/config.py``):

* **Recency** – whole days from the member's last purchase (any time before
  ``as_of``) to ``as_of``.  **Frequency** – purchases (transactions, not lines) in the
  RFM window, the ``RFM_WINDOW_DAYS`` days up to ``as_of``.  **Monetary** – their
  totals minus the refunds recorded against them by ``as_of``.
* **R, F, M** – quintiles 1-5 (5 best: most recent, most frequent, most spent) by
  ``NTILE(5)`` over the members who bought within the window and are not excluded
  (:func:`eligible`).  Equal values are split by member id, as ``NTILE`` does, so
  every quintile holds a fifth of the base.  Members without a purchase in the window
  keep their recency but get no scores and no value group.
* **CLV** = average order value × purchases per year × expected lifetime
  = (M / F) × (F × 365 / window) × ``CLV_LIFETIME_YEARS``, i.e. the annualised net
  spend times the expected remaining years; margin-free and undiscounted.
* **Value group** – the first rule of ``VALUE_GROUP_RULES`` whose conditions all hold,
  else ``ordinary``; by default loyal: R≥4 F≥4 M≥4; winback: R≤2 and (F≥4 or M≥4);
  growing: R≥4, or R≥3 F≥3.
* **Lifecycle stage** – potential (no purchase before ``as_of``), active, dormant
  (``LIFECYCLE_DORMANT_DAYS`` or more days since the last purchase), churned
  (``LIFECYCLE_CHURNED_DAYS`` or more).  Each move is appended to
  ``members_stage_change`` and announced through ``zhanggui_member_stage_changed``.

How (a million members over ten million purchase lines): everything is set-based SQL
over purchase totals.  Pass 1 aggregates purchases per member into a temporary table,
a chunk of member ids at a time; pass 2 computes the three quintiles in one
``NTILE`` statement; pass 3 rewrites the score rows and the stage moves of one chunk
per transaction (row counts and rate through :class:`zhanggui.Progress`), rewriting
only the rows whose values changed.  Readers see a chunk's old scores or its new
ones, never a half-written chunk.  Concurrent
recomputes are serialised per chunk (an advisory lock on PostgreSQL, ``BEGIN
IMMEDIATE`` on SQLite) and each compares stages *after* taking the lock, so a move is
recorded once.  Python never loops over members, only over the moves it announces.
"""
from __future__ import annotations

import datetime as dt
import decimal
import re
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from zhanggui import _l, database, plugins, utcnow, write_transaction
from zhanggui.db import backend

CHUNK = 25_000
"""Member ids per chunk of pass 1 and pass 3."""

_LOCK_KEY = 0x7A675345  # PostgreSQL advisory lock of the recompute ("zgSE")
STAGES = ("potential", "active", "dormant", "churned")
REASONS = ("job", "command", "console", "member", "merge", "demo")


def eligible(alias: str = "m") -> str:
    """SQL condition on the member row ``alias``: who is segmented at all.

    The one place that says who is left out: erased members (their personal data
    is gone).  Merged members (``merged_into``) join here when merging lands.
    """
    return f"{alias}.erased_at IS NULL"


# --- settings ---------------------------------------------------------------------------

@dataclass(frozen=True)
class SegmentSettings:
    """The segmentation settings (see the module docstring and the README)."""

    window_days: int = 365
    dormant_days: int = 90
    churned_days: int = 180
    lifetime_years: decimal.Decimal = decimal.Decimal(3)
    rules: tuple = field(default_factory=lambda: _default_rules())

    def __post_init__(self):
        if self.churned_days <= self.dormant_days:
            raise ValueError(f"LIFECYCLE_CHURNED_DAYS ({self.churned_days}) must be more than "
                             f"LIFECYCLE_DORMANT_DAYS ({self.dormant_days})")

    @classmethod
    def from_settings(cls, settings: dict[str, Any]) -> "SegmentSettings":
        return cls(window_days=settings["RFM_WINDOW_DAYS"],
                   dormant_days=settings["LIFECYCLE_DORMANT_DAYS"],
                   churned_days=settings["LIFECYCLE_CHURNED_DAYS"],
                   lifetime_years=settings["CLV_LIFETIME_YEARS"],
                   rules=settings["VALUE_GROUP_RULES"])

    @property
    def clv_factor(self) -> decimal.Decimal:
        """CLV = monetary × this (annualising the window, times the lifetime)."""
        return decimal.Decimal(365) * self.lifetime_years / decimal.Decimal(self.window_days)

    def value_group(self, r: int, f: int, m: int) -> str:
        """The value group of these scores (what the SQL ``CASE`` computes)."""
        scores = {"R": r, "F": f, "M": m}
        for group, conditions in self.rules:
            if all(_holds(scores[letter], op, n) for letter, op, n in conditions):
                return group
        return "ordinary"

    def stage(self, recency_days: int | None) -> str:
        """The lifecycle stage for this many days since the last purchase."""
        if recency_days is None:
            return "potential"
        if recency_days >= self.churned_days:
            return "churned"
        if recency_days >= self.dormant_days:
            return "dormant"
        return "active"


def _default_rules() -> tuple:
    from zhanggui.config import DEFAULT_VALUE_GROUP_RULES, _value_group_rules

    return _value_group_rules(DEFAULT_VALUE_GROUP_RULES)


def _holds(score: int, op: str, n: int) -> bool:
    return score >= n if op == ">=" else score <= n if op == "<=" else score == n


def current_settings() -> SegmentSettings:
    """The running application's segmentation settings."""
    from flask import current_app

    return SegmentSettings.from_settings(current_app.extensions["zhanggui"].settings)


# --- SQL helpers ------------------------------------------------------------------------

_NAMED = re.compile(r"(?<![:\w]):([a-z_]+)\b")


def _run(sql: str, **params):
    """Execute ``sql`` with ``:name`` parameters on the current backend."""
    order: list[Any] = []

    def mark(match):
        order.append(params[match.group(1)])
        return database.param

    return database.execute_sql(_NAMED.sub(mark, sql), order)


def _is_sqlite() -> bool:
    return backend(database) == "sqlite"


def _ts(value: dt.datetime):
    """A timezone-aware time as the database stores it (naive UTC)."""
    naive = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return naive.isoformat(sep=" ") if _is_sqlite() else naive


def _as_utc(value) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value.replace(tzinfo=dt.timezone.utc) if value.tzinfo is None else value


def as_of_moment(as_of: dt.date | dt.datetime | None) -> dt.datetime:
    """``as_of`` as an aware UTC time: now for ``None``; a date means the end of that
    day in UTC (everything bought on it counts)."""
    if as_of is None:
        return utcnow()
    if isinstance(as_of, dt.datetime):
        if as_of.tzinfo is None:
            raise ValueError("as_of needs a time zone")
        return as_of.astimezone(dt.timezone.utc)
    return dt.datetime.combine(as_of, dt.time.max, tzinfo=dt.timezone.utc)


# --- the computation --------------------------------------------------------------------

@dataclass
class SegmentRun:
    """What a recompute did."""

    as_of: dt.datetime
    members: int = 0            # members with a score row (bought before as_of)
    scored: int = 0             # of them, with R/F/M (bought within the window)
    stage_changes: int = 0
    seconds: float = 0.0


ProgressFactory = Callable[[str, int], Any]


class _Computation:
    """One recompute's temporary tables and statements (one connection)."""

    def __init__(self, settings: SegmentSettings, as_of: dt.datetime, reason: str):
        if reason not in REASONS:
            raise ValueError(f"reason must be one of {REASONS}")
        self.settings, self.as_of, self.reason = settings, as_of, reason
        self.start = as_of - dt.timedelta(days=settings.window_days)
        self.now = utcnow()
        self.sqlite = _is_sqlite()

    # temporary tables live in the connection, outside the database file's schema
    def create_temp(self) -> None:
        key = "INTEGER PRIMARY KEY" if self.sqlite else "BIGINT PRIMARY KEY"
        stamp = "TEXT" if self.sqlite else "TIMESTAMP"
        self.drop_temp()
        database.execute_sql(f"CREATE TEMPORARY TABLE seg_agg (member_id {key}, "
                             f"last_at {stamp}, recency_days INTEGER, frequency INTEGER, "
                             f"monetary NUMERIC(14, 2))")
        database.execute_sql(f"CREATE TEMPORARY TABLE seg_rank (member_id {key}, "
                             f"r SMALLINT, f SMALLINT, m SMALLINT)")
        database.execute_sql(f"CREATE TEMPORARY TABLE seg_moves (member_id {key}, "
                             f"old_stage VARCHAR(20), new_stage VARCHAR(20), days INTEGER)")

    def drop_temp(self) -> None:
        for table in ("seg_agg", "seg_rank", "seg_moves"):
            database.execute_sql(f"DROP TABLE IF EXISTS {table}")

    def _recency(self) -> str:
        if self.sqlite:
            return ("(CAST(strftime('%s', :as_of) AS INTEGER) "
                    "- CAST(strftime('%s', MAX(p.occurred_at)) AS INTEGER)) / 86400")
        return ("CAST(FLOOR(EXTRACT(EPOCH FROM (CAST(:as_of AS TIMESTAMP) "
                "- MAX(p.occurred_at))) / 86400) AS INTEGER)")

    def aggregate(self, lo: int, hi: int) -> None:
        """Pass 1: per-member aggregates of purchases for member ids in [lo, hi)."""
        # net = total - refunded_amount (the running sum of its refunds), giving back
        # the refunds recorded after as_of; refunded_amount > 0 skips that look-up for
        # the (many) purchases never refunded
        _run(f"""
            INSERT INTO seg_agg (member_id, last_at, recency_days, frequency, monetary)
            SELECT p.member_id, MAX(p.occurred_at), {self._recency()},
                   SUM(CASE WHEN p.occurred_at > :start THEN 1 ELSE 0 END),
                   ROUND(SUM(CASE WHEN p.occurred_at > :start THEN p.total - CASE
                       WHEN p.refunded_amount > 0 THEN p.refunded_amount - COALESCE((
                           SELECT SUM(x.amount) FROM members_refund x
                           WHERE x.purchase_id = p.id AND x.recorded_at > :as_of), 0)
                       ELSE 0 END ELSE 0 END), 2)
            FROM members_purchase p JOIN members_member m ON m.id = p.member_id
            WHERE p.member_id >= :lo AND p.member_id < :hi AND p.occurred_at <= :as_of
              AND {eligible("m")}
            GROUP BY p.member_id""",
             as_of=_ts(self.as_of), start=_ts(self.start), lo=lo, hi=hi)

    def rank_all(self) -> None:
        """Pass 2: the quintiles over the whole base, in one statement."""
        if not self.sqlite:
            database.execute_sql("ANALYZE seg_agg")  # temp tables are never auto-analysed
        database.execute_sql("""
            INSERT INTO seg_rank (member_id, r, f, m)
            SELECT member_id, NTILE(5) OVER (ORDER BY last_at, member_id),
                   NTILE(5) OVER (ORDER BY frequency, member_id),
                   NTILE(5) OVER (ORDER BY monetary, member_id)
            FROM seg_agg WHERE frequency > 0""")
        if not self.sqlite:
            database.execute_sql("ANALYZE seg_rank")

    def rank_one(self, member_id: int) -> None:
        """One member's quintiles against the stored base: the highest quintile whose
        lowest member it reaches (what NTILE would give, but for ties at an edge)."""
        row = _run("SELECT last_at, frequency, monetary FROM seg_agg WHERE member_id = :id",
                   id=member_id).fetchone()
        if row is None or not row[1]:
            return
        scores = []
        for column, tile, value in (("last_purchase_at", "r", row[0]),
                                    ("frequency", "f", row[1]), ("monetary", "m", row[2])):
            edges = _run(f"SELECT {tile}, MIN({column}) FROM members_member_score "
                         f"WHERE {tile} IS NOT NULL AND member_id <> :id GROUP BY {tile}",
                         id=member_id).fetchall()
            scores.append(max([t for t, low in edges if _le(low, value)] or [1]))
        _run("INSERT INTO seg_rank (member_id, r, f, m) VALUES (:id, :r, :f, :m)",
             id=member_id, r=scores[0], f=scores[1], m=scores[2])

    def _group_case(self) -> str:
        whens = []
        for group, conditions in self.settings.rules:
            test = " AND ".join(f"k.{letter.lower()} {'=' if op == '=' else op} {int(n)}"
                                for letter, op, n in conditions)
            whens.append(f"WHEN {test} THEN '{group}'")
        return (f"CASE WHEN k.member_id IS NULL THEN NULL {' '.join(whens)} "
                f"ELSE 'ordinary' END")

    def _stage_case(self) -> str:
        s = self.settings
        return (f"CASE WHEN a.member_id IS NULL THEN 'potential' "
                f"WHEN a.recency_days >= {int(s.churned_days)} THEN 'churned' "
                f"WHEN a.recency_days >= {int(s.dormant_days)} THEN 'dormant' "
                f"ELSE 'active' END")

    def write(self, lo: int, hi: int) -> list[tuple[int, str | None, str]]:
        """Pass 3 for member ids in [lo, hi), in one transaction: replace the score
        rows, append the stage moves, set the stages, announce each move."""
        factor = (float(self.settings.clv_factor) if self.sqlite
                  else self.settings.clv_factor)
        cast = "" if self.sqlite else "CAST(:factor AS NUMERIC)"
        with write_transaction():
            if not self.sqlite:
                database.execute_sql(f"SELECT pg_advisory_xact_lock({_LOCK_KEY})")
            kept = (f"SELECT a.member_id FROM seg_agg a JOIN members_member m "
                    f"ON m.id = a.member_id WHERE a.member_id >= :lo AND a.member_id < :hi "
                    f"AND {eligible('m')}")
            _run(f"DELETE FROM members_member_score WHERE member_id >= :lo "
                 f"AND member_id < :hi AND member_id NOT IN ({kept})", lo=lo, hi=hi)
            # an upsert that rewrites a row only when a value changed: a rerun writes
            # nothing, and PostgreSQL updates rows in place (no foreign-key checks)
            differs = " OR ".join(
                f"members_member_score.{c} {'IS NOT' if self.sqlite else 'IS DISTINCT FROM'} "
                f"excluded.{c}" for c in _SCORE_VALUES)
            assign = ", ".join(f"{c} = excluded.{c}"
                               for c in _SCORE_VALUES + ("as_of", "computed_at"))
            _run(f"""
                INSERT INTO members_member_score (member_id, last_purchase_at, recency_days,
                    frequency, monetary, r, f, m, rfm, clv, value_group, as_of, computed_at)
                SELECT a.member_id, a.last_at, a.recency_days, a.frequency, a.monetary,
                       k.r, k.f, k.m, k.r * 100 + k.f * 10 + k.m,
                       CASE WHEN k.member_id IS NULL THEN NULL
                            ELSE ROUND(a.monetary * {cast or ':factor'}, 2) END,
                       {self._group_case()}, :as_of, :now
                FROM seg_agg a JOIN members_member m ON m.id = a.member_id
                LEFT JOIN seg_rank k ON k.member_id = a.member_id
                WHERE a.member_id >= :lo AND a.member_id < :hi AND {eligible("m")}
                ON CONFLICT (member_id) DO UPDATE SET {assign} WHERE {differs}""",
                 factor=factor, as_of=_ts(self.as_of), now=_ts(self.now), lo=lo, hi=hi)
            # stages are compared only now, under the lock, so a concurrent recompute
            # that got here first leaves nothing to move
            database.execute_sql("DELETE FROM seg_moves")
            _run(f"""
                INSERT INTO seg_moves (member_id, old_stage, new_stage, days)
                SELECT member_id, old_stage, new_stage, days FROM (
                    SELECT m.id AS member_id, m.lifecycle_stage AS old_stage,
                           {self._stage_case()} AS new_stage, a.recency_days AS days
                    FROM members_member m LEFT JOIN seg_agg a ON a.member_id = m.id
                    WHERE m.id >= :lo AND m.id < :hi AND {eligible("m")}) s
                WHERE old_stage IS NULL OR old_stage <> new_stage""", lo=lo, hi=hi)
            moves = database.execute_sql("SELECT member_id, old_stage, new_stage "
                                         "FROM seg_moves ORDER BY member_id").fetchall()
            if moves:
                _run("""
                    INSERT INTO members_stage_change (member_id, old_stage, new_stage,
                        changed_at, recorded_at, reason, days_since_purchase)
                    SELECT member_id, old_stage, new_stage, :as_of, :now, :reason, days
                    FROM seg_moves""", as_of=_ts(self.as_of), now=_ts(self.now),
                     reason=self.reason)
                database.execute_sql("""
                    UPDATE members_member SET lifecycle_stage = (
                        SELECT s.new_stage FROM seg_moves s WHERE s.member_id = members_member.id)
                    WHERE id IN (SELECT member_id FROM seg_moves)""")
                emit = plugins().emit
                for member_id, old, new in moves:
                    emit("member_stage_changed", member_id=member_id, old=old, new=new)
        return moves


_SCORE_VALUES = ("last_purchase_at", "recency_days", "frequency", "monetary", "r", "f", "m",
                 "rfm", "clv", "value_group")


def _le(low, value) -> bool:
    if low is None or value is None:
        return False
    if isinstance(low, (int, float, decimal.Decimal)) and not isinstance(value, str):
        return decimal.Decimal(str(low)) <= decimal.Decimal(str(value))
    return _as_utc(low) <= _as_utc(value)


def _id_span() -> tuple[int, int]:
    lo, hi = database.execute_sql("SELECT MIN(id), MAX(id) FROM members_member").fetchone()
    return (lo or 0), (hi or 0) + 1


def recompute_segments(as_of: dt.date | dt.datetime | None = None, *, reason: str = "job",
                       settings: SegmentSettings | None = None,
                       progress: ProgressFactory | None = None,
                       chunk: int = CHUNK) -> SegmentRun:
    """Recompute every member's scores, value group and stage as of ``as_of``.

    ``progress(label, total)`` returns a :class:`zhanggui.Progress`-like bar (rows
    done, rate, time left) for each of the two passes over the members; ``reason`` is
    written into the stage history (one of :data:`REASONS`).  Running it again over
    unchanged data changes no score, stage or history row.
    """
    started = time.monotonic()
    moment = as_of_moment(as_of)
    job = _Computation(settings or current_settings(), moment, reason)
    lo, hi = _id_span()
    run = SegmentRun(as_of=moment)
    job.create_temp()
    try:
        bar = progress(str(_l("Reading purchases")), hi - lo) if progress else None
        for start in range(lo, hi, chunk):
            job.aggregate(start, min(start + chunk, hi))
            if bar:
                bar.advance(min(chunk, hi - start))
        if bar:
            bar.close()
        job.rank_all()
        bar = progress(str(_l("Writing scores and stages")), hi - lo) if progress else None
        for start in range(lo, hi, chunk):
            run.stage_changes += len(job.write(start, min(start + chunk, hi)))
            if bar:
                bar.advance(min(chunk, hi - start))
        if bar:
            bar.close()
        run.members, run.scored = database.execute_sql(
            "SELECT COUNT(*), COUNT(r) FROM members_member_score").fetchone()
    finally:
        job.drop_temp()
    run.seconds = time.monotonic() - started
    return run


def recompute_member(member_id: Any, as_of: dt.date | dt.datetime | None = None, *,
                     reason: str = "member",
                     settings: SegmentSettings | None = None) -> list[tuple]:
    """Recompute one member (after a merge, say) against the stored base.

    Its quintiles are placed among the other members' last computed scores (the next
    full recompute ranks everyone afresh); its stage moves are recorded and announced
    like a full run's.  An excluded (e.g. erased) member loses its score row.
    Returns the stage moves, ``[(member_id, old, new)]``.
    """
    job = _Computation(settings or current_settings(), as_of_moment(as_of), reason)
    member_id = int(member_id)
    job.create_temp()
    try:
        job.aggregate(member_id, member_id + 1)
        job.rank_one(member_id)
        return job.write(member_id, member_id + 1)
    finally:
        job.drop_temp()


def fold_segment_records(source_id: Any, target_id: Any) -> int:
    """Move the stage history of a merged ``source`` member to ``target`` and drop
    the source's scores; returns the number of history rows moved.  Call
    :func:`recompute_member` for the target afterwards (with ``reason="merge"``)."""
    from .models import MemberScore, StageChange

    with write_transaction():
        moved = (StageChange.update(member=int(target_id))
                 .where(StageChange.member == int(source_id)).execute())
        MemberScore.delete().where(MemberScore.member == int(source_id)).execute()
    return moved


DEMO_HISTORY_MONTHS = 6


def demo_segments(ctx) -> SegmentRun:
    """Segment the demo chain as a daily job would have: at the end of each of the
    last :data:`DEMO_HISTORY_MONTHS` months, then as of its last day, so the
    dashboard's lifecycle chart has months of stage moves, not one."""
    anchor = getattr(ctx, "as_of", None) or (utcnow().date() - dt.timedelta(days=1))
    month_start = anchor.replace(day=1)
    for back in range(DEMO_HISTORY_MONTHS - 1, 0, -1):
        year, month = divmod(month_start.year * 12 + month_start.month - 1 - back + 1, 12)
        month_end = dt.date(year, month + 1, 1) - dt.timedelta(days=1)
        recompute_segments(as_of=month_end, reason="demo", progress=ctx.progress)
    return recompute_segments(as_of=anchor, reason="demo", progress=ctx.progress)


__all__ = ["SegmentRun", "SegmentSettings", "eligible", "recompute_segments",
           "recompute_member", "fold_segment_records"]
