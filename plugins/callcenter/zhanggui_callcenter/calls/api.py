"""``POST /api/v1/callcenter/calls``: call events from a PBX/CTI connector (thin).

A connector authenticates with an API key of its own console user (Security → API
keys; the user holds the role ``CTI connector``); the user's name is the connector's
name, so two PBXes may use the same call ids.
"""
from __future__ import annotations

import logging

from flask import g, request
from flask_appbuilder.api import BaseApi, expose
from flask_appbuilder.security.decorators import permission_name, protect

from zhanggui import _

from ..answers import json_answer
from .schemas import CallAnswerSchema, CallEventSchema
from .service import RecordCallEvent

log = logging.getLogger("zhanggui.callcenter.calls")


class CallEventApi(BaseApi):
    resource_name = "callcenter"
    openapi_spec_tag = "Call center"
    openapi_spec_component_schemas = (CallEventSchema, CallAnswerSchema)

    @expose("/calls", methods=["POST"])
    @protect()
    @permission_name("record")
    def post_call_event(self):
        """Record a call event (started, answered, ended).
        ---
        post:
          summary: Record a PBX call event
          description: >-
            The connector's call id and the event are the idempotency key: 201 the
            first time, 200 with the same stored answer for a replay of the same body,
            409 for the same event with another body, 422 with field messages (and
            nothing recorded) for a bad body. A started or answered event naming an
            agent's extension pops the caller on that agent's console.
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  $ref: '#/components/schemas/CallEventSchema'
          responses:
            201:
              description: Recorded
              content:
                application/json:
                  schema:
                    $ref: '#/components/schemas/CallAnswerSchema'
            200:
              description: Already recorded with this body; the stored answer
            409:
              description: This event of the call was recorded with another body
            422:
              description: Invalid; nothing recorded
        """
        command = RecordCallEvent(g.user.username, request.get_json(silent=True))
        try:
            answer = command.run()
        except Exception:
            log.exception("call event failed and was rolled back")
            return json_answer(500, {"message": _("The call event could not be recorded; "
                                                  "nothing of it was stored. Send it again.")})
        return json_answer(answer.status, answer.body)
