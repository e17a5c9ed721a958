"""Console screens of contracts with their tiers and fees; the buttons submit for
approval, approve or reject (when no approval workflow answers), sign and renew."""
from __future__ import annotations

import datetime as dt

from zhanggui import AdminView, _, _l
from zhanggui.console.datamodel import ModelView, PeeweeInterface
from zhanggui.console.scope import StoreScopedMixin
from flask_appbuilder import expose, has_access
from flask_appbuilder.security.decorators import permission_name

from ..console import RecordActionsMixin, current_user_id
from ..errors import SupplierError
from .models import Contract, ContractFee, DeductionTier
from .service import (EDITABLE, DecideContract, RenewContract, SignContract, SubmitContract,
                      term_errors)


def _of_contracts_in(model):
    def rule(query, codes):
        return query.where(model.contract.in_(
            Contract.select(Contract.id).where(Contract.store_code.in_(list(codes) or [""]))))
    return rule


class _ContractPart(StoreScopedMixin, ModelView):
    """Tiers and fees change only while their contract is a draft (or rejected)."""

    base_permissions = ["can_list", "can_show", "can_add", "can_edit", "can_delete"]

    def _check_editable(self, item):
        contract = Contract.get_or_none(Contract.id == item.contract_id)
        if contract is None or contract.status not in EDITABLE:
            raise SupplierError(_("Only a draft or rejected contract can be changed."))

    pre_add = pre_update = pre_delete = _check_editable


class DeductionTierView(_ContractPart):
    datamodel = PeeweeInterface(DeductionTier)
    list_title = _l("Deduction tiers")
    add_title = _l("Add tier")
    edit_title = _l("Edit tier")
    list_columns = ["contract", "category", "sales_from", "rate"]
    add_columns = edit_columns = show_columns = list_columns
    search_columns = ["contract", "category"]
    description_columns = {"category": _l("Leave empty for every category without tiers of "
                                          "its own."),
                           "sales_from": _l("Monthly net sales from which this rate "
                                            "applies; the first tier starts at 0.")}
    store_field = _of_contracts_in(DeductionTier)


class ContractFeeView(_ContractPart):
    datamodel = PeeweeInterface(ContractFee)
    list_title = _l("Contract fees")
    add_title = _l("Add fee")
    edit_title = _l("Edit fee")
    list_columns = ["contract", "kind", "amount", "frequency", "first_month"]
    add_columns = edit_columns = show_columns = list_columns
    search_columns = ["contract", "kind", "frequency"]
    description_columns = {"first_month": _l("Quarterly, annual and one-off fees fall due "
                                             "from this month (default: the contract's "
                                             "first month).")}
    store_field = _of_contracts_in(ContractFee)


def _parse_day(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        return None


class ContractView(RecordActionsMixin, StoreScopedMixin, ModelView):
    datamodel = PeeweeInterface(Contract)
    list_title = _l("Contracts")
    add_title = _l("Add contract")
    edit_title = _l("Edit contract")
    show_title = _l("Contract")
    base_permissions = ["can_list", "can_show", "can_add", "can_edit", "can_submit",
                        "can_approve", "can_reject", "can_sign", "can_renew"]
    list_columns = ["code", "supplier", "counter", "kind", "status", "starts_on", "ends_on"]
    add_columns = edit_columns = ["code", "supplier", "counter", "kind", "starts_on",
                                  "ends_on", "currency", "tier_mode", "monthly_guarantee",
                                  "monthly_rent", "notes"]
    show_columns = ["code", "supplier", "counter", "store_code", "kind", "status",
                    "starts_on", "ends_on", "currency", "tier_mode", "monthly_guarantee",
                    "monthly_rent", "renewed_from", "signed_on", "decided_at",
                    "decision_comment", "notes", "created_at"]
    search_columns = ["code", "supplier", "counter", "kind", "status", "store_code",
                      "ends_on"]
    order_columns = ["code", "starts_on", "ends_on"]
    related_views = [DeductionTierView, ContractFeeView]
    store_field = "store_code"
    record_actions = [
        ("submit", _l("Submit for approval"), ("draft", "rejected"), []),
        ("approve", _l("Approve"), ("pending",), [("comment", _l("Comment"), "text")]),
        ("reject", _l("Reject"), ("pending",), [("comment", _l("Comment"), "text")]),
        ("sign", _l("Sign"), ("approved",), [("signed_on", _l("Signed on"), "date")]),
        ("renew", _l("Renew until"), ("active",), [("ends_on", _l("Valid until"), "date")]),
    ]

    def _prepare(self, item):
        if item.id and Contract.get_by_id(item.id).status not in EDITABLE:
            raise SupplierError(_("Only a draft or rejected contract can be changed."))
        counter = item.counter if item.counter_id else None
        item.store_code = counter.store_code if counter is not None else ""
        errors = term_errors(item, tiers=[], fees=[])
        errors.pop("tiers", None)
        errors.pop("monthly_rent", None)
        if errors:
            raise SupplierError(errors)

    pre_add = pre_update = _prepare

    @expose("/submit/<pk>", methods=["POST"])
    @has_access
    @permission_name("submit")
    def submit(self, pk):
        return self._act(pk, lambda c: SubmitContract(c.id, current_user_id()).run())

    @expose("/approve/<pk>", methods=["POST"])
    @has_access
    @permission_name("approve")
    def approve(self, pk):
        return self._act(pk, lambda c: DecideContract(
            c.id, True, current_user_id(), self.form_text("comment")).run())

    @expose("/reject/<pk>", methods=["POST"])
    @has_access
    @permission_name("reject")
    def reject(self, pk):
        return self._act(pk, lambda c: DecideContract(
            c.id, False, current_user_id(), self.form_text("comment")).run())

    @expose("/sign/<pk>", methods=["POST"])
    @has_access
    @permission_name("sign")
    def sign(self, pk):
        return self._act(pk, lambda c: SignContract(
            c.id, _parse_day(self.form_text("signed_on", 20)), current_user_id()).run())

    @expose("/renew/<pk>", methods=["POST"])
    @has_access
    @permission_name("renew")
    def renew(self, pk):
        return self._act(pk, lambda c: RenewContract(
            c.id, _parse_day(self.form_text("ends_on", 20)), current_user_id()).run())


def contract_admin_views() -> list[AdminView]:
    label = _l("Suppliers & counters")
    return [AdminView(name="Contracts", view=ContractView, label=_l("Contracts"),
                      category="SupplierCounters", category_label=label, icon="fa-file-text-o"),
            AdminView(name="Deduction tiers", view=DeductionTierView),
            AdminView(name="Contract fees", view=ContractFeeView)]


CONTRACT_READ = ("can_list on ContractView", "can_show on ContractView",
                 "menu_access on Contracts", "can_list on DeductionTierView",
                 "can_show on DeductionTierView", "can_list on ContractFeeView",
                 "can_show on ContractFeeView")
CONTRACT_WRITE = ("can_add on ContractView", "can_edit on ContractView",
                  "can_submit on ContractView", "can_sign on ContractView",
                  "can_renew on ContractView") + tuple(
    f"can_{p} on {v}" for v in ("DeductionTierView", "ContractFeeView")
    for p in ("add", "edit", "delete"))
CONTRACT_APPROVE = ("can_approve on ContractView", "can_reject on ContractView")
