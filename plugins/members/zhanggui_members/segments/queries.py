"""What the console, the dashboard and the PIPL paths read of the segmentation: a
member's scores and stage history, the value groups' totals and the stage flows
(:mod:`.recompute` writes them)."""
from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

from zhanggui import ExportSection, _l, database, utcnow, write_transaction

from .models import MemberScore, StageChange, VALUE_GROUPS
from .recompute import STAGES, _as_utc, _is_sqlite, _run, _ts


def member_segment(member_id: Any):
    """The member's score row, or ``None`` (never bought, or not computed yet)."""
    return MemberScore.get_or_none(MemberScore.member == int(member_id))


def stage_history(member_id: Any, limit: int | None = None) -> list:
    query = (StageChange.select().where(StageChange.member == int(member_id))
             .order_by(StageChange.changed_at.desc(), StageChange.id.desc()))
    return list(query.limit(limit) if limit else query)


def export_segment_data(member_id: Any) -> list[ExportSection]:
    """The member's scores and stage history for a PIPL export."""
    score = member_segment(member_id)
    rows = []
    if score is not None:
        rows.append({"last_purchase_at": score.last_purchase_at.isoformat(),
                     "recency_days": score.recency_days, "frequency": score.frequency,
                     "monetary": str(score.monetary), "r": score.r, "f": score.f,
                     "m": score.m, "rfm": score.rfm,
                     "clv": str(score.clv) if score.clv is not None else None,
                     "value_group": score.value_group, "as_of": score.as_of.isoformat(),
                     "computed_at": score.computed_at.isoformat()})
    history = [{"from": c.old_stage, "to": c.new_stage, "changed_at": c.changed_at.isoformat(),
                "reason": c.reason, "days_since_purchase": c.days_since_purchase}
               for c in reversed(stage_history(member_id))]
    return [ExportSection(name="members.segment", title=_l("Value group and RFM scores"),
                          rows=rows),
            ExportSection(name="members.stage_history", title=_l("Lifecycle stage history"),
                          rows=history)]


def erase_segment_data(member_id: Any) -> list[str]:
    """Delete the member's scores; keep its stage moves without the member (so the
    chain's stage flows still add up)."""
    with write_transaction():
        scores = MemberScore.delete().where(MemberScore.member == int(member_id)).execute()
        moves = (StageChange.update(member=None)
                 .where(StageChange.member == int(member_id)).execute())
    return [f"{scores} score row(s) deleted", f"{moves} stage change(s) de-identified"]


def summary_by_value_group() -> list[dict[str, Any]]:
    """Members and net spend in the window per value group, in a fixed order."""
    rows = {group: (count, total) for group, count, total in database.execute_sql(
        "SELECT value_group, COUNT(*), SUM(monetary) FROM members_member_score "
        "WHERE value_group IS NOT NULL GROUP BY value_group").fetchall()}
    cent = decimal.Decimal("0.01")
    return [{"group": group, "label": label, "members": int(rows.get(group, (0, 0))[0]),
             "revenue": decimal.Decimal(str(rows.get(group, (0, 0))[1] or 0)).quantize(cent)}
            for group, label in VALUE_GROUPS]


def monthly_stage_flows(months: int = 6, today: dt.date | None = None) -> dict[str, Any]:
    """Moves into each stage per calendar month (UTC) of the last ``months`` months:
    ``{"months": ["2026-01", ...], "into": {stage: [count per month]}}``."""
    today = today or utcnow().date()
    first = dt.date(today.year, today.month, 1)
    labels = []
    for back in range(months - 1, -1, -1):
        year, month = divmod(first.year * 12 + first.month - 1 - back, 12)
        labels.append(f"{year:04d}-{month + 1:02d}")
    since = dt.datetime.strptime(labels[0] + "-01", "%Y-%m-%d").replace(tzinfo=dt.timezone.utc)
    month = ("strftime('%Y-%m', changed_at)" if _is_sqlite()
             else "to_char(changed_at, 'YYYY-MM')")
    counts = {(m, stage): n for m, stage, n in _run(
        f"SELECT {month}, new_stage, COUNT(*) FROM members_stage_change "
        f"WHERE changed_at >= :since GROUP BY 1, 2", since=_ts(since)).fetchall()}
    return {"months": labels,
            "into": {stage: [int(counts.get((m, stage), 0)) for m in labels]
                     for stage in STAGES}}


def last_computed_at() -> dt.datetime | None:
    value = database.execute_sql("SELECT MAX(computed_at) FROM members_member_score").fetchone()[0]
    return _as_utc(value)
