"""``/api/v1/approvals/``: the inbox, one request, decisions and delegations.

* ``GET /inbox``: what the caller may decide now.
* ``GET /<id>``: one request (the caller's stores, their own, or one they may
  decide): summary, path, decisions.
* ``POST /<id>/decision`` ``{"verdict": "approve"|"reject", "comment": "...",
  "slot": <optional slot id>}``: 201; 422 with field messages and nothing changed.
* ``POST /delegations`` ``{"delegate": <user id>, "starts_at": ISO, "ends_at": ISO,
  "kind": optional}``: 201; 422 with field messages.
"""
from __future__ import annotations

import json

from flask import Response, g
from flask_appbuilder.api import BaseApi, expose
from flask_appbuilder.security.decorators import permission_name, protect
from marshmallow import Schema, fields, validate

from zhanggui import Instant, SafeString, WholeNumber, _, api_action, has_permission

from .models import ApprovalRequest, Decision, RequestStep
from .permissions import DECIDE
from .service import ApprovalError, Decide, Delegate, inbox, summary


def _answer(status: int, body) -> Response:
    # a lone surrogate echoed from the request stays a JSON escape, not a 500
    return Response(json.dumps(body, ensure_ascii=False).encode("utf-8", "backslashreplace"),
                    status=status,
                    mimetype="application/json")


class ApprovalDecision(Schema):
    verdict = fields.String(required=True, validate=validate.OneOf(["approve", "reject"]))
    comment = SafeString(load_default="", max_length=2000)
    slot = WholeNumber(load_default=None, allow_none=True, min_value=1,
                       metadata={"description": "The parallel slot decided (optional)"})


class ApprovalDelegation(Schema):
    delegate = WholeNumber(required=True, min_value=1, max_value=2 ** 31,
                           metadata={"description": "The user who decides meanwhile"})
    starts_at = Instant(required=True)
    ends_at = Instant(required=True)
    kind = SafeString(load_default=None, allow_none=True, max_length=80,
                      metadata={"example": "office.expense"})


def request_json(item: ApprovalRequest) -> dict:
    steps = RequestStep.select().where(RequestStep.request == item.id) \
        .order_by(RequestStep.position)
    return {
        "id": item.id, "reference": item.reference, "kind": item.kind,
        "subject": item.subject, "status": item.status, "store": item.store_code,
        "requested_by": item.requested_by_id, "current_step": item.current_position,
        "requested_at": item.created_at.isoformat(),
        "decided_at": item.decided_at.isoformat() if item.decided_at else None,
        "snapshot": item.data(), "snapshot_hash": item.snapshot_hash,
        "summary": [[label, value] for label, value in summary(item)],
        "steps": [{"position": s.position, "name": s.name, "mode": s.mode,
                   "status": s.status,
                   "slots": [{"id": slot.id, "approver": slot.approver,
                              "status": slot.status} for slot in s.slots]} for s in steps],
        "decisions": [{"step": d.position, "decided_by": d.decided_by_id,
                       "on_behalf_of": d.on_behalf_of_id, "verdict": d.verdict,
                       "comment": d.comment, "through": d.channel,
                       "decided_at": d.decided_at.isoformat()}
                      for d in Decision.select().where(Decision.request == item.id)
                      .order_by(Decision.id)]}


def _visible(pk: int) -> ApprovalRequest | None:
    from zhanggui.console.scope import user_store_codes

    item = ApprovalRequest.get_or_none(ApprovalRequest.id == pk)
    if item is None:
        return None
    codes = user_store_codes()
    if codes is None or item.store_code in codes or item.requested_by_id == g.user.id:
        return item
    if has_permission(DECIDE) and any(i["request"].id == pk for i in inbox(g.user.id)):
        return item
    return None


class ApprovalApi(BaseApi):
    """Approval requests: inbox, details, decisions, delegations."""

    resource_name = "approvals"
    openapi_spec_tag = "Approvals"
    base_permissions = ["can_inbox", "can_get", "can_decide", "can_delegate"]

    @expose("/inbox", methods=["GET"])
    @protect()
    @permission_name("inbox")
    def get_inbox(self):
        """What the caller may decide now.
        ---
        get:
          summary: The caller's approval inbox
          responses:
            200:
              description: Open approvals, oldest first
        """
        items = inbox(g.user.id) if has_permission(DECIDE) else []
        return _answer(200, {"result": [
            {"request": i["request"].id, "subject": i["request"].subject,
             "kind": i["request"].kind, "step": i["step"].position, "slot": i["slot"].id,
             "on_behalf_of": i["on_behalf_of"],
             "summary": [[k, v] for k, v in summary(i["request"])]} for i in items]})

    @expose("/<int:pk>", methods=["GET"])
    @protect()
    @permission_name("get")
    def get_request(self, pk):
        """One approval request.
        ---
        get:
          summary: One approval request with its path and decisions
          parameters:
          - in: path
            name: pk
            schema:
              type: integer
          responses:
            200:
              description: The request
            404:
              description: No such request for the caller
        """
        item = _visible(pk)
        if item is None:
            return _answer(404, {"message": _("No such approval request.")})
        return _answer(200, {"result": request_json(item)})

    @api_action("/<int:pk>/decision", request=ApprovalDecision, status=201,
                permission="decide",
                errors={403: "The caller may not decide approvals",
                        404: "No such request for the caller",
                        422: "Refused; nothing changed"})
    def post_decision(self, pk, data):
        """Approve or reject the current step of a request as the caller."""
        if not has_permission(DECIDE):
            return _answer(403, {"message": _("You may not decide approvals.")})
        if _visible(pk) is None:
            return _answer(404, {"message": _("No such approval request.")})
        try:
            outcome = Decide(pk, g.user.id, data["verdict"], data["comment"] or "",
                             channel="api", slot_id=data["slot"]).run()
        except ApprovalError as exc:
            return _answer(422, {"message": exc.messages})
        return _answer(201, {"result": request_json(outcome.request),
                             "finished": outcome.finished})

    @api_action("/delegations", request=ApprovalDelegation, status=201,
                permission="delegate", errors={422: "Refused; nothing changed"})
    def post_delegation(self, data):
        """Let another user decide for the caller while away."""
        try:
            row = Delegate(g.user.id, data["delegate"], data["starts_at"], data["ends_at"],
                           data["kind"]).run()
        except ApprovalError as exc:
            return _answer(422, {"message": exc.messages})
        return _answer(201, {"result": {"id": row.id, "delegate": row.delegate_id,
                                        "starts_at": row.starts_at.isoformat(),
                                        "ends_at": row.ends_at.isoformat(),
                                        "kind": row.kind}})
