"""Grading counters: variables per counter and period, criteria, standings.

* **Variables** (per counter and period, both days included): ``sales`` (net of
  refunds), ``gross_sales``, ``refunds``, ``target`` (the monthly target × months),
  ``return_rate`` (refunds ÷ gross sales), ``promoters`` (working on the last day),
  ``promoters_left`` (left during the period), ``staff_turnover`` (left ÷ working on
  the first day), ``statements_on_time`` (share of the counter's statements of the
  year before the period's end approved within 15 days of their month's end; 1 when
  there are none), plus whatever ``zhanggui_counter_score_variables`` gives
  (``complaints``, ``promotions_joined``...).  A ratio with nothing under it is 0.
* **Criteria**: each formula is evaluated (:mod:`.expr`) and clamped to 0..max score;
  its share is value ÷ max × weight.  Active weights must add up to 100.  A criterion
  naming a variable the period lacks is *skipped* and the others' weights are scaled
  up to 100; if every criterion is skipped the counter is not graded.  A formula that
  overflows scores 0.  The score is rounded half up to 0.01.
* **Standings** cover 0–100 without gaps or overlaps; ``min ≤ score < max`` (100
  belongs to the top one).  The consequence *block renewal* stops
  :class:`~zhanggui_suppliers.contracts.service.RenewContract`; *warn* and *block
  renewal* grades leave a reminder for the supplier's responsible role.
"""
from __future__ import annotations

import datetime as dt
import json
import smtplib
from decimal import ROUND_HALF_UP, Decimal

from flask import current_app

from zhanggui import _, database, plugins, utcnow, write_transaction

from ..counters.models import Counter, Promoter
from ..counters.sales import sales_between, totals
from ..errors import SupplierError
from ..settlement.calc import month_bounds
from .expr import MISSING, FormulaError, evaluate, parse
from .models import CONSEQUENCES, CounterScore, Criterion, Standing

HUNDRED = Decimal(100)


def ratio(top, bottom) -> Decimal:
    return Decimal(0) if not bottom else Decimal(top) / Decimal(bottom)


def builtin_variables(counter: Counter, first: dt.date, last: dt.date, sold=None) -> dict:
    from ..settlement.models import Statement

    gross, back = totals(sold)
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    working = Promoter.select().where((Promoter.counter == counter)
                                      & (Promoter.started_on <= last)
                                      & ((Promoter.left_on.is_null())
                                         | (Promoter.left_on >= first)))
    at_start = sum(1 for p in working if p.started_on <= first)
    left = sum(1 for p in working if p.left_on is not None and p.left_on <= last)
    at_end = sum(1 for p in working if p.left_on is None or p.left_on > last)
    year_ago = last - dt.timedelta(days=365)
    statements = list(Statement.select().where((Statement.counter == counter)
                                               & (Statement.month > year_ago)
                                               & (Statement.month <= last)))
    on_time = sum(1 for s in statements if s.approved_at is not None
                  and s.approved_at.date() <= month_bounds(s.month)[1] + dt.timedelta(days=15))
    return {"sales": gross - back, "gross_sales": gross, "refunds": back,
            "target": (counter.monthly_target or Decimal(0)) * months,
            "return_rate": ratio(back, gross), "promoters": at_end,
            "promoters_left": left, "staff_turnover": ratio(left, at_start),
            "statements_on_time": ratio(on_time, len(statements)) if statements else 1}


def period_variables(counter: Counter, first: dt.date, last: dt.date, sold=None) -> dict:
    variables = builtin_variables(counter, first, last, sold)
    answers = plugins().call_first("zhanggui_counter_score_variables",
                                   counter_code=counter.code, start=first, end=last) or []
    for answer in answers:  # not firstresult: one dict per answering plugin
        for name, value in (answer or {}).items():
            if isinstance(name, str) and name.isidentifier() and name not in variables:
                variables[name] = value
    return variables


def scorecard_errors() -> list[str]:
    """Why the scorecard cannot grade (empty when it can)."""
    errors = []
    criteria = list(Criterion.select().where(Criterion.active == True))  # noqa: E712
    total = sum((c.weight for c in criteria), Decimal(0))
    if total != HUNDRED:
        errors.append(_("The weights of the criteria in use add up to %(total)s, not 100.",
                        total=total))
    for c in criteria:
        try:
            parse(c.formula)
        except FormulaError as exc:
            errors.append(f"{c.code}: {exc}")
    errors.extend(standing_errors(list(Standing.select())))
    return errors


def standing_errors(standings) -> list[str]:
    bands = sorted(standings, key=lambda s: s.min_score)
    if not bands:
        return [_("Define the grades (standings) first.")]
    edges_ok = bands[0].min_score == 0 and bands[-1].max_score == HUNDRED
    joined = all(a.max_score == b.min_score for a, b in zip(bands, bands[1:]))
    ordered = all(s.min_score < s.max_score for s in bands)
    if not (edges_ok and joined and ordered):
        return [_("The grades must cover scores 0 to 100 without gaps or overlaps.")]
    return []


def score_of(criteria, variables: dict) -> tuple[Decimal | None, list[dict]]:
    """The weighted score of ``variables`` under ``criteria`` and each criterion's part."""
    parts, used_weight, earned = [], Decimal(0), Decimal(0)
    for c in criteria:
        value = evaluate(parse(c.formula), variables)
        if value is MISSING:
            parts.append({"code": c.code, "skipped": True})
            continue
        top = Decimal(c.max_score) if c.max_score and c.max_score > 0 else HUNDRED
        clamped = min(max(value if value is not None else Decimal(0), Decimal(0)), top)
        parts.append({"code": c.code, "value": str(value) if value is not None else None,
                      "clamped": str(clamped), "weight": str(c.weight)})
        used_weight += Decimal(c.weight)
        earned += clamped / top * Decimal(c.weight)
    if used_weight <= 0:
        return None, parts
    score = (earned * HUNDRED / used_weight).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return min(max(score, Decimal(0)), HUNDRED), parts


def standing_for(score: Decimal | None, standings) -> Standing | None:
    if score is None:
        return None
    for s in sorted(standings, key=lambda s: s.min_score):
        if s.min_score <= score < s.max_score or (score == s.max_score == HUNDRED):
            return s
    return None


def grade_month(month: dt.date) -> int:
    """Grade every open counter for ``month`` (rewrites that month's grades)."""
    problems = scorecard_errors()
    if problems:
        raise SupplierError({"scorecard": problems})
    first, last = month_bounds(month)
    criteria = list(Criterion.select().where(Criterion.active == True)  # noqa: E712
                    .order_by(Criterion.code))
    standings = list(Standing.select())
    counters = list(Counter.select().where((Counter.closed_on.is_null())
                                           | (Counter.closed_on >= first)))
    sold = sales_between([c.code for c in counters], first, last)
    for counter in counters:
        variables = period_variables(counter, first, last, sold.get(counter.code))
        score, parts = score_of(criteria, variables)
        standing = standing_for(score, standings)
        row = dict(supplier=counter.supplier_id, store_code=counter.store_code,
                   period_end=last, score=score,
                   grade=standing.grade if standing else None,
                   colour=standing.colour if standing else None,
                   consequence=standing.consequence if standing else "none",
                   variables=json.dumps({k: str(v) for k, v in variables.items()}),
                   details=json.dumps(parts), graded_at=utcnow())
        with write_transaction():
            updated = (CounterScore.update(**row)
                       .where((CounterScore.counter == counter)
                              & (CounterScore.period_start == first)).execute())
            if not updated:
                CounterScore.create(counter=counter, period_start=first, **row)
            if standing is not None and standing.consequence != "none":
                try:
                    with database.atomic():
                        _notify(counter, first, standing)
                except (OSError, smtplib.SMTPException):  # the grade stands; no notice
                    current_app.logger.warning("grade notice mail failed for %s", counter.code)
    return len(counters)


def _notify(counter: Counter, first: dt.date, standing: Standing) -> None:
    """A *warn* or *block renewal* grade is a reminder (once per counter and month)
    for the supplier's responsible role."""
    from ..reminders.service import remind

    score = CounterScore.get((CounterScore.counter == counter)
                             & (CounterScore.period_start == first))
    role = counter.supplier.owner_role if counter.supplier_id else "Buyer"
    month = first.strftime("%Y-%m")
    subject = _("Counter %(counter)s was graded %(grade)s for %(month)s",
                counter=counter.code, grade=standing.grade, month=month)
    remind("grade", score.id, [0], role, counter.store_code, subject, first,
           str(dict(CONSEQUENCES).get(standing.consequence, "")))


def grade_previous_month(today: dt.date | None = None) -> int:
    today = today or dt.date.today()
    return grade_month((today.replace(day=1) - dt.timedelta(days=1)).replace(day=1))


def renewal_block(counter_id) -> str | None:
    """The grade blocking renewal of the counter's contracts, if its latest does."""
    latest = (CounterScore.select().where(CounterScore.counter == counter_id)
              .order_by(CounterScore.period_start.desc()).first())
    if latest is not None and latest.consequence == "block_renewal":
        return latest.grade
    return None
