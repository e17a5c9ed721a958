"""Expense claims: create, submit for approval, budgets, recurring generation.

* :class:`CreateClaim` checks every field and line (field messages keyed
  ``lines[0].amount``) and writes the claim as a draft.
* :class:`SubmitClaim` locks the claim, checks the department's budget for the
  month and asks for an approval of kind ``office.expense`` through
  ``zhanggui_request_approval`` (the office's own approvals answer); the claim
  follows the decision in ``zhanggui_approval_decided`` (:func:`follow_decision`).
* :func:`generate_recurring` writes this week's / month's claim of every active
  recurring expense and submits it; ``(recurring, period)`` is unique, so running
  it twice (two workers, a retry) writes each period's claim once.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import peewee

from zhanggui import _, database, parse_input_date, plugins, utcnow, write_transaction
from zhanggui.db import backend

from .. import people
from .models import DepartmentBudget, ExpenseCategory, ExpenseClaim, ExpenseLine, RecurringExpense

KIND = "office.expense"
MAX_LINES = 50
MAX_AMOUNT = Decimal("100000000")
CURRENCY = re.compile(r"^[A-Z]{3}$")


class ExpenseError(ValueError):
    """Refused; ``messages`` maps a field to its messages.  Nothing was changed."""

    def __init__(self, messages: dict[str, list[str]]):
        super().__init__("; ".join(" ".join(v) for v in messages.values()))
        self.messages = messages


def _text(value, limit: int) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not value or len(value) > limit or any(ord(c) < 32 for c in value):
        return None
    return value


def parse_amount(value) -> Decimal | None:
    if isinstance(value, (bool, float)) or value is None:
        return None
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    if not amount.is_finite() or amount <= 0 or amount >= MAX_AMOUNT \
            or amount != amount.quantize(Decimal("0.01")):
        return None
    return amount.quantize(Decimal("0.01"))


def parse_day(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return None
    if isinstance(value, dt.date):
        day = value
    else:
        day = parse_input_date(value)    # 2026-12-01 or, as Taiwan writes it, 2026/12/01
        if day is None:
            return None
    if not dt.date(2000, 1, 1) <= day <= dt.date.today() + dt.timedelta(days=1):
        return None
    return day


def month_of(day: dt.date | dt.datetime) -> str:
    return f"{day.year:04d}-{day.month:02d}"


@dataclass
class CreateClaim:
    claimant_id: Any
    store_code: Any
    department: Any
    title: Any
    lines: Any
    currency: Any = "CNY"
    stores: set | None = None          # the stores the acting user may reach (None: all)

    def validate(self) -> dict:
        messages: dict[str, list[str]] = {}
        store = _text(self.store_code, 32)
        if store is None:
            messages["store_code"] = [_("Give the store's code.")]
        elif self.stores is not None and store not in self.stores:
            messages["store_code"] = [_("You do not work for this store.")]
        department = _text(self.department, 60)
        if department is None:
            messages["department"] = [_("Give the department (at most 60 characters).")]
        title = _text(self.title, 200)
        if title is None:
            messages["title"] = [_("Give a title of at most 200 characters.")]
        if not isinstance(self.currency, str) or not CURRENCY.match(self.currency):
            messages["currency"] = [_("Give a currency code such as CNY.")]
        if not people.is_active(self.claimant_id):
            messages["claimant"] = [_("The claimant must be an active user.")]
        lines = []
        if not isinstance(self.lines, list) or not 1 <= len(self.lines) <= MAX_LINES:
            messages["lines"] = [_("Give between 1 and %(n)s lines.", n=MAX_LINES)]
        else:
            codes = {c.code: c for c in ExpenseCategory.select()}
            for i, line in enumerate(self.lines):
                key = f"lines[{i}]"
                if not isinstance(line, dict):
                    messages[key] = [_("A line is an object.")]
                    continue
                category = codes.get(line.get("category")) \
                    if isinstance(line.get("category"), str) else None
                description = _text(line.get("description"), 200)
                amount = parse_amount(line.get("amount"))
                day = parse_day(line.get("spent_on"))
                if category is None:
                    messages[f"{key}.category"] = [_("No expense category has this code.")]
                if description is None:
                    messages[f"{key}.description"] = [_("Say what was bought (at most 200 "
                                                        "characters).")]
                if amount is None:
                    messages[f"{key}.amount"] = [_("Give an amount above zero with at most "
                                                   "two decimals.")]
                if day is None:
                    messages[f"{key}.spent_on"] = [_("Give the day of the expense "
                                                     "(YYYY-MM-DD, not in the future).")]
                lines.append((category, description, amount, day))
        if messages:
            raise ExpenseError(messages)
        return {"store": store, "department": department, "title": title, "lines": lines}

    def run(self, recurring=None, period=None) -> ExpenseClaim:
        data = self.validate()
        with write_transaction():
            claim = ExpenseClaim.create(
                number=f"EX{utcnow():%Y%m%d}-{uuid.uuid4().hex[:8].upper()}",
                store_code=data["store"], department=data["department"], title=data["title"],
                claimant_id=int(self.claimant_id),
                claimant_name=people.user_name(self.claimant_id), currency=self.currency,
                total=sum(line[2] for line in data["lines"]), recurring=recurring,
                period=period)
            for category, description, amount, day in data["lines"]:
                ExpenseLine.create(claim=claim, category=category, description=description,
                                   amount=amount, spent_on=day)
        return claim


def lock_claim(claim_id) -> ExpenseClaim:
    query = ExpenseClaim.select().where(ExpenseClaim.id == claim_id)
    if backend(database) != "sqlite":
        query = query.for_update()
    claim = query.first()
    if claim is None:
        raise ExpenseError({"claim": [_("No such expense claim.")]})
    return claim


def budget_left(department: str, period: str, currency: str) -> Decimal | None:
    """The department's budget for the month less its submitted and approved claims;
    ``None`` when it has no budget for that month."""
    budget = DepartmentBudget.get_or_none((DepartmentBudget.department == department)
                                          & (DepartmentBudget.period == period)
                                          & (DepartmentBudget.currency == currency))
    if budget is None:
        return None
    start = dt.datetime(int(period[:4]), int(period[5:]), 1, tzinfo=dt.timezone.utc)
    end = (start + dt.timedelta(days=32)).replace(day=1)
    used = sum((c.total for c in ExpenseClaim.select(ExpenseClaim.total).where(
        (ExpenseClaim.department == department) & (ExpenseClaim.currency == currency)
        & ExpenseClaim.status.in_(["submitted", "approved"])
        & (ExpenseClaim.submitted_at >= start) & (ExpenseClaim.submitted_at < end))),
        Decimal("0.00"))
    return budget.amount - used


def approval_payload(claim: ExpenseClaim) -> dict:
    lines = list(claim.lines.order_by(ExpenseLine.id))
    return {"number": claim.number, "store": claim.store_code, "department": claim.department,
            "amount": str(claim.total), "currency": claim.currency, "title": claim.title,
            "category": lines[0].category.code if lines else "",
            "lines": [{"category": line.category.code, "description": line.description,
                       "amount": str(line.amount), "spent_on": line.spent_on.isoformat()}
                      for line in lines]}


@dataclass
class SubmitClaim:
    claim_id: Any
    user_id: Any
    messages: dict = field(default_factory=dict)

    def run(self) -> ExpenseClaim:
        now = utcnow()
        with write_transaction():
            claim = lock_claim(self.claim_id)
            if claim.claimant_id != int(self.user_id):
                raise ExpenseError({"claim": [_("Only the claimant submits a claim.")]})
            if claim.status != "draft":
                raise ExpenseError({"claim": [_("This claim was submitted already.")]})
            left = budget_left(claim.department, month_of(now), claim.currency)
            if left is not None and claim.total > left:
                raise ExpenseError({"total": [_("The department's budget for this month has "
                                                "%(left)s left.", left=str(max(left, 0)))]})
            ExpenseClaim.update(status="submitted", submitted_at=now) \
                .where(ExpenseClaim.id == claim.id).execute()
            reference = plugins().call_first(
                "zhanggui_request_approval", kind=KIND,
                subject=f"{claim.number} {claim.title}", requested_by=claim.claimant_id,
                payload=approval_payload(claim))
            ExpenseClaim.update(approval_reference=reference) \
                .where(ExpenseClaim.id == claim.id).execute()
        return ExpenseClaim.get_by_id(claim.id)


def follow_decision(kind: str, reference, approved: bool) -> None:
    """``zhanggui_approval_decided``: the claim takes the approval's outcome."""
    if kind != KIND:
        return
    ExpenseClaim.update(status="approved" if approved else "rejected", decided_at=utcnow()) \
        .where((ExpenseClaim.approval_reference == str(reference))
               & (ExpenseClaim.status == "submitted")).execute()


def render_summary(kind: str, snapshot: dict):
    """``zhanggui_approval_summary`` for expense claims."""
    if kind != KIND:
        return None
    from zhanggui import format_money

    rows = [(_("Claim number"), snapshot.get("number", "")),
            (_("Store"), snapshot.get("store", "")),
            (_("Department"), snapshot.get("department", "")),
            (_("Total"), format_money(Decimal(snapshot.get("amount", "0")),
                                      snapshot.get("currency", "CNY")))]
    for line in snapshot.get("lines", []):
        rows.append((f"{line['spent_on']} {line['category']}",
                     f"{line['description']}: {line['amount']}"))
    return rows


# ------------------------------------------------------------------ recurring
def period_of(frequency: str, day: dt.date) -> str:
    if frequency == "weekly":
        year, week, _weekday = day.isocalendar()
        return f"{year}-W{week:02d}"
    return month_of(day)


def generate_recurring(today: dt.date | None = None) -> dict:
    """This period's claim of every active recurring expense, written and submitted
    once; returns ``{"created": n, "existing": n, "failed": [ids]}``."""
    today = today or utcnow().date()
    counts: dict = {"created": 0, "existing": 0, "failed": []}
    for item in RecurringExpense.select().where(RecurringExpense.active):
        period = period_of(item.frequency, today)
        if ExpenseClaim.select().where((ExpenseClaim.recurring == item.id)
                                       & (ExpenseClaim.period == period)).exists():
            counts["existing"] += 1
            continue
        try:
            with write_transaction():
                claim = CreateClaim(item.owner_id, item.store_code, item.department,
                                    f"{item.description} {period}",
                                    [{"category": item.category.code,
                                      "description": item.description,
                                      "amount": str(item.amount),
                                      "spent_on": today.isoformat()}],
                                    currency=item.currency).run(recurring=item.id,
                                                                period=period)
                SubmitClaim(claim.id, item.owner_id).run()
            counts["created"] += 1
        except peewee.IntegrityError:
            counts["existing"] += 1       # another worker wrote this period's claim
        except ExpenseError as exc:
            counts["failed"].append(item.id)
            import logging

            logging.getLogger("zhanggui.office").warning(
                "recurring expense %s not claimed for %s: %s", item.id, period,
                json.dumps(exc.messages, ensure_ascii=False))
    return counts
