"""REST: ``/api/v1/contracts/`` (CRUD of drafts, store-scoped) and the actions
``POST /api/v1/contracts/<pk>/submit|approve|reject|sign|renew``."""
from __future__ import annotations

from flask import g
from flask_appbuilder.api import expose, protect
from flask_appbuilder.security.decorators import permission_name
from marshmallow import Schema, fields

from zhanggui import SafeString, _, api_action
from zhanggui.console.datamodel import ModelRestApi, PeeweeInterface, RecordRejected
from zhanggui.console.scope import StoreScopedMixin

from ..api_support import answer, run_command
from .models import Contract
from .service import EDITABLE, DecideContract, RenewContract, SignContract, SubmitContract

COLUMNS = ["code", "supplier", "counter", "kind", "starts_on", "ends_on", "currency",
           "tier_mode", "monthly_guarantee", "monthly_rent", "notes"]


class ContractDecision(Schema):
    comment = SafeString(load_default="", max_length=200,
                         metadata={"description": "The approver's comment"})


class ContractSigning(Schema):
    signed_on = fields.Date(required=True, metadata={"example": "2026-01-05"})


class ContractRenewal(Schema):
    ends_on = fields.Date(required=True, metadata={"example": "2027-12-31"})


ACTION_ERRORS = {404: "Not found", 422: "Field messages (wrong status, incomplete terms)"}


def contract_json(c: Contract) -> dict:
    return {"id": c.id, "code": c.code, "status": c.status, "kind": c.kind,
            "counter": c.counter.code, "starts_on": c.starts_on.isoformat(),
            "ends_on": c.ends_on.isoformat()}


def _user():
    return getattr(getattr(g, "user", None), "id", None)


class ContractApi(StoreScopedMixin, ModelRestApi):
    resource_name = "contracts"
    openapi_spec_tag = "Suppliers"
    datamodel = PeeweeInterface(Contract)
    store_field = "store_code"
    base_permissions = ["can_get", "can_info", "can_post", "can_put", "can_submit",
                        "can_decide", "can_sign", "can_renew"]
    list_columns = show_columns = ["id", "code", "supplier.name", "counter.code", "store_code",
                                   "kind", "status", "starts_on", "ends_on",
                                   "monthly_guarantee", "monthly_rent"]
    add_columns = edit_columns = COLUMNS

    def pre_add(self, item):
        item.store_code = item.counter.store_code if item.counter_id else ""

    def pre_update(self, item):
        """Only drafts (and rejected contracts) change: others answer 422, after the
        body itself was checked."""
        if item.status not in EDITABLE:
            message = _("Only a draft or rejected contract can be changed.")
            raise RecordRejected(message, {"status": [message]})
        self.pre_add(item)

    def _scoped(self, pk):
        return self.datamodel.get(pk)

    def _action(self, pk, make):
        contract = self._scoped(pk)
        if contract is None:
            return answer(404, {"message": _("Not found.")})
        return run_command(lambda: make(contract), contract_json)

    @expose("/<int:pk>/submit", methods=["POST"])
    @protect()
    @permission_name("submit")
    def submit(self, pk):
        """Send a draft contract for approval.
        ---
        post:
          parameters:
          - in: path
            name: pk
            schema: {type: integer}
          responses:
            200: {description: Awaiting approval}
            404: {description: Not found}
            422: {description: Incomplete terms or wrong status}
        """
        return self._action(pk, lambda c: SubmitContract(c.id, _user()).run())

    @api_action("/<int:pk>/approve", request=ContractDecision, permission="decide",
                errors=ACTION_ERRORS)
    def approve(self, pk, data):
        """Approve a contract awaiting approval (when no approval workflow answers)."""
        return self._decide(pk, True, data)

    @api_action("/<int:pk>/reject", request=ContractDecision, permission="decide",
                errors=ACTION_ERRORS)
    def reject(self, pk, data):
        """Reject a contract awaiting approval."""
        return self._decide(pk, False, data)

    def _decide(self, pk, approved, body):
        return self._action(pk, lambda c: DecideContract(c.id, approved, _user(),
                                                         body["comment"]).run())

    @api_action("/<int:pk>/sign", request=ContractSigning, permission="sign",
                errors=ACTION_ERRORS)
    def sign(self, pk, data):
        """Sign an approved contract: it runs, and its supplier becomes contracted."""
        return self._action(pk, lambda c: SignContract(c.id, data["signed_on"], _user()).run())

    @api_action("/<int:pk>/renew", request=ContractRenewal, permission="renew",
                errors=ACTION_ERRORS)
    def renew(self, pk, data):
        """Draft a renewal from the day after the contract ends until ``ends_on``
        (refused when the counter's grade blocks renewal)."""
        return self._action(pk, lambda c: RenewContract(c.id, data["ends_on"], _user()).run())
