"""``/api/v1/expenses/``: create a claim, submit it, read it.

* ``POST /claims`` ``{"store_code", "department", "title", "currency", "lines":
  [{"category", "description", "amount": "12.50", "spent_on": "2026-12-01"}]}``:
  201 with the draft; 422 with field messages (``lines[0].amount``) and nothing
  written.
* ``POST /claims/<id>/submit``: 200; 422 when over the month's budget or submitted.
* ``GET /claims/<id>``: the claim of one of the caller's stores.
"""
from __future__ import annotations

import json

from flask import Response, g, request
from flask_appbuilder.api import BaseApi, expose
from flask_appbuilder.security.decorators import permission_name, protect
from marshmallow import Schema, ValidationError, fields, validate

from zhanggui import _
from zhanggui.console.scope import user_store_codes

from ..approvals.api import _translated
from .models import ExpenseClaim, ExpenseLine
from .service import CreateClaim, ExpenseError, SubmitClaim


def _answer(status, body):
    return Response(json.dumps(body, ensure_ascii=False), status=status,
                    mimetype="application/json")


class LineSchema(Schema):
    category = fields.String(required=True, validate=validate.Length(max=30))
    description = fields.String(required=True, validate=validate.Length(max=200))
    amount = fields.String(required=True, validate=validate.Length(max=20))
    spent_on = fields.String(required=True, validate=validate.Length(max=10))


class ClaimSchema(Schema):
    store_code = fields.String(required=True, validate=validate.Length(max=32))
    department = fields.String(required=True, validate=validate.Length(max=60))
    title = fields.String(required=True, validate=validate.Length(max=200))
    currency = fields.String(load_default="CNY", validate=validate.Length(equal=3))
    lines = fields.List(fields.Dict(), required=True, validate=validate.Length(min=1, max=50))


def claim_json(claim: ExpenseClaim) -> dict:
    return {"id": claim.id, "number": claim.number, "store_code": claim.store_code,
            "department": claim.department, "title": claim.title, "currency": claim.currency,
            "total": str(claim.total), "status": claim.status,
            "approval_reference": claim.approval_reference,
            "lines": [{"category": line.category.code, "description": line.description,
                       "amount": str(line.amount), "spent_on": line.spent_on.isoformat()}
                      for line in claim.lines.order_by(ExpenseLine.id)]}


def _visible(pk):
    claim = ExpenseClaim.get_or_none(ExpenseClaim.id == pk)
    codes = user_store_codes()
    if claim is None or (codes is not None and claim.store_code not in codes):
        return None
    return claim


class ExpenseApi(BaseApi):
    """Expense claims."""

    resource_name = "expenses"
    openapi_spec_tag = "Expenses"
    base_permissions = ["can_claim", "can_get"]

    @expose("/claims", methods=["POST"])
    @protect()
    @permission_name("claim")
    def post_claim(self):
        """Create a draft expense claim.
        ---
        post:
          summary: Create a draft expense claim
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  type: object
          responses:
            201:
              description: Created
            422:
              description: Refused with field messages; nothing written
        """
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            return _answer(400, {"message": _("The request body is not a JSON object.")})
        try:
            data = ClaimSchema().load(data)
        except ValidationError as exc:
            return _answer(422, {"message": _translated(exc.messages)})
        try:
            claim = CreateClaim(g.user.id, data["store_code"], data["department"],
                                data["title"], data["lines"], currency=data["currency"],
                                stores=user_store_codes()).run()
        except ExpenseError as exc:
            return _answer(422, {"message": exc.messages})
        return _answer(201, {"result": claim_json(claim)})

    @expose("/claims/<int:pk>/submit", methods=["POST"])
    @protect()
    @permission_name("claim")
    def post_submit(self, pk):
        """Send a draft claim for approval.
        ---
        post:
          summary: Send a draft claim for approval
          parameters:
          - in: path
            name: pk
            schema:
              type: integer
          responses:
            200:
              description: Submitted
            404:
              description: No such claim for the caller
            422:
              description: Refused (over budget, already submitted, not the claimant)
        """
        if _visible(pk) is None:
            return _answer(404, {"message": _("No such expense claim.")})
        try:
            claim = SubmitClaim(pk, g.user.id).run()
        except ExpenseError as exc:
            return _answer(422, {"message": exc.messages})
        return _answer(200, {"result": claim_json(claim)})

    @expose("/claims/<int:pk>", methods=["GET"])
    @protect()
    @permission_name("get")
    def get_claim(self, pk):
        """One claim.
        ---
        get:
          summary: One expense claim of the caller's stores
          parameters:
          - in: path
            name: pk
            schema:
              type: integer
          responses:
            200:
              description: The claim
            404:
              description: No such claim for the caller
        """
        claim = _visible(pk)
        if claim is None:
            return _answer(404, {"message": _("No such expense claim.")})
        return _answer(200, {"result": claim_json(claim)})
