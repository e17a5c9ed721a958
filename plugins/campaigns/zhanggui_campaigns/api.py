"""``/api/v1/campaigns/…``: counting audiences, launching, results, and the inbound
events of the world outside (bounces fed by a mail server, SMS replies from a gateway).

Bodies are checked by the marshmallow schemas below, which are also what the
OpenAPI document declares (``openapi_spec_component_schemas``): 422 with field
messages, nothing changed.
"""
from __future__ import annotations

import json

from flask import Response, request
from flask_appbuilder.api import BaseApi, expose
from flask_appbuilder.security.decorators import permission_name, protect
from marshmallow import Schema, ValidationError, fields, validate

from zhanggui import _

from .audiences.definition import AudienceError, count, parse


def _no_nul(value: str) -> None:
    if "\x00" in value or any(0xD800 <= ord(ch) <= 0xDFFF for ch in value):
        raise ValidationError(_("Remove control characters from the text."))


class AudienceCountSchema(Schema):
    definition = fields.Dict(required=True, metadata={
        "description": "The condition tree: {\"all\"|\"any\": [...]}, {\"not\": ...} "
                       "or one condition {\"criterion\", \"op\", \"value\"}",
        "properties": {
            "criterion": {"type": "string", "description": "A condition's name"},
            "op": {"type": "string", "description": "One of the condition's operators"},
            "value": {"type": "array", "items": {"type": "string"},
                      "description": "Choices; a number, two numbers or days by condition"},
        },
        "example": {"criterion": "members.lifecycle", "op": "in", "value": ["active"]}})


#: a delivery status notification with the original's headers is a few kilobytes; one
#: that carries the whole original message is cut by the mail server to this much
MAX_BOUNCE = 500_000


class BounceSchema(Schema):
    message = fields.String(required=True, validate=[validate.Length(max=MAX_BOUNCE), _no_nul],
                            metadata={"description": "The bounce as received (RFC 5322), "
                                                     "at most 500,000 characters"})


class SmsReplySchema(Schema):
    sender = fields.String(required=True, data_key="from",
                           validate=[validate.Length(min=5, max=20), _no_nul])
    text = fields.String(required=True, validate=[validate.Length(max=500), _no_nul])


def _json(status: int, body) -> Response:
    # a lone surrogate echoed from the request stays a JSON escape, not a 500
    return Response(json.dumps(body, ensure_ascii=False, default=str).encode("utf-8", "backslashreplace"),
                    status=status,
                    mimetype="application/json")


def _load(schema: Schema):
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return None, _json(400, {"message": _("The request body is not a JSON object.")})
    try:
        return schema.load(data), None
    except ValidationError as exc:
        return None, _json(422, {"message": exc.messages})


def _nested(errors: dict[str, list[str]]) -> dict:
    """``{"definition.all.0.value": [..]}`` as ``{"definition": {"all": {"0": {"value":
    [..]}}}}``: field messages shaped like the body, as every other endpoint answers."""
    out: dict = {}
    for place, messages in errors.items():
        node = out
        *parents, leaf = place.split(".")
        for part in parents:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):  # a group with its own message and items'
                break
        else:
            node[leaf] = messages if not isinstance(node.get(leaf), dict) else \
                {**node[leaf], "_schema": messages}
    return out


class CampaignApi(BaseApi):
    """Audiences, launches and results of marketing campaigns."""

    resource_name = "campaigns"
    openapi_spec_tag = "Campaigns"
    openapi_spec_component_schemas = (AudienceCountSchema, BounceSchema, SmsReplySchema)

    @expose("/audiences/count", methods=["POST"])
    @protect()
    @permission_name("count")
    def audience_count(self):
        """Count the members an audience definition selects now.
        ---
        post:
          summary: Count an audience
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  $ref: '#/components/schemas/AudienceCountSchema'
          responses:
            200:
              description: The number of members
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      count:
                        type: integer
            400:
              description: The body is not a JSON object
            422:
              description: The definition is not valid (field messages)
        """
        data, error = _load(AudienceCountSchema())
        if error:
            return error
        try:
            tree = parse(data["definition"])
        except AudienceError as exc:
            return _json(422, {"message": _nested(exc.errors)})
        return _json(200, {"count": count(tree)})

    @expose("/<int:campaign_id>/launch", methods=["POST"])
    @protect()
    @permission_name("launch")
    def launch(self, campaign_id: int):
        """Launch a draft campaign: snapshot its audience and queue the sends.
        ---
        post:
          summary: Launch a campaign
          parameters:
          - in: path
            name: campaign_id
            required: true
            schema:
              type: integer
          responses:
            200:
              description: Launched; the number of recipients
            404:
              description: No such campaign
            422:
              description: The campaign cannot be launched (field messages)
        """
        from .sending.launch import LaunchError, launch
        from .sending.models import Campaign

        if Campaign.get_or_none(Campaign.id == campaign_id) is None:
            return _json(404, {"message": _("No such campaign.")})
        try:
            total = launch(campaign_id, workers=self.appbuilder.get_app.extensions[
                "zhanggui"].settings["MARKETING_SEND_WORKERS"])
        except LaunchError as exc:
            return _json(422, {"message": exc.errors})
        return _json(200, {"recipients": total})

    @expose("/<int:campaign_id>/results", methods=["GET"])
    @protect()
    @permission_name("results")
    def results(self, campaign_id: int):
        """A campaign's effect against its control group.
        ---
        get:
          summary: Campaign results
          parameters:
          - in: path
            name: campaign_id
            required: true
            schema:
              type: integer
          responses:
            200:
              description: Sizes, response rates, uplift with its 95% interval, revenue, ROI
            404:
              description: No such campaign, or not launched yet
        """
        from .evaluation.service import evaluate
        from .sending.models import Campaign

        campaign = Campaign.get_or_none(Campaign.id == campaign_id)
        if campaign is None or campaign.launched_at is None:
            return _json(404, {"message": _("No such launched campaign.")})
        return _json(200, results_json(evaluate(campaign_id)))

    @expose("/bounces", methods=["POST"])
    @protect()
    @permission_name("bounce")
    def bounce(self):
        """Feed a bounce (delivery status notification) the mail server received.
        ---
        post:
          summary: Record a bounce
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  $ref: '#/components/schemas/BounceSchema'
          responses:
            200:
              description: '"hard", "soft", or null when it was not a bounce of ours'
            422:
              description: Invalid body
        """
        from .tracking.service import record_bounce

        data, error = _load(BounceSchema())
        if error:
            return error
        return _json(200, {"bounce": record_bounce(data["message"].encode("utf-8",
                                                                          "surrogateescape"))})

    @expose("/sms-replies", methods=["POST"])
    @protect()
    @permission_name("sms_reply")
    def sms_reply(self):
        """An SMS a member sent back (from the gateway's inbound hook).
        ---
        post:
          summary: Record an SMS reply
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  $ref: '#/components/schemas/SmsReplySchema'
          responses:
            200:
              description: Whether it withdrew SMS consent (a stop word such as T or 退订)
            422:
              description: Invalid body
        """
        from .tracking.service import sms_reply

        data, error = _load(SmsReplySchema())
        if error:
            return error
        return _json(200, {"unsubscribed": sms_reply(data["sender"], data["text"])})


def results_json(result) -> dict:
    def group(g):
        return {"size": g.size, "responders": g.responders, "response_rate": round(g.rate, 6),
                "revenue": str(g.revenue), "revenue_per_member": str(g.revenue_per_member)}

    return {"target": group(result.target), "control": group(result.control),
            "uplift": round(result.uplift, 6),
            "uplift_95": [round(result.uplift_low, 6), round(result.uplift_high, 6)],
            "attributed_revenue": str(result.attributed_revenue), "cost": str(result.cost),
            "roi": None if result.roi is None else round(result.roi, 4),
            "opened": result.opened, "clicked": result.clicked,
            "unsubscribed": result.unsubscribed}
