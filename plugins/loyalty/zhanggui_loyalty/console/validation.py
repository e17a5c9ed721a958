"""What makes an earning rule, a tier or a member event acceptable (no Flask in sight).

Each ``*_problems`` function takes the record as it would be saved and returns
``{field name: [messages]}`` (empty: acceptable).  The console editors show them on
the form; nothing is saved while there is one.

Earning rules
  * amounts, rates and multipliers are not negative; the base rate's "per amount" is
    above zero; a date range does not end before it starts;
  * two active **base** rules, or two active **birthday** rules, may not be in force
    on the same day (overlapping date ranges; an open end counts as forever): only
    the first by sequence would ever apply, which is never what head office meant;
  * two active **multiplier** rules on the same field may not name the same value on
    overlapping dates;
  * categories (excluded categories, a category multiplier's values) must be known,
    when any plugin answers ``zhanggui_product_categories``; with no answer every
    category is accepted.

Tiers
  * threshold, multiplier, parking hours are not negative; windows are at least a day;
  * among active tiers qualifying on the same number, a higher rank needs a higher
    threshold than the tier below it and a lower one than the tier above.

Program settings
  * days and periods are not negative; "after N days" needs N of at least one; the time
    zone exists.

Member events
  * the end is after the start; places at least one; points not negative; neither
    above a million; the tiers allowed are existing tier codes.
"""
from __future__ import annotations

import datetime as dt
import decimal
from typing import Any, Iterable

from zhanggui import _, format_number, plugins

from ..rules.calculation import split_codes

D = decimal.Decimal
FOREVER_START, FOREVER_END = dt.date.min, dt.date.max
MAX_EVENT_NUMBER = 1_000_000   # places or attendance points: beyond is a typo


def _add(errors: dict, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _number(value: Any) -> D | None:
    try:
        return D(str(value)) if value is not None and value != "" else None
    except decimal.InvalidOperation:
        return None


def _not_negative(errors: dict, item: Any, fields: Iterable[str]) -> None:
    for field in fields:
        value = _number(getattr(item, field, None))
        if value is not None and value < 0:
            _add(errors, field, _("Must not be negative."))


def _overlap(a: Any, b: Any) -> bool:
    a0, a1 = a.starts_on or FOREVER_START, a.ends_on or FOREVER_END
    b0, b1 = b.starts_on or FOREVER_START, b.ends_on or FOREVER_END
    return a0 <= b1 and b0 <= a1


def known_categories() -> set[str] | None:
    """Every category code some plugin knows, or ``None`` when no plugin answers."""
    answers = plugins().collect_by_plugin("zhanggui_product_categories")
    return {str(code) for codes in answers.values() for code in codes} or None


def rule_problems(rule: Any, others: Iterable[Any],
                  categories: set[str] | None = None) -> dict[str, list[str]]:
    """Problems of earning ``rule`` given the ``others`` rules already saved."""
    errors: dict[str, list[str]] = {}
    _not_negative(errors, rule, ("points_per_unit", "min_spend", "multiplier"))
    if rule.kind == "base":
        unit = _number(rule.unit_amount)
        if unit is None or unit <= 0:
            _add(errors, "unit_amount", _("Give an amount above zero, e.g. 1.00."))
    if rule.starts_on and rule.ends_on and rule.ends_on < rule.starts_on:
        _add(errors, "ends_on", _("The rule cannot end before it starts."))
    if rule.kind == "multiplier":
        if not rule.match_field:
            _add(errors, "match_field", _("Choose what the multiplier applies to."))
        if not split_codes(rule.match_values):
            _add(errors, "match_values", _("Name at least one value."))
    if rule.active and "ends_on" not in errors:
        for other in others:
            if other.id == rule.id or not other.active or other.kind != rule.kind:
                continue
            if not _overlap(rule, other):
                continue
            if rule.kind in ("base", "birthday"):
                _add(errors, "starts_on",
                     _("The dates overlap with rule %(code)s; only one rule of this kind "
                       "can be in force on a day.", code=other.code))
                break
            shared = split_codes(rule.match_values) & split_codes(other.match_values)
            if other.match_field == rule.match_field and shared:
                _add(errors, "match_values",
                     _("Rule %(code)s already multiplies %(values)s on overlapping dates.",
                       code=other.code, values=", ".join(sorted(shared))))
                break
    if categories is not None:
        unknown = split_codes(rule.excluded_categories) - categories
        if unknown:
            _add(errors, "excluded_categories",
                 _("Unknown category: %(names)s.", names=", ".join(sorted(unknown))))
        if rule.kind == "multiplier" and rule.match_field == "category":
            unknown = split_codes(rule.match_values) - categories
            if unknown:
                _add(errors, "match_values",
                     _("Unknown category: %(names)s.", names=", ".join(sorted(unknown))))
    return errors


def tier_problems(tier: Any, others: Iterable[Any]) -> dict[str, list[str]]:
    """Problems of ``tier`` given the ``others`` tiers already saved."""
    errors: dict[str, list[str]] = {}
    _not_negative(errors, tier, ("threshold", "points_multiplier", "parking_hours"))
    for field in ("window_days", "inactivity_days"):
        value = getattr(tier, field, None)
        if value is not None and int(value) < 1:
            _add(errors, field, _("Give at least one day."))
    threshold = _number(tier.threshold)
    if tier.active and threshold is not None and tier.rank is not None:
        peers = [t for t in others if t.id != tier.id and t.active
                 and t.qualify_by == tier.qualify_by]
        below = [t for t in peers if t.rank < tier.rank]
        above = [t for t in peers if t.rank > tier.rank]
        if below:
            lower = max(below, key=lambda t: t.rank)
            if threshold <= D(lower.threshold):
                _add(errors, "threshold",
                     _("The threshold must be above that of the tier below, %(name)s "
                       "(%(value)s).", name=lower.name, value=lower.threshold))
        if above:
            upper = min(above, key=lambda t: t.rank)
            if threshold >= D(upper.threshold):
                _add(errors, "threshold",
                     _("The threshold must be below that of the tier above, %(name)s "
                       "(%(value)s).", name=upper.name, value=upper.threshold))
    return errors


def event_problems(event: Any, tier_codes: set[str]) -> dict[str, list[str]]:
    """Problems of a member ``event``; ``tier_codes`` are the tiers that exist."""
    errors: dict[str, list[str]] = {}
    if event.starts_at and event.ends_at and event.ends_at <= event.starts_at:
        _add(errors, "ends_at", _("The event must end after it starts."))
    if event.capacity is None or int(event.capacity) < 1:
        _add(errors, "capacity", _("Give at least one place."))
    elif int(event.capacity) > MAX_EVENT_NUMBER:
        _add(errors, "capacity", _("At most %(n)s.", n=format_number(MAX_EVENT_NUMBER)))
    if event.attendance_points is not None and int(event.attendance_points) < 0:
        _add(errors, "attendance_points", _("Must not be negative."))
    elif event.attendance_points is not None and int(event.attendance_points) > MAX_EVENT_NUMBER:
        _add(errors, "attendance_points", _("At most %(n)s.", n=format_number(MAX_EVENT_NUMBER)))
    unknown = split_codes(event.allowed_tiers) - tier_codes
    if unknown:
        _add(errors, "allowed_tiers",
             _("Unknown tier: %(codes)s.", codes=", ".join(sorted(unknown))))
    return errors


def settings_problems(settings: Any) -> dict[str, list[str]]:
    """Problems of the program settings (return window, expiry, time zone)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    errors: dict[str, list[str]] = {}
    for field in ("pending_days", "expiry_period", "expiry_notice_days"):
        value = getattr(settings, field, None)
        if value is not None and int(value) < 0:
            _add(errors, field, _("Must not be negative."))
    if settings.expiry_policy == "after_days" and int(settings.expiry_period or 0) < 1:
        _add(errors, "expiry_period", _("Give at least one day."))
    try:
        ZoneInfo(str(settings.timezone))
    except (ZoneInfoNotFoundError, ValueError):
        _add(errors, "timezone", _("Unknown time zone, e.g. Asia/Shanghai."))
    return errors
