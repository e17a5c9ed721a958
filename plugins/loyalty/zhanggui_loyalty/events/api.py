"""Member events over the REST API, under ``/api/v1/loyalty/events/``.

* ``POST /<id>/signups`` ``{"member": {"phone"}|{"card"} | "member_id": n,
  "channel": "app"}`` -> 201 the sign-up; 409 ``event_full``, ``tier_not_allowed``,
  ``already_signed_up``, ``event_closed``; 404 ``event_not_found`` /
  ``member_not_found``; 422 ``invalid`` with field messages.
* ``GET /?member_id=`` (or ``?phone=``/``?card=``): open events not over yet, with
  the places left and, for a member, ``signed_up`` and ``may_sign_up``.
* ``POST /<id>/attendance`` ``{"member": ... | "member_id": n}`` -> 201 on the first
  check-in with the points awarded and the new balance, 200 with the same figures
  (``already_checked_in``: true) on any later one; 409 ``not_signed_up`` /
  ``check_in_closed``.

Store scope: a store-scoped caller reaches only its stores' events and members whose
home store is one of its stores (404 ``event_not_found`` / ``member_not_found``
otherwise, as for a missing one).  Bodies are validated by
:mod:`zhanggui_loyalty.api_schemas`, which the OpenAPI document declares.
"""
from __future__ import annotations

from flask import jsonify, make_response, request
from flask_appbuilder.api import BaseApi, expose
from flask_appbuilder.security.decorators import protect

from zhanggui import _
from zhanggui.console.scope import user_store_codes

from ..access import find_reachable_member, reachable_member
from ..api_schemas import EventMemberRequest, SignupRequest, load
from ..ledger.api import _answers, _body, _fields, _json_body
from ..ledger.redemption import LoyaltyError
from .service import check_in, sign_up, signup_dict, upcoming_events

_EVENT_ID = {"in": "path", "name": "event_id", "required": True,
             "schema": {"type": "integer", "minimum": 1}}


def _member_of(data: dict, codes) -> int:
    """The member named by ``member_id`` or by ``member`` (phone or card), within the
    caller's stores ``codes`` (404 otherwise)."""
    if data.get("member_id") is not None:
        return reachable_member(data["member_id"], codes)
    member = data["member"]
    return find_reachable_member(member["phone"], member["card"], codes)


class LoyaltyEventApi(BaseApi):
    """Sign-ups and check-ins of member events for apps, tills and the call center."""

    resource_name = "loyalty_events"
    route_base = "/api/v1/loyalty/events"
    allow_browser_login = True
    openapi_spec_tag = "Loyalty events"
    method_permission_name = {"signups": "signup", "attendance": "check_in",
                              "upcoming": "get"}
    openapi_spec_methods = {
        "upcoming": {"get": {
            "parameters": [
                {"in": "query", "name": "member_id",
                 "schema": {"type": "integer", "minimum": 1}},
                {"in": "query", "name": "phone", "schema": {"type": "string",
                                                            "maxLength": 32}},
                {"in": "query", "name": "card", "schema": {"type": "string",
                                                           "maxLength": 32}}],
            "responses": _answers({200: ("Open events of the caller's stores", None)},
                                  _404="No such member within the caller's stores",
                                  _422="A malformed member id")}},
        "signups": {"post": {
            "parameters": [_EVENT_ID],
            "requestBody": _json_body("SignupRequest"),
            "responses": _answers(
                {201: ("The member has a place", None)},
                _404="No such event or member within the caller's stores",
                _409="event_full, tier_not_allowed, already_signed_up or event_closed",
                _422="Field messages; nothing written")}},
        "attendance": {"post": {
            "parameters": [_EVENT_ID],
            "requestBody": _json_body("EventMemberRequest"),
            "responses": _answers(
                {201: ("Checked in; the attendance points awarded", None),
                 200: ("Checked in before: the same figures", None)},
                _404="No such event or member within the caller's stores",
                _409="not_signed_up or check_in_closed",
                _422="Field messages; nothing written")}},
    }

    def _error(self, exc: LoyaltyError):
        return make_response(jsonify(exc.as_dict()), exc.status)

    def _scoped(self, event_id: int, codes) -> None:
        """A store-scoped caller reaches only its stores' events (404 otherwise)."""
        from ..models import MemberEvent

        event = MemberEvent.get_or_none(MemberEvent.id == event_id) \
            if 0 < event_id < 2 ** 63 else None
        if event is None or (codes is not None and event.store_code not in codes):
            raise LoyaltyError(404, "event_not_found", _("There is no such member event."))

    @expose("/", methods=["GET"])
    @protect()
    def upcoming(self):
        """Open member events, and which of them a member may sign up for.
        ---
        get:
          summary: Open member events, and which of them a member may join
        """
        try:
            codes = user_store_codes()
            member_id = None
            raw = request.args.get("member_id")
            if raw is not None:
                if not raw.isdigit() or not 0 < int(raw) < 2 ** 63:
                    raise _fields({"member_id": [_("Give the member id as a whole number.")]})
                member_id = reachable_member(int(raw), codes)
            elif request.args.get("phone") or request.args.get("card"):
                from ..api_schemas import MemberRef

                ref = load(MemberRef, {k: request.args.get(k) for k in ("phone", "card")})
                member_id = find_reachable_member(ref["phone"], ref["card"], codes)
            return self.response(200, result=upcoming_events(member_id, codes))
        except LoyaltyError as exc:
            return self._error(exc)

    @expose("/<int:event_id>/signups", methods=["POST"])
    @protect()
    def signups(self, event_id: int):
        """Give a member a place at an event.
        ---
        post:
          summary: Give a member a place at an event
        """
        try:
            data = load(SignupRequest, _body())
            codes = user_store_codes()
            self._scoped(event_id, codes)
            member_id = _member_of(data, codes)
            signup = sign_up(event_id, member_id, data["channel"] or "app")
            return self.response(201, **signup_dict(signup))
        except LoyaltyError as exc:
            return self._error(exc)

    @expose("/<int:event_id>/attendance", methods=["POST"])
    @protect()
    def attendance(self, event_id: int):
        """Check a member in and award the attendance points (once).
        ---
        post:
          summary: Check a member in and award the attendance points (once)
        """
        try:
            data = load(EventMemberRequest, _body())
            codes = user_store_codes()
            self._scoped(event_id, codes)
            member_id = _member_of(data, codes)
            result = check_in(event_id, member_id)
            return self.response(200 if result.repeated else 201, **result.as_dict())
        except LoyaltyError as exc:
            return self._error(exc)
