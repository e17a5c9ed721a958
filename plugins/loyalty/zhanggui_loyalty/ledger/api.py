"""The loyalty REST API under ``/api/v1/loyalty/`` (thin: the rules live elsewhere).

* ``POST /redemptions`` ``{"id", "member": {"phone"}|{"card"}, "points", "store",
  "reason"}`` -> 201 ``{"id", "member", "points", "balance", "pending", "entry",
  "drawn_from"}``; a replay (same id, same body) 200 with the first answer; 409
  ``insufficient_points`` / ``idempotency_key_reused`` (same id, another body);
  404 ``member_not_found`` (also for a member outside the caller's stores); 403
  ``store_forbidden`` for another store; 422 ``invalid`` with field messages (an
  unknown store among them).
* ``GET /members/<id>``, ``GET /members?phone=...`` or ``?card=...``: the member's
  balance, pending points, tier and benefits, next-tier progress, points expiring
  in the next 30 days and the last ledger entries; 404 for an unknown member or one
  outside the caller's stores.

Store scope is the 360° view's (:mod:`zhanggui_loyalty.access`).  Every read of a
member's points and every redemption is written to the audit log.  Bodies are
validated by the schemas of :mod:`zhanggui_loyalty.api_schemas`, which are also what
the OpenAPI document declares.
* ``POST /preview`` a basket (:class:`~zhanggui_loyalty.api_schemas.BasketPreviewRequest`)
  -> the points it would earn, line by line.
* ``POST /adjustments`` ``{"id", "member_id", "points", "reason"}``: a manual
  correction (permissions ``can_adjust on LoyaltyApi`` and ``loyalty.adjust_points``),
  recorded with the user and in the audit log.
* ``POST /preview`` also takes ``"tier": "<code>"`` to preview for any member of a
  tier when no member is given.

Errors answer ``{"code", "message"}``; field errors ``{"code": "invalid",
"message": {field: [messages]}}``.
"""
from __future__ import annotations

import decimal

from flask import g, jsonify, make_response, request
from flask_appbuilder.api import BaseApi, expose
from flask_appbuilder.security.decorators import protect

from zhanggui import (PaymentEvent, PurchaseEvent, PurchaseLineEvent, _, has_permission,
                      utcnow)

from zhanggui.console.scope import user_store_codes

from ..access import audit_points_read, check_store, find_reachable_member, reachable_member
from .adjustments import ADJUST_PERMISSION, adjust_with_audit

from ..api_schemas import (SCHEMAS, AdjustmentRequest, BasketPreviewRequest,
                           RedemptionRequest, load)
from ..rules.earning import preview
from .queries import member_summary
from .redemption import LoyaltyError, redeem_points


def _fields(errors: dict) -> LoyaltyError:
    return LoyaltyError(422, "invalid", errors)  # type: ignore[arg-type]


def _body() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise LoyaltyError(400, "invalid", _("The request body must be a JSON object."))
    return data


def find_member_id(phone: str | None, card: str | None) -> int:
    """The member with this phone or card within the caller's stores (404 otherwise)."""
    return find_reachable_member(phone, card, user_store_codes())


def basket_event(data: dict) -> PurchaseEvent:
    """A loaded preview basket (:class:`~..api_schemas.BasketPreviewRequest`) as a
    PurchaseEvent; nothing is stored."""
    lines = tuple(PurchaseLineEvent(line_id=i, sku=raw["sku"] or "", name=raw["sku"] or "",
                                    category=raw["category"] or "", counter=raw["counter"],
                                    quantity=decimal.Decimal(1), amount=raw["amount"])
                  for i, raw in enumerate(data["lines"]))
    payments = tuple(PaymentEvent(method=raw["method"], amount=raw["amount"])
                     for raw in data["payments"])
    return PurchaseEvent(purchase_id="preview", pos_id="preview", member_id=None,
                         store_code=data["store"] or "", currency="CNY",
                         occurred_at=data["occurred_at"] or utcnow(), channel="preview",
                         total=sum((ln.amount for ln in lines), decimal.Decimal("0")),
                         lines=lines, payments=payments)


def parse_basket(data: dict) -> tuple[PurchaseEvent, tuple[str | None, str | None] | None]:
    """A preview basket as given (a JSON body, or the console's form as one) loaded and
    turned into a PurchaseEvent, with the member's phone and card if given;
    :class:`LoyaltyError` 422 with field messages when it does not load."""
    loaded = load(BasketPreviewRequest, data)
    member = loaded["member"]
    return basket_event(loaded), ((member["phone"], member["card"]) if member else None)


_MEMBER_ID = {"in": "path", "name": "member_id", "required": True,
              "schema": {"type": "integer", "minimum": 1}}
_PROBLEM = {"application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}}


def _answers(ok: dict, **refusals: str) -> dict:
    """OpenAPI responses: ``ok`` {status: (description, schema name or ``None``)}, the
    refusals {"_<status>": description} and the 401/403 of authentication."""
    out = {str(status): {"description": text, "content": {"application/json": {
        "schema": {"$ref": f"#/components/schemas/{schema}"} if schema else
        {"type": "object"}}}} for status, (text, schema) in ok.items()}
    for status, text in refusals.items():
        out[status.lstrip("_")] = {"description": text, "content": _PROBLEM}
    out["401"] = {"$ref": "#/components/responses/401"}
    out.setdefault("400", {"description": "The body is not a JSON object",
                           "content": _PROBLEM})
    out.setdefault("403", {"description": "The caller's roles do not allow this",
                           "content": _PROBLEM})
    return out


def _json_body(schema: str) -> dict:
    return {"required": True, "content": {"application/json": {
        "schema": {"$ref": f"#/components/schemas/{schema}"}}}}


class LoyaltyApi(BaseApi):
    """Points, tiers and redemptions for tills, apps and the call center."""

    resource_name = "loyalty"
    allow_browser_login = True
    openapi_spec_tag = "Loyalty"
    openapi_spec_component_schemas = SCHEMAS
    method_permission_name = {"member": "get", "member_lookup": "get", "redeem": "redeem",
                              "adjust": "adjust", "basket_preview": "preview"}
    openapi_spec_methods = {
        "member": {"get": {
            "parameters": [_MEMBER_ID],
            "responses": _answers({200: ("The member's points", "MemberPoints")},
                                  _404="No member has this id within the caller's stores")}},
        "member_lookup": {"get": {
            "parameters": [{"in": "query", "name": name, "schema": {
                "type": "string", "maxLength": 32}} for name in ("phone", "card")],
            "responses": _answers({200: ("The member's points", "MemberPoints")},
                                  _404="No member has this phone or card within the "
                                       "caller's stores",
                                  _422="Neither a phone nor a card given")}},
        "redeem": {"post": {
            "requestBody": _json_body("RedemptionRequest"),
            "responses": _answers(
                {201: ("Redeemed", "RedemptionAnswer"),
                 200: ("A replay of the same request: the first answer", "RedemptionAnswer")},
                _403="The store is not one of the caller's stores",
                _404="No member has this phone or card within the caller's stores",
                _409="Too few points (insufficient_points), or the id was used for "
                     "another redemption (idempotency_key_reused); nothing written",
                _422="Field messages (an unknown store among them); nothing written")}},
        "adjust": {"post": {
            "requestBody": _json_body("AdjustmentRequest"),
            "responses": _answers(
                {201: ("Adjusted (or the first answer to a replay)", "RedemptionAnswer")},
                _403="Adjusting needs the permission loyalty.adjust_points",
                _404="No member has this id within the caller's stores",
                _409="The balance would go below zero, or the id was used for another "
                     "adjustment",
                _422="Field messages; nothing written")}},
        "basket_preview": {"post": {
            "requestBody": _json_body("BasketPreviewRequest"),
            "responses": _answers({200: ("Points per line and in total", None)},
                                  _404="No member has this phone or card within the "
                                       "caller's stores",
                                  _422="Field messages")}},
    }

    def _error(self, exc: LoyaltyError):
        # BaseApi.response() reserves the keyword ``code`` for the HTTP status
        return make_response(jsonify(exc.as_dict()), exc.status)

    def _points(self, member_id: int):
        summary = member_summary(member_id)
        audit_points_read(member_id)
        return self.response(200, **summary)

    @expose("/members/<int:member_id>", methods=["GET"])
    @protect()
    def member(self, member_id: int):
        """A member's points and tier by member id.
        ---
        get:
          summary: A member's points and tier by member id
        """
        try:
            return self._points(reachable_member(member_id, user_store_codes()))
        except LoyaltyError as exc:
            return self._error(exc)

    @expose("/members", methods=["GET"])
    @protect()
    def member_lookup(self):
        """A member's points and tier by ``?phone=`` or ``?card=``.
        ---
        get:
          summary: A member's points and tier by phone or card
        """
        args = {k: request.args[k] for k in ("phone", "card") if request.args.get(k)}
        try:
            if not args:
                raise _fields({"phone": [_("Give a phone or a card number.")]})
            from ..api_schemas import MemberRef

            ref = load(MemberRef, args)
            return self._points(find_member_id(ref["phone"], ref["card"]))
        except LoyaltyError as exc:
            return self._error(exc)

    @expose("/redemptions", methods=["POST"])
    @protect()
    def redeem(self):
        """Spend a member's points (idempotent by ``id``).
        ---
        post:
          summary: Spend a member's points (idempotent by id)
        """
        try:
            data = load(RedemptionRequest, _body())
            codes = user_store_codes()
            store = data["store"]
            if store is not None:
                check_store(store, codes)
            member = data["member"]
            member_id = find_reachable_member(member["phone"], member["card"], codes)
            answer = redeem_points(data["id"], member_id, data["points"], store,
                                   data["reason"])
            return self.response(answer.status, **answer.body)
        except LoyaltyError as exc:
            return self._error(exc)

    @expose("/adjustments", methods=["POST"])
    @protect()
    def adjust(self):
        """A manual correction of a member's points, with a reason.
        ---
        post:
          summary: Correct a member's points by hand, with a reason
        """
        try:
            data = load(AdjustmentRequest, _body())
            if data["points"] == 0:
                raise _fields({"points": [_("Points must be a whole number other than zero.")]})
            if not has_permission(ADJUST_PERMISSION):
                raise LoyaltyError(403, "forbidden",
                                   _("Adjusting points needs the permission %(name)s.",
                                     name=ADJUST_PERMISSION))
            member_id = reachable_member(data["member_id"], user_store_codes())
            answer = adjust_with_audit(data["id"], member_id, data["points"], data["reason"],
                                       getattr(g, "user", None))
            return self.response(answer.status, **answer.body)
        except LoyaltyError as exc:
            return self._error(exc)

    @expose("/preview", methods=["POST"])
    @protect()
    def basket_preview(self):
        """The points a basket would earn, line by line (nothing is written).
        ---
        post:
          summary: The points a basket would earn (nothing written)
        """
        try:
            data = load(BasketPreviewRequest, _body())
            member = data["member"]
            member_id = find_member_id(member["phone"], member["card"]) if member else None
            calc = preview(basket_event(data), member_id, tier_code=data["tier"])
            return self.response(200, member=member_id, **calc.as_dict())
        except LoyaltyError as exc:
            return self._error(exc)
