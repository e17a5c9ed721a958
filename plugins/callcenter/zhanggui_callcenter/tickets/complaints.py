"""Complaints per counter (专柜), for the suppliers' counter scoring."""
from __future__ import annotations

import datetime as dt

from peewee import fn

from .models import Ticket


def complaints_per_counter(counter_codes: list[str], start: dt.datetime,
                           end: dt.datetime) -> dict[str, int]:
    """Complaint tickets opened in ``[start, end)`` per counter; merged duplicates
    are not counted."""
    codes = [str(c) for c in counter_codes or []]
    if not codes:
        return {}
    rows = (Ticket.select(Ticket.counter_code, fn.COUNT(Ticket.id).alias("n"))
            .where((Ticket.kind == "complaint") & (Ticket.status != "merged")
                   & Ticket.counter_code.in_(codes)
                   & (Ticket.created_at >= start) & (Ticket.created_at < end))
            .group_by(Ticket.counter_code).tuples())
    return {code: n for code, n in rows}
