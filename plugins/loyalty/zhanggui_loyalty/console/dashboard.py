"""The dashboard tile: points issued, redeemed and expired per month (last 12 months).

Months are calendar months in the program's time zone.  *Issued* is what purchases
and member events earned (pending points included, counted when earned, not again
when they unlock) plus positive manual adjustments; *redeemed* and *expired* are
the points those entries took.

Summing a ledger of millions of entries on every dashboard view would take seconds,
so the figures are cached per month in :class:`~zhanggui_loyalty.models.PointsMonth`:
the job ``loyalty.refresh_points_chart`` recomputes the current and the previous month
every ten minutes and all twelve months nightly (an expiry or a late entry can land in
an earlier month); a month missing from the cache is computed when shown.  The
figures are therefore up to ten minutes old.
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask_babel import get_locale
from babel.dates import format_skeleton
from peewee import Case, fn

from zhanggui import WidgetData, _, format_number, utcnow, write_transaction

from ..ledger.postings import program_settings
from ..models import PointsLedgerEntry, PointsMonth

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


def refresh_months(months: int = 2, now: dt.datetime | None = None) -> int:
    """Recompute the cached figures of the last ``months`` months; return how many."""
    now = now or utcnow()
    rows = monthly_points(now, months=months)
    with write_transaction():
        PointsMonth.delete().where(PointsMonth.month.in_([r[0] for r in rows])).execute()
        PointsMonth.insert_many([{"month": m, "issued": i, "redeemed": r, "expired": e,
                                  "refreshed_at": now} for m, i, r, e in rows]).execute()
    return len(rows)


def cached_points(now: dt.datetime | None = None) -> list[tuple[dt.date, int, int, int]]:
    """The chart's twelve months from the cache, computing any month not cached yet."""
    now = now or utcnow()
    timezone = program_settings().timezone
    tz = ZoneInfo(timezone)
    wanted = [s.astimezone(tz).date() for s in month_starts(now, timezone)[:-1]]
    cached = {p.month: (p.month, p.issued, p.redeemed, p.expired)
              for p in PointsMonth.select().where(PointsMonth.month.in_(wanted))}
    out = []
    for index, month in enumerate(wanted):
        if month in cached:
            out.append(cached[month])
        else:  # not refreshed yet (a new install): that month alone, now
            middle = dt.datetime(month.year, month.month, 15, tzinfo=tz)
            out.append(monthly_points(middle, timezone, months=1)[0])
    return out


def points_tile() -> WidgetData:
    rows = cached_points()
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
