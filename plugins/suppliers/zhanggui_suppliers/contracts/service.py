"""Contract commands: check the terms, ask for approval, decide, sign, renew.

Approval goes through ``zhanggui_request_approval`` (kind ``suppliers.contract``);
the office plugin answers with a reference and later fires
``zhanggui_approval_decided``.  When nobody answers (no office plugin), the contract
waits in *Awaiting approval* and a user holding ``suppliers.approve_contract``, other
than the one who submitted it, approves or rejects it in the console.  Signing an
approved contract makes it run and its supplier *contracted*.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from zhanggui import _, plugins, utcnow, write_transaction

from ..directory.service import MoveSupplier
from ..errors import SupplierError, check
from .models import CONTRACT_KINDS, Contract, ContractFee, DeductionTier

APPROVAL_KIND = "suppliers.contract"
EDITABLE = ("draft", "rejected")
EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2100, 12, 31)


def term_errors(contract: Contract, tiers=None, fees=None) -> dict[str, list[str]]:
    """What keeps ``contract`` from being settled, per field (empty when complete)."""
    errors: dict[str, list[str]] = {}
    tiers = list(contract.tiers) if tiers is None and contract.id else (tiers or [])
    fees = list(contract.fees) if fees is None and contract.id else (fees or [])
    if contract.kind not in dict(CONTRACT_KINDS):
        errors["kind"] = [_("Choose a contract type.")]
    for name in ("starts_on", "ends_on"):
        day = getattr(contract, name)
        if not isinstance(day, dt.date) or not EARLIEST <= day <= LATEST:
            errors[name] = [_("Give a date between 2000 and 2100.")]
    if not errors and contract.ends_on < contract.starts_on:
        errors["ends_on"] = [_("The contract must end on or after the day it starts.")]
    for name in ("monthly_guarantee", "monthly_rent"):
        if Decimal(getattr(contract, name) or 0) < 0:
            errors[name] = [_("Amounts cannot be negative.")]
    if contract.kind in ("concession", "distribution"):
        if not tiers:
            errors["tiers"] = [_("Give at least one rate (a tier from sales of 0).")]
        for category in {t.category for t in tiers}:
            lowest = min(Decimal(t.sales_from) for t in tiers if t.category == category)
            if lowest != 0:
                errors["tiers"] = [_("The first tier of each category starts at sales "
                                     "of 0.")]
        if any(not Decimal(0) <= Decimal(t.rate) <= 100 for t in tiers):
            errors.setdefault("tiers", []).append(_("Rates are between 0 and 100 per cent."))
    if contract.kind == "lease" and Decimal(contract.monthly_rent or 0) <= 0:
        errors["monthly_rent"] = [_("A lease needs a monthly rent.")]
    if any(Decimal(f.amount) < 0 for f in fees):
        errors["fees"] = [_("Amounts cannot be negative.")]
    return errors


def _contract(contract_id) -> Contract:
    contract = Contract.get_or_none(Contract.id == contract_id)
    if contract is None:
        raise SupplierError({"contract": [_("No such contract.")]})
    return contract


def _overlapping(contract: Contract):
    return Contract.select().where(
        (Contract.counter == contract.counter_id) & (Contract.id != contract.id)
        & (Contract.status == "active") & (Contract.starts_on <= contract.ends_on)
        & (Contract.ends_on >= contract.starts_on))


@dataclass
class SubmitContract:
    contract_id: int
    user_id: int | None = None

    def validate(self) -> Contract:
        contract = _contract(self.contract_id)
        if contract.status not in EDITABLE:
            raise SupplierError({"status": [_("Only a draft or rejected contract can be "
                                              "submitted.")]})
        check(term_errors(contract))
        return contract

    def run(self) -> Contract:
        with write_transaction():
            contract = self.validate()
            reference = plugins().call_first(
                "zhanggui_request_approval", kind=APPROVAL_KIND,
                subject=f"{contract.code} {contract.counter.code} {contract.supplier.name}",
                requested_by=self.user_id,
                payload={"contract_id": contract.id, "code": contract.code,
                         "kind": contract.kind, "counter": contract.counter.code,
                         "starts_on": contract.starts_on.isoformat(),
                         "ends_on": contract.ends_on.isoformat()})
            contract.status = "pending"
            contract.submitted_by = self.user_id
            contract.approval_reference = None if reference is None else str(reference)
            contract.decided_by = contract.decided_at = None
            contract.save()
        return contract


@dataclass
class DecideContract:
    """The console's decision, when no approval plugin answered the request."""

    contract_id: int
    approved: bool
    user_id: int | None = None
    comment: str = ""
    from_office: bool = False

    def validate(self) -> Contract:
        contract = _contract(self.contract_id)
        if contract.status != "pending":
            raise SupplierError({"status": [_("This contract is not awaiting approval.")]})
        if not self.from_office:
            if contract.approval_reference is not None:
                raise SupplierError({"status": [_("This contract is decided in the "
                                                  "approvals inbox.")]})
            if self.user_id is not None and self.user_id == contract.submitted_by:
                raise SupplierError({"status": [_("You cannot approve a contract you "
                                                  "submitted.")]})
        if len(self.comment or "") > 200:
            raise SupplierError({"comment": [_("At most 200 characters.")]})
        return contract

    def run(self) -> Contract:
        with write_transaction():
            contract = self.validate()
            contract.status = "approved" if self.approved else "rejected"
            contract.decided_by, contract.decided_at = self.user_id, utcnow()
            contract.decision_comment = (self.comment or "")[:200]
            contract.save()
        return contract


@dataclass
class SignContract:
    contract_id: int
    signed_on: dt.date
    user_id: int | None = None

    def validate(self) -> Contract:
        contract = _contract(self.contract_id)
        if contract.status != "approved":
            raise SupplierError({"status": [_("Only an approved contract can be signed.")]})
        if not isinstance(self.signed_on, dt.date) or not EARLIEST <= self.signed_on <= LATEST:
            raise SupplierError({"signed_on": [_("Give a date between 2000 and 2100.")]})
        if _overlapping(contract).exists():
            raise SupplierError({"starts_on": [_("Another signed contract of this counter "
                                                 "covers some of these days.")]})
        return contract

    def run(self) -> Contract:
        with write_transaction():
            contract = self.validate()
            contract.status, contract.signed_on = "active", self.signed_on
            contract.save()
            MoveSupplier(contract.supplier_id, "contracted",
                         reason=_("Contract %(code)s signed", code=contract.code),
                         user_id=self.user_id, by_signing=True).run()
            counter = contract.counter
            if counter.supplier_id != contract.supplier_id:
                counter.supplier = contract.supplier_id
                counter.save()
        return contract


@dataclass
class RenewContract:
    """A draft continuing ``contract_id`` from the day after it ends, with its terms.
    Refused while the counter's latest grade carries the *block renewal* consequence."""

    contract_id: int
    ends_on: dt.date
    user_id: int | None = None

    def validate(self) -> Contract:
        from ..scoring.service import renewal_block

        contract = _contract(self.contract_id)
        errors: dict[str, list[str]] = {}
        if contract.status != "active":
            errors["status"] = [_("Only a signed contract can be renewed.")]
        elif not isinstance(self.ends_on, dt.date) or not (
                contract.ends_on < self.ends_on <= LATEST):
            errors["ends_on"] = [_("The renewal must end after the current contract.")]
        elif Contract.select().where((Contract.renewed_from == contract)
                                     & (Contract.status != "rejected")).exists():
            errors["status"] = [_("This contract already has a renewal.")]
        blocked = renewal_block(contract.counter_id)
        if blocked:
            errors["status"] = [_("The counter's grade %(grade)s blocks renewal.",
                                  grade=blocked)]
        check(errors)
        return contract

    def run(self) -> Contract:
        with write_transaction():
            old = self.validate()
            number = Contract.select().where(Contract.code.startswith(old.code + "-R")).count()
            new = Contract.create(
                code=f"{old.code}-R{number + 1}"[:30], supplier=old.supplier_id,
                counter=old.counter_id, store_code=old.store_code, kind=old.kind,
                starts_on=old.ends_on + dt.timedelta(days=1), ends_on=self.ends_on,
                currency=old.currency, tier_mode=old.tier_mode,
                monthly_guarantee=old.monthly_guarantee, monthly_rent=old.monthly_rent,
                renewed_from=old.id, notes=old.notes)
            for tier in old.tiers:
                DeductionTier.create(contract=new, category=tier.category,
                                     sales_from=tier.sales_from, rate=tier.rate)
            for fee in old.fees:
                ContractFee.create(contract=new, kind=fee.kind, amount=fee.amount,
                                   frequency=fee.frequency, first_month=None)
        return new


def approval_decided(reference, approved: bool, decided_by, comment: str) -> None:
    """The office plugin's decision on a contract it was asked to approve."""
    contract = Contract.get_or_none((Contract.approval_reference == str(reference))
                                    & (Contract.status == "pending"))
    if contract is not None:
        user_id = decided_by if isinstance(decided_by, int) else None
        DecideContract(contract.id, approved, user_id=user_id, comment=str(comment or ""),
                       from_office=True).run()
