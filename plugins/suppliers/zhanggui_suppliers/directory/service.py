"""Supplier lifecycle: prospect → negotiating → contracted → suspended → terminated.

Every move is appended to ``suppliers_supplier_move``.  *Contracted* is reached only
by signing a contract (:class:`MoveSupplier` with ``by_signing=True``, called by the
contract's sign command) or by lifting a suspension while a signed contract runs.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from zhanggui import _, write_transaction

from ..errors import SupplierError, check
from .models import SUPPLIER_STATUSES, Supplier, SupplierMove

# where a person may move a supplier by hand
MANUAL_MOVES = {
    "prospect": {"negotiating", "terminated"},
    "negotiating": {"prospect", "terminated"},
    "contracted": {"suspended", "terminated"},
    "suspended": {"contracted", "terminated"},
    "terminated": {"prospect"},
}


@dataclass
class MoveSupplier:
    supplier_id: int
    to_status: str
    reason: str = ""
    user_id: int | None = None
    by_signing: bool = False

    def validate(self) -> Supplier:
        supplier = Supplier.get_or_none(Supplier.id == self.supplier_id)
        if supplier is None:
            raise SupplierError({"supplier": [_("No such supplier.")]})
        errors: dict[str, list[str]] = {}
        if len(self.reason or "") > 200 or "\x00" in (self.reason or ""):
            errors["reason"] = [_("At most 200 characters, no control characters.")]
        allowed = MANUAL_MOVES.get(supplier.status, set())
        if self.by_signing:
            allowed = allowed | {"contracted"}
        if self.to_status == supplier.status and self.by_signing:
            return supplier
        if self.to_status not in allowed:
            labels = dict(SUPPLIER_STATUSES)
            errors["to_status"] = [_("A supplier cannot move from %(old)s to %(new)s.",
                                     old=labels.get(supplier.status, "?"),
                                     new=labels.get(self.to_status, "?"))]
        elif (self.to_status == "contracted" and not self.by_signing
              and not _has_signed_contract(supplier)):
            errors["to_status"] = [_("Only signing a contract makes a supplier contracted.")]
        check(errors)
        return supplier

    def run(self) -> Supplier:
        with write_transaction():
            supplier = self.validate()
            if supplier.status == self.to_status:
                return supplier
            SupplierMove.create(supplier=supplier, from_status=supplier.status,
                                to_status=self.to_status, reason=self.reason or "",
                                moved_by=self.user_id)
            supplier.status = self.to_status
            supplier.save(only=[Supplier.status])
        return supplier


def _has_signed_contract(supplier: Supplier) -> bool:
    from ..contracts.models import Contract

    today = dt.date.today()
    return Contract.select().where((Contract.supplier == supplier)
                                   & (Contract.status == "active")
                                   & (Contract.ends_on >= today)).exists()


def record_creation(supplier: Supplier, user_id: int | None = None) -> None:
    """The first move of a new supplier (from nothing to its status)."""
    SupplierMove.create(supplier=supplier, from_status=None, to_status=supplier.status,
                        reason="", moved_by=user_id)
