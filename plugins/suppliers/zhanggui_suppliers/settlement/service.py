"""Settlement statements: generate (idempotent per counter and month), review,
approve, recalculate a draft.

Generation never touches a statement that exists: rerunning a month creates only the
missing ones and changes nothing else (the unique index on counter and month backs
this up when two workers race).  A draft is brought up to date only on request
(:class:`RecalculateStatement`), e.g. after a late refund.

Approval asks ``zhanggui_request_approval`` (kind ``suppliers.statement``); without an
answer a user holding ``suppliers.approve_statement``, other than the reviewer,
approves in the console.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import peewee

from zhanggui import _, plugins, utcnow, write_transaction

from ..contracts.models import Contract
from ..counters.models import Counter
from ..counters.sales import sales_between
from ..errors import SupplierError
from .calc import Fee, Section, Terms, Tier, month_bounds, settle
from .models import Statement, StatementLine

APPROVAL_KIND = "suppliers.statement"


def parse_month(text) -> dt.date:
    """``"2026-01"`` or a date → the first of that month; ``SupplierError`` otherwise."""
    try:
        if isinstance(text, dt.date):
            day = text
        else:
            day = dt.datetime.strptime(str(text)[:7], "%Y-%m").date()
    except ValueError:
        raise SupplierError({"month": [_("Give a month as YYYY-MM.")]}) from None
    if not dt.date(2000, 1, 1) <= day <= dt.date(2100, 12, 31):
        raise SupplierError({"month": [_("Give a month as YYYY-MM.")]})
    return day.replace(day=1)


def terms_of(contract: Contract) -> Terms:
    return Terms(contract_id=contract.id, kind=contract.kind, starts_on=contract.starts_on,
                 ends_on=contract.ends_on, tier_mode=contract.tier_mode,
                 tiers=[Tier(t.category, t.sales_from, t.rate) for t in contract.tiers],
                 guarantee=contract.monthly_guarantee or Decimal(0),
                 rent=contract.monthly_rent or Decimal(0),
                 fees=[Fee(f.kind, f.amount, f.frequency, f.first_month)
                       for f in contract.fees])


def contracts_in(month: dt.date, counter_ids=None):
    first, last = month_bounds(month)
    query = Contract.select().where((Contract.status == "active")
                                    & (Contract.starts_on <= last)
                                    & (Contract.ends_on >= first))
    if counter_ids is not None:
        query = query.where(Contract.counter.in_(list(counter_ids)))
    return query.order_by(Contract.counter, Contract.starts_on)


def compute(counter: Counter, month: dt.date, contracts: list[Contract]):
    """The calculation result for ``counter`` and ``month`` (nothing written)."""
    sections = []
    for contract in contracts:
        terms = terms_of(contract)
        window = terms.window(month)
        if window is None:
            continue
        sold = sales_between([counter.code], *window).get(counter.code, {})
        sections.append(Section(terms, sold.get("sales", {}), sold.get("refunds", {})))
    answers = plugins().call_first("zhanggui_counter_cost_shares",
                                   counter_code=counter.code, month=month) or []
    # not firstresult: one list per answering plugin
    shares = [(item.get("reference", ""), Decimal(str(item.get("amount", 0))))
              for answer in answers for item in (answer or [])]
    return settle(month, sections, shares)


def _write(statement: Statement, result) -> None:
    StatementLine.delete().where(StatementLine.statement == statement).execute()
    for position, line in enumerate(result.lines, start=1):
        StatementLine.create(statement=statement, position=position,
                             contract=line.contract_id, kind=line.kind,
                             category=line.category[:40], detail=line.detail[:100],
                             base=line.base, rate=line.rate, amount=line.amount)
    statement.gross_sales, statement.refunds = result.gross_sales, result.refunds
    statement.net_sales, statement.mall_income = result.net_sales, result.mall_income
    statement.payable = result.payable
    statement.save()


@dataclass
class GenerateStatements:
    """Create the missing statements of ``month`` (every counter with a signed
    contract in it, or those of ``counter_codes``).  Returns how many were created."""

    month: dt.date
    counter_codes: list[str] | None = None

    def validate(self):
        self.month = parse_month(self.month)
        grouped: dict[int, list[Contract]] = {}
        counter_ids = None
        if self.counter_codes is not None:
            counter_ids = [c.id for c in Counter.select(Counter.id)
                           .where(Counter.code.in_(list(self.counter_codes)))]
        for contract in contracts_in(self.month, counter_ids):
            grouped.setdefault(contract.counter_id, []).append(contract)
        return grouped

    def run(self, progress=None) -> int:
        created = 0
        for counter_id, contracts in self.validate().items():
            counter = Counter.get_by_id(counter_id)
            if Statement.select().where((Statement.counter == counter)
                                        & (Statement.month == self.month)).exists():
                continue
            try:
                with write_transaction():
                    statement = Statement.create(
                        counter=counter, month=self.month, store_code=counter.store_code,
                        supplier=contracts[-1].supplier_id, currency=contracts[-1].currency)
                    _write(statement, compute(counter, self.month, contracts))
                created += 1
            except peewee.IntegrityError:  # another worker wrote it first
                continue
            if progress:
                progress(1)
        return created


def _statement(statement_id) -> Statement:
    statement = Statement.get_or_none(Statement.id == statement_id)
    if statement is None:
        raise SupplierError({"statement": [_("No such statement.")]})
    return statement


@dataclass
class RecalculateStatement:
    statement_id: int

    def validate(self) -> Statement:
        statement = _statement(self.statement_id)
        if statement.status not in ("draft", "rejected"):
            raise SupplierError({"status": [_("Only a draft statement can be "
                                              "recalculated.")]})
        return statement

    def run(self) -> Statement:
        with write_transaction():
            statement = self.validate()
            contracts = list(contracts_in(statement.month, [statement.counter_id]))
            _write(statement, compute(statement.counter, statement.month, contracts))
            statement.status, statement.generated_at = "draft", utcnow()
            statement.save()
        return statement


@dataclass
class ReviewStatement:
    """The reviewer checks the draft and sends it for approval."""

    statement_id: int
    user_id: int | None = None

    def validate(self) -> Statement:
        statement = _statement(self.statement_id)
        if statement.status not in ("draft", "rejected"):
            raise SupplierError({"status": [_("This statement has been reviewed already.")]})
        return statement

    def run(self) -> Statement:
        with write_transaction():
            statement = self.validate()
            reference = plugins().call_first(
                "zhanggui_request_approval", kind=APPROVAL_KIND,
                subject=f"{statement.counter.code} {statement.month:%Y-%m} "
                        f"{statement.payable} {statement.currency}",
                requested_by=self.user_id,
                payload={"statement_id": statement.id, "counter": statement.counter.code,
                         "month": f"{statement.month:%Y-%m}",
                         "payable": str(statement.payable),
                         "currency": statement.currency})
            statement.status = "pending"
            statement.reviewed_by = self.user_id
            statement.approval_reference = None if reference is None else str(reference)
            statement.save()
        return statement


@dataclass
class DecideStatement:
    statement_id: int
    approved: bool
    user_id: int | None = None
    from_office: bool = False

    def validate(self) -> Statement:
        statement = _statement(self.statement_id)
        if statement.status != "pending":
            raise SupplierError({"status": [_("This statement is not awaiting approval.")]})
        if not self.from_office:
            if statement.approval_reference is not None:
                raise SupplierError({"status": [_("This statement is decided in the "
                                                  "approvals inbox.")]})
            if self.user_id is not None and self.user_id == statement.reviewed_by:
                raise SupplierError({"status": [_("You cannot approve a statement you "
                                                  "reviewed.")]})
        return statement

    def run(self) -> Statement:
        with write_transaction():
            statement = self.validate()
            statement.status = "approved" if self.approved else "rejected"
            statement.approved_by = self.user_id if self.approved else None
            statement.approved_at = utcnow() if self.approved else None
            statement.save()
        return statement


def approval_decided(reference, approved: bool, decided_by) -> None:
    statement = Statement.get_or_none((Statement.approval_reference == str(reference))
                                      & (Statement.status == "pending"))
    if statement is not None:
        user_id = decided_by if isinstance(decided_by, int) else None
        DecideStatement(statement.id, approved, user_id=user_id, from_office=True).run()


def generate_previous_month(today: dt.date | None = None) -> int:
    """The monthly job: last month's missing statements."""
    today = today or dt.date.today()
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    return GenerateStatements(last_month).run()
