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
"""
from __future__ import annotations

from flask import jsonify, make_response, request
from flask_appbuilder.api import BaseApi, expose
from flask_appbuilder.security.decorators import protect

from zhanggui import _

from ..ledger.api import _body, _fields, _member_ref, _text, find_member_id
from ..ledger.redemption import LoyaltyError
from .service import check_in, sign_up, signup_dict, upcoming_events


def _member_of(data: dict, errors: dict) -> int | None:
    """The member named by ``member_id`` or by ``member`` (phone or card)."""
    if data.get("member_id") is not None:
        value = data["member_id"]
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            errors["member_id"] = [_("Give the member id as a whole number.")]
        return value if not errors.get("member_id") else None
    phone, card = _member_ref(data, errors)
    return None if errors else find_member_id(phone, card)


class LoyaltyEventApi(BaseApi):
    """Sign-ups and check-ins of member events for apps, tills and the call center."""

    resource_name = "loyalty_events"
    route_base = "/api/v1/loyalty/events"
    allow_browser_login = True
    openapi_spec_tag = "Loyalty events"
    method_permission_name = {"signups": "signup", "attendance": "check_in",
                              "upcoming": "get"}

    def _error(self, exc: LoyaltyError):
        return make_response(jsonify(exc.as_dict()), exc.status)

    def _scoped(self, event_id: int) -> None:
        """A store-scoped caller reaches only its stores' events (404 otherwise)."""
        from zhanggui.console.scope import user_store_codes

        from ..models import MemberEvent

        event = MemberEvent.get_or_none(MemberEvent.id == event_id)
        codes = user_store_codes()
        if event is None or (codes is not None and event.store_code not in codes):
            raise LoyaltyError(404, "event_not_found", _("There is no such member event."))

    @expose("/", methods=["GET"])
    @protect()
    def upcoming(self):
        """Open member events, and which of them a member may sign up for."""
        from zhanggui.console.scope import user_store_codes

        try:
            member_id = None
            raw = request.args.get("member_id")
            if raw is not None:
                if not raw.isdigit() or int(raw) <= 0:
                    raise _fields({"member_id": [_("Give the member id as a whole number.")]})
                member_id = int(raw)
            elif request.args.get("phone") or request.args.get("card"):
                member_id = find_member_id(request.args.get("phone"), request.args.get("card"))
            return self.response(200, result=upcoming_events(member_id, user_store_codes()))
        except LoyaltyError as exc:
            return self._error(exc)

    @expose("/<int:event_id>/signups", methods=["POST"])
    @protect()
    def signups(self, event_id: int):
        """Give a member a place at an event."""
        try:
            data = _body()
            errors: dict = {}
            channel = _text(data, "channel", errors, 20, required=False) or "app"
            member_id = None if errors else _member_of(data, errors)
            if errors:
                raise _fields(errors)
            self._scoped(event_id)
            signup = sign_up(event_id, member_id, channel)
            return self.response(201, **signup_dict(signup))
        except LoyaltyError as exc:
            return self._error(exc)

    @expose("/<int:event_id>/attendance", methods=["POST"])
    @protect()
    def attendance(self, event_id: int):
        """Check a member in and award the attendance points (once)."""
        try:
            data = _body()
            errors: dict = {}
            member_id = _member_of(data, errors)
            if errors:
                raise _fields(errors)
            self._scoped(event_id)
            result = check_in(event_id, member_id)
            return self.response(200 if result.repeated else 201, **result.as_dict())
        except LoyaltyError as exc:
            return self._error(exc)
