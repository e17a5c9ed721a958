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

from flask import Response, g
from flask_appbuilder.api import BaseApi, expose
from flask_appbuilder.security.decorators import permission_name, protect
from marshmallow import Schema, fields, validate

from zhanggui import SafeString, _, api_action
from zhanggui.console.scope import user_store_codes

from .models import ExpenseClaim, ExpenseLine
from .service import CreateClaim, ExpenseError, SubmitClaim


def _answer(status, body):
    # a lone surrogate echoed from the request stays a JSON escape, not a 500
    return Response(json.dumps(body, ensure_ascii=False).encode("utf-8", "backslashreplace"),
                    status=status,
                    mimetype="application/json")


class ExpenseClaimLine(Schema):
    category = SafeString(required=True, max_length=30, metadata={"example": "travel"})
    description = SafeString(required=True, max_length=200,
                             metadata={"example": "Taxi to the supplier fair"})
    amount = SafeString(required=True, max_length=20,
                        metadata={"example": "12.50", "description": "A decimal amount"})
    spent_on = SafeString(required=True, max_length=10,
                          metadata={"example": "2026-12-01", "format": "date"})


class ExpenseClaimRequest(Schema):
    store_code = SafeString(required=True, max_length=32, metadata={"example": "BJ01"})
    department = SafeString(required=True, max_length=60, metadata={"example": "Sales"})
    title = SafeString(required=True, max_length=200,
                       metadata={"example": "December travel"})
    currency = SafeString(load_default="CNY", validate=validate.Length(equal=3),
                          max_length=3, metadata={"example": "CNY"})
    lines = fields.List(fields.Nested(ExpenseClaimLine), required=True,
                        validate=validate.Length(min=1, max=50))


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

    @api_action("/claims", request=ExpenseClaimRequest, status=201, permission="claim",
                errors={422: "Refused with field messages; nothing written"})
    def post_claim(self, data):
        """Create a draft expense claim."""
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
