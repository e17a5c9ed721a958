"""Counter sales through ``zhanggui_counter_sales`` (answered by the members plugin).

Days are local days of the chain's time zone (the ``TIMEZONE`` setting): a month runs
from its first local midnight to the next month's.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import current_app

from zhanggui import plugins


def chain_timezone() -> ZoneInfo:
    return ZoneInfo(current_app.extensions["zhanggui"].settings.get("TIMEZONE")
                    or "Asia/Shanghai")


def local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), chain_timezone())


def sales_between(codes: list[str], first: dt.date, last: dt.date) -> dict:
    """``{code: {"sales": {cat: Decimal}, "refunds": {cat: Decimal}}}`` for the local
    days ``first``..``last`` (both included); counters without sales are absent."""
    answer = plugins().call_first("zhanggui_counter_sales", counter_codes=list(codes),
                                  start=local_midnight(first),
                                  end=local_midnight(last + dt.timedelta(days=1)))
    return answer or {}


def totals(entry: dict | None) -> tuple[Decimal, Decimal]:
    entry = entry or {}
    return (sum(entry.get("sales", {}).values(), Decimal(0)),
            sum(entry.get("refunds", {}).values(), Decimal(0)))
