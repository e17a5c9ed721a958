"""REST: ``/api/v1/contracts/`` (CRUD of drafts, store-scoped) and the actions
``POST /api/v1/contracts/<pk>/submit|approve|reject|sign|renew``."""
from __future__ import annotations

from flask import g
from flask_appbuilder.api import expose, protect
from flask_appbuilder.security.decorators import permission_name
from marshmallow import Schema, fields, validate

from zhanggui import _
from zhanggui.console.datamodel import ModelRestApi, PeeweeInterface
from zhanggui.console.scope import StoreScopedMixin

from ..api_support import answer, load_body, run_command
from .models import Contract
from .service import EDITABLE, DecideContract, RenewContract, SignContract, SubmitContract

COLUMNS = ["code", "supplier", "counter", "kind", "starts_on", "ends_on", "currency",
           "tier_mode", "monthly_guarantee", "monthly_rent", "notes"]


class DecisionSchema(Schema):
    comment = fields.String(load_default="", validate=validate.Length(max=200))


class SignSchema(Schema):
    signed_on = fields.Date(required=True)


class RenewSchema(Schema):
    ends_on = fields.Date(required=True)


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
        self.pre_add(item)

    def put_headless(self, pk):
        """Only drafts (and rejected contracts) change; others answer 422."""
        item = self.datamodel.get(pk, self._base_filters)
        if item is not None and item.status not in EDITABLE:
            return answer(422, {"message": {"status": [
                _("Only a draft or rejected contract can be changed.")]}})
        return super().put_headless(pk)

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

    @expose("/<int:pk>/approve", methods=["POST"])
    @protect()
    @permission_name("decide")
    def approve(self, pk):
        """Approve a contract awaiting approval (when no approval workflow answers).
        ---
        post:
          parameters:
          - in: path
            name: pk
            schema: {type: integer}
          responses:
            200: {description: Approved}
            404: {description: Not found}
            422: {description: Not awaiting approval, or your own submission}
        """
        return self._decide(pk, True)

    @expose("/<int:pk>/reject", methods=["POST"])
    @protect()
    @permission_name("decide")
    def reject(self, pk):
        """Reject a contract awaiting approval.
        ---
        post:
          parameters:
          - in: path
            name: pk
            schema: {type: integer}
          responses:
            200: {description: Rejected}
            404: {description: Not found}
            422: {description: Not awaiting approval, or your own submission}
        """
        return self._decide(pk, False)

    def _decide(self, pk, approved):
        body, error = load_body(DecisionSchema())
        if error:
            return error
        return self._action(pk, lambda c: DecideContract(c.id, approved, _user(),
                                                         body["comment"]).run())

    @expose("/<int:pk>/sign", methods=["POST"])
    @protect()
    @permission_name("sign")
    def sign(self, pk):
        """Sign an approved contract: it runs, and its supplier becomes contracted.
        ---
        post:
          parameters:
          - in: path
            name: pk
            schema: {type: integer}
          responses:
            200: {description: Signed}
            404: {description: Not found}
            422: {description: Field messages}
        """
        body, error = load_body(SignSchema())
        if error:
            return error
        return self._action(pk, lambda c: SignContract(c.id, body["signed_on"], _user()).run())

    @expose("/<int:pk>/renew", methods=["POST"])
    @protect()
    @permission_name("renew")
    def renew(self, pk):
        """Draft a renewal from the day after the contract ends until ``ends_on``.
        ---
        post:
          parameters:
          - in: path
            name: pk
            schema: {type: integer}
          responses:
            200: {description: The renewal's draft}
            404: {description: Not found}
            422: {description: Field messages (a grade blocking renewal, dates)}
        """
        body, error = load_body(RenewSchema())
        if error:
            return error
        return self._action(pk, lambda c: RenewContract(c.id, body["ends_on"], _user()).run())
