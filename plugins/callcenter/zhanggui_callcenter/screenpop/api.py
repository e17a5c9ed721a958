"""``GET /api/v1/callcenter/screen-pop?phone=``: the pop for CTI clients (thin)."""
from __future__ import annotations

from flask import request
from flask_appbuilder.api import BaseApi, expose
from flask_appbuilder.security.decorators import permission_name, protect

from zhanggui import _

from ..answers import json_answer
from ..phones import CallerNumberError
from .service import screen_pop


class ScreenPopApi(BaseApi):
    resource_name = "callcenter"
    openapi_spec_tag = "Call center"

    @expose("/screen-pop", methods=["GET"])
    @protect()
    @permission_name("pop")
    def get_screen_pop(self):
        """What the agent sees about a caller.
        ---
        get:
          summary: Screen pop for a caller number
          parameters:
          - in: query
            name: phone
            required: true
            schema:
              type: string
          responses:
            200:
              description: >-
                The caller's member (or null), tier and points, last purchases, consent,
                open tickets and recent calls
            422:
              description: No phone, or not a number of CN, TW, HK or MO
        """
        phone = request.args.get("phone")
        if not phone:
            return json_answer(422, {"message": {"phone": [_("Enter the caller's phone "
                                                             "number.")]}})
        try:
            return json_answer(200, screen_pop(phone))
        except CallerNumberError as exc:
            return json_answer(422, {"message": {"phone": [str(exc.args[0])]}})
