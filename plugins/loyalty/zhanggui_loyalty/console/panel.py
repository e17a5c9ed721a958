"""The loyalty panel of the member 360° view: points, tier, benefits, next-tier
progress, points expiring in the next 30 days and the last entries, formatted for the
reader's language and time zone."""
from __future__ import annotations

import datetime as dt
import decimal

from flask import render_template, url_for

from zhanggui import has_permission

from ..ledger.queries import member_summary
from ..models import ENTRY_KINDS, SOURCE_TYPES, PointsLedgerEntry

LAST = 10


def render_panel(member_id: int) -> str:
    summary = member_summary(member_id, last=0)
    entries = list(PointsLedgerEntry.select().where(PointsLedgerEntry.member_id == member_id)
                   .order_by(PointsLedgerEntry.id.desc()).limit(LAST))
    first = summary["expiring"]["first_at"]
    nxt = summary["next_tier"]
    progress = None
    if nxt:
        current, threshold = decimal.Decimal(nxt["current"]), decimal.Decimal(nxt["threshold"])
        progress = {"ratio": min(1, current / threshold) if threshold > 0 else 1,
                    "current": current, "threshold": threshold,
                    "missing": decimal.Decimal(nxt["missing"])}
    return render_template(
        "loyalty/member_panel.html", s=summary, entries=entries, progress=progress,
        expiring_first=dt.datetime.fromisoformat(first) if first else None,
        kinds=dict(ENTRY_KINDS), sources=dict(SOURCE_TYPES),
        ledger_url=url_for("PointsLedgerView.list", _flt_0_member_id=member_id),
        adjust_url=url_for("PointsAdjustmentView.add", member_id=member_id)
        if has_permission("loyalty.adjust_points") else None)
