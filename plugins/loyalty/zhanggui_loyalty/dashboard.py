"""The dashboard tile: points issued, redeemed and expired per month (last 12 months).

Months are calendar months in the program's time zone.  *Issued* is what purchases
and member events earned (pending points included, counted when earned, not again
when they unlock) plus positive manual adjustments; *redeemed* and *expired* are
the points those entries took.  One query per month over the ledger's time index.
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask_babel import get_locale
from babel.dates import format_skeleton
from peewee import Case, fn

from zhanggui import WidgetData, _, format_number, utcnow

from .ledger import program_settings
from .models import PointsLedgerEntry

MONTHS = 12


def month_starts(now: dt.datetime, timezone: str, months: int = MONTHS) -> list[dt.datetime]:
    """The local starts of the last ``months`` months and of the next one, as UTC."""
    tz = ZoneInfo(timezone)
    local = now.astimezone(tz)
    index = local.year * 12 + local.month - 1
    return [dt.datetime(i // 12, i % 12 + 1, 1, tzinfo=tz).astimezone(dt.timezone.utc)
            for i in range(index - months + 1, index + 2)]


def monthly_points(now: dt.datetime | None = None, timezone: str | None = None,
                   months: int = MONTHS) -> list[tuple[dt.date, int, int, int]]:
    """``(month, issued, redeemed, expired)`` for each of the last ``months`` months."""
    E = PointsLedgerEntry
    timezone = timezone or program_settings().timezone
    starts = month_starts(now or utcnow(), timezone, months)
    issued = fn.SUM(Case(None, [((E.kind == "earn"), E.points + E.pending_points),
                                (((E.kind == "adjust") & (E.points > 0)), E.points)], 0))
    redeemed = fn.SUM(Case(None, [((E.kind == "redeem"), 0 - E.points)], 0))
    expired = fn.SUM(Case(None, [((E.kind == "expire"), 0 - E.points)], 0))
    out = []
    for start, end in zip(starts, starts[1:]):
        row = (E.select(issued, redeemed, expired)
               .where((E.occurred_at >= start) & (E.occurred_at < end)).tuples().first())
        out.append((start.astimezone(ZoneInfo(timezone)).date(),
                    *(int(v or 0) for v in (row or (0, 0, 0)))))
    return out


def points_tile() -> WidgetData:
    rows = monthly_points()
    locale = get_locale()
    labels = [format_skeleton("yMMM", month, locale=locale) for month, *_rest in rows]
    tag = "-".join(p for p in (locale.language, locale.territory) if p) if locale else "zh-CN"
    this_month = rows[-1][1] if rows else 0
    return WidgetData(
        value=format_number(this_month),
        caption=_("points issued this month"),
        chart={"type": "bar", "labels": labels,
               "datasets": [{"label": _("Issued"), "data": [r[1] for r in rows]},
                            {"label": _("Redeemed"), "data": [r[2] for r in rows]},
                            {"label": _("Expired"), "data": [r[3] for r in rows]}],
               # Chart.js formats tick and tooltip numbers with Intl in this locale
               "options": {"locale": tag}})
