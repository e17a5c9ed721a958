"""How many points a purchase earns: the earning rules, in one documented order.

:func:`calculate` is pure (no database): it takes the purchase, the rules in force,
the member's tier multiplier, birthday and campaign bonuses, and returns the
breakdown.  The order, for every purchase with a member:

1. **Rules in force**: active rules whose ``starts_on``/``ends_on`` (inclusive, in
   the program's time zone) contain the purchase's local date.
2. **Base rule**: the first base rule by ``sequence`` (then code).  None in force:
   no base points (campaign bonuses may still apply).
3. **Exclusions**: lines in the base rule's excluded categories earn nothing.  The
   money paid with excluded payment methods (gift cards, coupons, points...) is
   taken off the remaining lines in proportion to their amounts.
4. **Minimum spend**: when the eligible amount (after step 3) is below the base
   rule's ``min_spend``, no line earns base points.
5. **Base points per line**: ``eligible amount / unit_amount * points_per_unit``,
   kept exact (no rounding yet).
6. **Line multiplier**: the most specific multiplier rule matching the line wins,
   SKU before counter before category; between rules of the same specificity, the
   first by ``sequence``.  Multipliers of different rules are not compounded.
7. **Tier multiplier**: the member's tier before this purchase.
8. **Birthday multiplier**: the first birthday rule whose scope (the day, or the
   month) contains the purchase's local date.
9. **Rounding**: each line is rounded *down* to whole points after all its
   multipliers (a line never earns a fraction, and rounding never gives away points).
10. **Campaign bonuses** from other plugins (hook ``zhanggui_points_bonus``) are
    added last, as whole points, and are not multiplied.
"""
from __future__ import annotations

import datetime as dt
import decimal
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence
from zoneinfo import ZoneInfo

D = decimal.Decimal
ZERO = D("0")
ONE = D("1")
SPECIFICITY = {"sku": 0, "counter": 1, "category": 2}


def split_codes(text: str | None) -> set[str]:
    """``"gift_card, coupon"`` -> ``{"gift_card", "coupon"}``."""
    return {part.strip() for part in (text or "").replace("，", ",").split(",") if part.strip()}


@dataclass(frozen=True)
class LinePoints:
    line_id: Any
    amount: D              # the line's money
    eligible: D            # after exclusions
    base: D                # exact base points
    line_multiplier: D
    line_rule: str | None
    points: int            # after every multiplier, rounded down

    def as_dict(self) -> dict:
        return {"line": str(self.line_id), "amount": str(self.amount),
                "eligible": str(self.eligible), "base": str(self.base),
                "multiplier": str(self.line_multiplier), "rule": self.line_rule,
                "points": self.points}


@dataclass(frozen=True)
class Calculation:
    """What a purchase earns, line by line, and why."""

    lines: tuple[LinePoints, ...]
    base_rule: str | None
    tier_multiplier: D
    birthday_rule: str | None
    birthday_multiplier: D
    bonuses: tuple[tuple[str, int, str], ...]   # (name, points, reason)
    eligible_amount: D
    below_min_spend: bool
    total_amount: D
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def line_points(self) -> int:
        return sum(line.points for line in self.lines)

    @property
    def bonus_points(self) -> int:
        return sum(points for _, points, _ in self.bonuses)

    @property
    def points(self) -> int:
        return self.line_points + self.bonus_points

    def as_dict(self) -> dict:
        return {"points": self.points, "line_points": self.line_points,
                "bonus_points": self.bonus_points, "total_amount": str(self.total_amount),
                "eligible_amount": str(self.eligible_amount),
                "below_min_spend": self.below_min_spend, "base_rule": self.base_rule,
                "tier_multiplier": str(self.tier_multiplier),
                "birthday_rule": self.birthday_rule,
                "birthday_multiplier": str(self.birthday_multiplier),
                "lines": [line.as_dict() for line in self.lines],
                "bonuses": [{"name": n, "points": p, "reason": r} for n, p, r in self.bonuses]}


def local_date(when: dt.datetime, timezone: str) -> dt.date:
    return when.astimezone(ZoneInfo(timezone)).date()


def rules_in_force(rules: Iterable[Any], on: dt.date) -> list[Any]:
    """Active rules whose date range holds ``on``, by sequence then code."""
    chosen = [r for r in rules if r.active and (r.starts_on is None or r.starts_on <= on)
              and (r.ends_on is None or on <= r.ends_on)]
    return sorted(chosen, key=lambda r: (r.sequence, r.code))


def is_birthday(birthday: dt.date | None, on: dt.date, scope: str) -> bool:
    if birthday is None:
        return False
    if scope == "month":
        return birthday.month == on.month
    if birthday.month == 2 and birthday.day == 29 and not _leap(on.year):
        return on.month == 2 and on.day == 28  # celebrated on the 28th in common years
    return (birthday.month, birthday.day) == (on.month, on.day)


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _line_multiplier(line: Any, multipliers: Sequence[Any]) -> tuple[D, str | None]:
    best = None
    for rule in multipliers:
        value = {"sku": line.sku, "counter": line.counter,
                 "category": line.category}.get(rule.match_field)
        if value is None or value not in split_codes(rule.match_values):
            continue
        rank = SPECIFICITY[rule.match_field]
        if best is None or rank < best[0]:
            best = (rank, rule)
    if best is None:
        return ONE, None
    return D(best[1].multiplier), best[1].code


def calculate(purchase: Any, rules: Iterable[Any], *, timezone: str = "Asia/Shanghai",
              tier_multiplier: D = ONE, birthday: dt.date | None = None,
              bonuses: Iterable[Any] = ()) -> Calculation:
    """The points ``purchase`` (a :class:`zhanggui.PurchaseEvent`) earns; see module doc."""
    on = local_date(purchase.occurred_at, timezone)
    in_force = rules_in_force(rules, on)
    base = next((r for r in in_force if r.kind == "base"), None)
    multipliers = [r for r in in_force if r.kind == "multiplier"]
    birthday_rule = next((r for r in in_force if r.kind == "birthday"
                          and is_birthday(birthday, on, r.birthday_scope)), None)
    birthday_multiplier = D(birthday_rule.multiplier) if birthday_rule else ONE
    tier_multiplier = D(tier_multiplier)
    total = sum((D(line.amount) for line in purchase.lines), ZERO)

    excluded_categories = split_codes(base.excluded_categories) if base else set()
    excluded_methods = split_codes(base.excluded_payment_methods) if base else set()
    kept = [line for line in purchase.lines if line.category not in excluded_categories]
    kept_amount = sum((D(line.amount) for line in kept), ZERO)
    excluded_paid = sum((D(p.amount) for p in purchase.payments if p.method in excluded_methods),
                        ZERO)
    # money paid by excluded methods comes off the kept lines, in proportion
    ratio = ZERO if kept_amount <= 0 else max(ZERO, (kept_amount - min(excluded_paid,
                                                                       kept_amount)) / kept_amount)
    eligible_amount = (kept_amount * ratio).quantize(D("0.01"), decimal.ROUND_DOWN)
    below_min = base is not None and eligible_amount < D(base.min_spend)

    lines = []
    for line in purchase.lines:
        amount = D(line.amount)
        eligible = amount * ratio if line in kept else ZERO
        if base is None or below_min or D(base.unit_amount) <= 0:
            base_points = ZERO
        else:
            base_points = eligible / D(base.unit_amount) * D(base.points_per_unit)
        multiplier, rule_code = _line_multiplier(line, multipliers)
        exact = base_points * multiplier * tier_multiplier * birthday_multiplier
        points = int(exact.to_integral_value(rounding=decimal.ROUND_FLOOR)) if exact > 0 else 0
        lines.append(LinePoints(line.line_id, amount, eligible.quantize(D("0.0001")),
                                base_points.quantize(D("0.0001")), multiplier, rule_code,
                                points))
    bonus_rows = tuple((b.name, int(b.points), str(getattr(b, "reason", "") or ""))
                       for b in bonuses if int(b.points) > 0)
    return Calculation(lines=tuple(lines), base_rule=base.code if base else None,
                       tier_multiplier=tier_multiplier,
                       birthday_rule=birthday_rule.code if birthday_rule else None,
                       birthday_multiplier=birthday_multiplier, bonuses=bonus_rows,
                       eligible_amount=eligible_amount, below_min_spend=below_min,
                       total_amount=total)


def reversal_target(earned: dict, state: dict, refund: Any) -> tuple[int, dict]:
    """How many of a purchase's points its refunds so far take back, cumulatively.

    ``earned`` is the earn entry's breakdown (``{"lines": [{"line", "amount",
    "points"}], "bonus_points", "total_amount"}``); ``state`` the cumulative
    refunded money so far (``{"lines": {line_id: amount}, "amount": by-amount money,
    "reversed": points}``); ``refund`` a :class:`zhanggui.RefundEvent`.

    * A refund naming lines takes back each named line's points in proportion to the
      line's money refunded so far, and the bonus in proportion to all money refunded.
    * A refund by amount takes back all the purchase's points in proportion; so does a
      refund naming lines of an earn entry itemised per purchase (one line ``"all"``,
      as the demo writes them).
    * Rounding is half-up on the cumulative figure, so partial refunds that add up to
      the whole purchase take back exactly what it earned, never more.

    Returns ``(points to reverse now, new state)``.
    """
    total_amount = D(earned.get("total_amount") or "0")
    line_info = {str(ln["line"]): (D(ln["amount"]), int(ln["points"]))
                 for ln in earned.get("lines", [])}
    everything = sum(p for _, p in line_info.values()) + int(earned.get("bonus_points", 0))
    by_line = {k: D(v) for k, v in (state.get("lines") or {}).items()}
    by_amount = D(state.get("amount") or "0")
    reversed_before = int(state.get("reversed", 0))
    if refund.lines:
        for line_id, amount in refund.lines:
            key = str(line_id)
            if key not in line_info and "all" in line_info:
                # an earn itemised per purchase, not per line (the demo's): by amount
                by_amount += D(amount)
                continue
            cap = line_info.get(key, (D(amount), 0))[0]
            by_line[key] = min(cap, by_line.get(key, ZERO) + D(amount))
    else:
        by_amount += D(refund.amount)
    line_money = sum(by_line.values(), ZERO)
    exact = ZERO
    for key, refunded in by_line.items():
        amount, points = line_info.get(key, (ZERO, 0))
        if amount > 0:
            exact += D(points) * refunded / amount
    if total_amount > 0:
        exact += D(int(earned.get("bonus_points", 0))) * min(ONE, line_money / total_amount)
        exact += D(everything) * min(ONE, by_amount / total_amount)
    target = int(exact.to_integral_value(rounding=decimal.ROUND_HALF_UP))
    if total_amount > 0 and line_money + by_amount >= total_amount:
        target = everything
    target = max(reversed_before, min(everything, target))
    new_state = {"lines": {k: str(v) for k, v in by_line.items()}, "amount": str(by_amount),
                 "reversed": target}
    return target - reversed_before, new_state
