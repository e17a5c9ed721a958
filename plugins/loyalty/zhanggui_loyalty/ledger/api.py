"""The loyalty REST API under ``/api/v1/loyalty/`` (thin: the rules live elsewhere).

* ``POST /redemptions`` ``{"id", "member": {"phone"}|{"card"}, "points", "store",
  "reason"}`` -> 201 ``{"id", "member", "points", "balance", "pending", "entry",
  "drawn_from"}``; 409 ``insufficient_points`` / ``idempotency_key_reused``;
  404 ``member_not_found``; 422 ``invalid`` with field messages.
* ``GET /members/<id>``, ``GET /members?phone=...`` or ``?card=...``: the member's
  balance, pending points, tier and benefits, next-tier progress, points expiring
  in the next 30 days and the last ledger entries.
* ``POST /preview`` a basket -> the points it would earn, line by line.
* ``POST /adjustments`` ``{"id", "member_id", "points", "reason"}``: a manual
  correction (permissions ``can_adjust on LoyaltyApi`` and ``loyalty.adjust_points``),
  recorded with the user and in the audit log.
* ``POST /preview`` also takes ``"tier": "<code>"`` to preview for any member of a
  tier when no member is given.

Errors answer ``{"code", "message"}``; field errors ``{"code": "invalid",
"message": {field: [messages]}}``.
"""
from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

from flask import g, jsonify, make_response, request
from flask_appbuilder.api import BaseApi, expose
from flask_appbuilder.security.decorators import protect

from zhanggui import (PaymentEvent, PurchaseEvent, PurchaseLineEvent, _, has_permission,
                      plugins, utcnow)

from .adjustments import ADJUST_PERMISSION, adjust_with_audit

from ..rules.earning import preview
from .queries import member_summary
from .redemption import LoyaltyError, redeem_points

MAX_LINES = 1000


def _fields(errors: dict) -> LoyaltyError:
    return LoyaltyError(422, "invalid", errors)  # type: ignore[arg-type]


def _text(data: dict, key: str, errors: dict, max_length: int, required: bool = True):
    value = data.get(key)
    if value is None or value == "":
        if required:
            errors[key] = [_("This field is required.")]
        return None
    if not isinstance(value, str) or len(value) > max_length:
        errors[key] = [_("Give text of at most %(count)s characters.", count=max_length)]
        return None
    return value.strip()


def _whole(data: dict, key: str, errors: dict):
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        errors[key] = [_("Give a whole number of points.")]
        return None
    return value


def _money(value: Any, where: str, errors: dict) -> decimal.Decimal | None:
    if isinstance(value, (bool, float)) or not isinstance(value, (str, int)):
        errors[where] = [_("Give amounts as decimal strings, e.g. \"12.50\".")]
        return None
    try:
        number = decimal.Decimal(str(value))
    except decimal.InvalidOperation:
        errors[where] = [_("Not a valid amount.")]
        return None
    if not number.is_finite() or number < 0 or number >= 10 ** 10:
        errors[where] = [_("Not a valid amount.")]
        return None
    return number


def _body() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise LoyaltyError(400, "invalid", _("The request body must be a JSON object."))
    return data


def find_member_id(phone: str | None, card: str | None) -> int:
    member_id = plugins().call_first("zhanggui_find_member", phone=phone, card=card)
    if member_id is None:
        raise LoyaltyError(404, "member_not_found", _("No member has this phone or card."))
    return int(member_id)


def _member_ref(data: dict, errors: dict) -> tuple[str | None, str | None]:
    member = data.get("member")
    if not isinstance(member, dict) or not (member.get("phone") or member.get("card")):
        errors["member"] = [_("Give the member as {\"phone\": ...} or {\"card\": ...}.")]
        return None, None
    phone, card = member.get("phone"), member.get("card")
    if (phone is not None and not isinstance(phone, str)) or \
            (card is not None and not isinstance(card, str)):
        errors["member"] = [_("Give the phone and card numbers as text.")]
        return None, None
    return phone or None, card or None


def parse_basket(data: dict) -> tuple[PurchaseEvent, tuple[str | None, str | None] | None]:
    """A preview basket as a PurchaseEvent (nothing is stored), and the member ref."""
    errors: dict = {}
    member = _member_ref(data, errors) if data.get("member") is not None else None
    occurred_at = utcnow()
    if data.get("occurred_at"):
        try:
            occurred_at = dt.datetime.fromisoformat(str(data["occurred_at"]))
            if occurred_at.tzinfo is None:
                raise ValueError
        except ValueError:
            errors["occurred_at"] = [_("Give the time in ISO 8601 with its offset.")]
    lines, raw_lines = [], data.get("lines")
    if not isinstance(raw_lines, list) or not raw_lines or len(raw_lines) > MAX_LINES:
        errors["lines"] = [_("A basket needs between 1 and %(count)s lines.", count=MAX_LINES)]
        raw_lines = []
    for i, raw in enumerate(raw_lines):
        raw = raw if isinstance(raw, dict) else {}
        line_errors: dict = {}
        amount = _money(raw.get("amount"), "amount", line_errors)
        sku = _text(raw, "sku", line_errors, 40, required=False) or ""
        category = _text(raw, "category", line_errors, 40, required=False) or ""
        counter = _text(raw, "counter", line_errors, 20, required=False)
        if line_errors:
            errors.setdefault("lines", {})[str(i)] = line_errors
        else:
            lines.append(PurchaseLineEvent(line_id=i, sku=sku, name=sku, category=category,
                                           counter=counter, quantity=decimal.Decimal(1),
                                           amount=amount))
    payments = []
    for i, raw in enumerate(data.get("payments") or []):
        raw = raw if isinstance(raw, dict) else {}
        pay_errors: dict = {}
        amount = _money(raw.get("amount"), "amount", pay_errors)
        method = _text(raw, "method", pay_errors, 20)
        if pay_errors:
            errors.setdefault("payments", {})[str(i)] = pay_errors
        else:
            payments.append(PaymentEvent(method=method, amount=amount))
    if errors:
        raise _fields(errors)
    total = sum((ln.amount for ln in lines), decimal.Decimal("0"))
    event = PurchaseEvent(purchase_id="preview", pos_id="preview", member_id=None,
                          store_code=str(data.get("store") or ""), currency="CNY",
                          occurred_at=occurred_at.astimezone(dt.timezone.utc),
                          channel="preview", total=total, lines=tuple(lines),
                          payments=tuple(payments))
    return event, member


class LoyaltyApi(BaseApi):
    """Points, tiers and redemptions for tills, apps and the call center."""

    resource_name = "loyalty"
    allow_browser_login = True
    openapi_spec_tag = "Loyalty"
    method_permission_name = {"member": "get", "member_lookup": "get", "redeem": "redeem",
                              "adjust": "adjust", "basket_preview": "preview"}

    def _error(self, exc: LoyaltyError):
        # BaseApi.response() reserves the keyword ``code`` for the HTTP status
        return make_response(jsonify(exc.as_dict()), exc.status)

    @expose("/members/<int:member_id>", methods=["GET"])
    @protect()
    def member(self, member_id: int):
        """A member's points and tier by member id."""
        return self.response(200, **member_summary(member_id))

    @expose("/members", methods=["GET"])
    @protect()
    def member_lookup(self):
        """A member's points and tier by ``?phone=`` or ``?card=``."""
        phone, card = request.args.get("phone"), request.args.get("card")
        try:
            if not phone and not card:
                raise _fields({"phone": [_("Give a phone or a card number.")]})
            return self.response(200, **member_summary(find_member_id(phone, card)))
        except LoyaltyError as exc:
            return self._error(exc)

    @expose("/redemptions", methods=["POST"])
    @protect()
    def redeem(self):
        """Spend a member's points (idempotent by ``id``)."""
        try:
            data = _body()
            errors: dict = {}
            key = _text(data, "id", errors, 64)
            phone, card = _member_ref(data, errors)
            points = _whole(data, "points", errors)
            store = _text(data, "store", errors, 20, required=False)
            reason = _text(data, "reason", errors, 200, required=False)
            if points is not None and points <= 0:
                errors["points"] = [_("Points must be a whole number above zero.")]
            if errors:
                raise _fields(errors)
            answer = redeem_points(key, find_member_id(phone, card), points, store, reason)
            return self.response(answer.status, **answer.body)
        except LoyaltyError as exc:
            return self._error(exc)

    @expose("/adjustments", methods=["POST"])
    @protect()
    def adjust(self):
        """A manual correction of a member's points, with a reason."""
        try:
            data = _body()
            errors: dict = {}
            key = _text(data, "id", errors, 64)
            member_id = _whole(data, "member_id", errors)
            points = _whole(data, "points", errors)
            reason = _text(data, "reason", errors, 200)
            if errors:
                raise _fields(errors)
            if not has_permission(ADJUST_PERMISSION):
                raise LoyaltyError(403, "forbidden",
                                   _("Adjusting points needs the permission %(name)s.",
                                     name=ADJUST_PERMISSION))
            answer = adjust_with_audit(key, member_id, points, reason,
                                       getattr(g, "user", None))
            return self.response(answer.status, **answer.body)
        except LoyaltyError as exc:
            return self._error(exc)

    @expose("/preview", methods=["POST"])
    @protect()
    def basket_preview(self):
        """The points a basket would earn, line by line (nothing is written)."""
        try:
            data = _body()
            event, member = parse_basket(data)
            member_id = find_member_id(*member) if member else None
            tier = data.get("tier") if isinstance(data.get("tier"), str) else None
            calc = preview(event, member_id, tier_code=tier)
            return self.response(200, member=member_id, **calc.as_dict())
        except LoyaltyError as exc:
            return self._error(exc)
