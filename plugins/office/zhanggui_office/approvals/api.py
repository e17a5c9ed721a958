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

from flask import Response, g, request
from flask_appbuilder.api import BaseApi, expose
from flask_appbuilder.security.decorators import permission_name, protect
from marshmallow import Schema, ValidationError, fields, validate

from zhanggui import _, has_permission

from .models import ApprovalRequest, Decision, RequestStep
from .permissions import DECIDE
from .service import ApprovalError, Decide, Delegate, inbox, summary


def _answer(status: int, body) -> Response:
    return Response(json.dumps(body, ensure_ascii=False), status=status,
                    mimetype="application/json")


class DecisionSchema(Schema):
    verdict = fields.String(required=True, validate=validate.OneOf(["approve", "reject"]))
    comment = fields.String(load_default="", validate=validate.Length(max=2000))
    slot = fields.Integer(load_default=None, allow_none=True, strict=True,
                          validate=validate.Range(min=1, max=2 ** 62))


class DelegationSchema(Schema):
    delegate = fields.Integer(required=True, strict=True, validate=validate.Range(min=1,
                                                                                   max=2 ** 31))
    starts_at = fields.AwareDateTime(required=True, default_timezone=None)
    ends_at = fields.AwareDateTime(required=True, default_timezone=None)
    kind = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=80))


def _translated(messages: dict) -> dict:
    """marshmallow's English messages, in the caller's language for the common ones."""
    known = {"Missing data for required field.": _("This field is required."),
             "Not a valid integer.": _("Give a whole number."),
             "Not a valid datetime.": _("Give a date and time with its offset "
                                        "(ISO 8601)."),
             "Not a valid aware datetime.": _("Give a date and time with its offset "
                                              "(ISO 8601)."),
             "Unknown field.": _("Unknown field.")}
    out = {}
    for key, value in messages.items():
        items = value if isinstance(value, list) else [value]
        out[key] = [known.get(str(v), _("Invalid value.")) if isinstance(v, str)
                    else _("Invalid value.") for v in items]
    return out


def _body(schema: Schema):
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return None, _answer(400, {"message": _("The request body is not a JSON object.")})
    try:
        return schema.load(data), None
    except ValidationError as exc:
        return None, _answer(422, {"message": _translated(exc.messages)})


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

    @expose("/<int:pk>/decision", methods=["POST"])
    @protect()
    @permission_name("decide")
    def post_decision(self, pk):
        """Approve or reject the current step as the caller.
        ---
        post:
          summary: Decide the current step of a request
          parameters:
          - in: path
            name: pk
            schema:
              type: integer
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  type: object
                  properties:
                    verdict:
                      type: string
                      enum: [approve, reject]
                    comment:
                      type: string
                    slot:
                      type: integer
          responses:
            201:
              description: Recorded
            403:
              description: The caller may not decide approvals
            404:
              description: No such request for the caller
            422:
              description: Refused; nothing changed
        """
        if not has_permission(DECIDE):
            return _answer(403, {"message": _("You may not decide approvals.")})
        if _visible(pk) is None:
            return _answer(404, {"message": _("No such approval request.")})
        data, error = _body(DecisionSchema())
        if error:
            return error
        try:
            outcome = Decide(pk, g.user.id, data["verdict"], data["comment"], channel="api",
                             slot_id=data["slot"]).run()
        except ApprovalError as exc:
            return _answer(422, {"message": exc.messages})
        return _answer(201, {"result": request_json(outcome.request),
                             "finished": outcome.finished})

    @expose("/delegations", methods=["POST"])
    @protect()
    @permission_name("delegate")
    def post_delegation(self):
        """Let another user decide for the caller while away.
        ---
        post:
          summary: Delegate the caller's approvals for a time
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  type: object
                  properties:
                    delegate:
                      type: integer
                    starts_at:
                      type: string
                      format: date-time
                    ends_at:
                      type: string
                      format: date-time
                    kind:
                      type: string
          responses:
            201:
              description: Recorded
            422:
              description: Refused; nothing changed
        """
        data, error = _body(DelegationSchema())
        if error:
            return error
        try:
            row = Delegate(g.user.id, data["delegate"], data["starts_at"], data["ends_at"],
                           data["kind"]).run()
        except ApprovalError as exc:
            return _answer(422, {"message": exc.messages})
        return _answer(201, {"result": {"id": row.id, "delegate": row.delegate_id,
                                        "starts_at": row.starts_at.isoformat(),
                                        "ends_at": row.ends_at.isoformat(),
                                        "kind": row.kind}})
