"""The loyalty API's request and answer bodies as marshmallow schemas.

Each request schema validates the body its endpoint receives and, listed in the API's
``openapi_spec_component_schemas``, is what ``/api/v1/_openapi`` declares for it:
one definition, so the document cannot drift from the code.  Text fields refuse NUL
characters, lone surrogates and over-long values; numbers refuse ``true`` and values
beyond their range (422 with field messages, nothing written).
"""
from __future__ import annotations

import decimal
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from zhanggui import Instant, SafeString, StrictBoolean, WholeNumber, _

from .models import SIGNUP_CHANNELS
from .ledger.redemption import MAX_POINTS

MAX_ID = 2 ** 63 - 1
#: the most lines a preview basket may have
MAX_BASKET_LINES = 1000


class _Lenient(Schema):
    class Meta:
        unknown = EXCLUDE   # a till may send more than we read


class MemberRef(_Lenient):
    """A member by mobile phone or membership card number (one of them)."""

    phone = SafeString(max_length=32, allow_none=True, load_default=None,
                       metadata={"description": "Mobile phone number"})
    card = SafeString(max_length=32, allow_none=True, load_default=None,
                      metadata={"description": "Membership card number"})

    @validates_schema
    def _one_of(self, data, **kwargs):
        if not (data.get("phone") or data.get("card")):
            raise ValidationError(_("Give the member as {\"phone\": ...} or {\"card\": ...}."),
                                  "phone")


class RedemptionRequest(_Lenient):
    """``POST /api/v1/loyalty/redemptions``."""

    id = SafeString(required=True, max_length=64,
                    metadata={"description": "The caller's request id: the idempotency key"})
    member = fields.Nested(MemberRef, required=True)
    points = WholeNumber(required=True, min_value=1, max_value=MAX_POINTS)
    store = SafeString(max_length=20, allow_none=True, load_default=None,
                       metadata={"description": "Code of the store where the points are "
                                                "spent; one of the caller's stores"})
    reason = SafeString(max_length=200, allow_none=True, load_default=None)


class AdjustmentRequest(_Lenient):
    """``POST /api/v1/loyalty/adjustments``."""

    id = SafeString(required=True, max_length=64)
    member_id = WholeNumber(required=True, min_value=1, max_value=MAX_ID)
    points = WholeNumber(required=True, min_value=-MAX_POINTS, max_value=MAX_POINTS)
    reason = SafeString(required=True, max_length=200)


class EventMemberRequest(_Lenient):
    """``POST /api/v1/loyalty/events/{event_id}/attendance`` (and the base of sign-ups):
    the member by ``member_id`` or by ``member`` (phone or card)."""

    member_id = WholeNumber(min_value=1, max_value=MAX_ID, allow_none=True,
                            load_default=None)
    member = fields.Nested(MemberRef, allow_none=True, load_default=None)

    @validates_schema
    def _one_of(self, data, **kwargs):
        if data.get("member_id") is None and data.get("member") is None:
            raise ValidationError(_("Give the member id as a whole number."), "member_id")


class SignupRequest(EventMemberRequest):
    """``POST /api/v1/loyalty/events/{event_id}/signups``."""

    channel = SafeString(max_length=20, allow_none=True, load_default=None,
                         validate=validate.OneOf([code for code, _label in SIGNUP_CHANNELS]),
                         metadata={"description": "Where the member signed up (default app)"})


class Amount(fields.String):
    """An amount of money as a decimal string (``"128.00"``; a whole number is taken
    too), from 0 to below 10,000,000,000, loaded as a ``Decimal``."""

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("metadata", {"example": "128.00",
                                       "description": "An amount as a decimal string"})
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any):
        if isinstance(value, (bool, float)) or not isinstance(value, (str, int)):
            raise ValidationError(_("Give amounts as decimal strings, e.g. \"12.50\"."))
        text = str(value).strip()
        try:
            number = decimal.Decimal(text) if 0 < len(text) <= 20 else None
        except decimal.InvalidOperation:
            number = None
        if number is None or not number.is_finite() or not 0 <= number < 10 ** 10:
            raise ValidationError(_("Not a valid amount."))
        return number


class BasketLine(_Lenient):
    """One line of a preview basket."""

    amount = Amount(required=True)
    sku = SafeString(max_length=40, allow_none=True, load_default=None)
    category = SafeString(max_length=40, allow_none=True, load_default=None,
                          metadata={"description": "The category earning rules match"})
    counter = SafeString(max_length=20, allow_none=True, load_default=None,
                         metadata={"description": "The counter (专柜) code rules match"})


class BasketPayment(_Lenient):
    """One payment of a preview basket (some payment methods earn no points)."""

    method = SafeString(required=True, max_length=20, metadata={"example": "cash"})
    amount = Amount(required=True)


def _basket_size(lines: list) -> None:
    if not 1 <= len(lines) <= MAX_BASKET_LINES:
        raise ValidationError(_("A basket needs between 1 and %(count)s lines.",
                                count=MAX_BASKET_LINES))


class BasketPreviewRequest(_Lenient):
    """``POST /api/v1/loyalty/preview``: a basket whose points are worked out and not
    stored, for a member (phone or card), for any member of a ``tier``, or for a
    member without a tier."""

    lines = fields.List(fields.Nested(BasketLine), required=True, validate=_basket_size,
                        metadata={"minItems": 1, "maxItems": MAX_BASKET_LINES})
    payments = fields.List(fields.Nested(BasketPayment), load_default=list,
                           validate=validate.Length(max=MAX_BASKET_LINES))
    member = fields.Nested(MemberRef, allow_none=True, load_default=None)
    tier = SafeString(max_length=20, allow_none=True, load_default=None,
                      metadata={"description": "A tier's code, when no member is given"})
    store = SafeString(max_length=20, allow_none=True, load_default=None,
                       metadata={"description": "The store's code (rules may be per store)"})
    occurred_at = Instant(allow_none=True, load_default=None,
                          metadata={"description": "When (default: now), ISO 8601 with "
                                                   "its offset; rules in force that day"})


class Problem(Schema):
    """A refusal: a stable ``code`` and a message (a text, or field messages)."""

    code = fields.String(required=True)
    message = fields.Raw(required=True)


class LedgerEntry(Schema):
    id = fields.Integer()
    kind = fields.String()
    points = fields.Integer()
    pending_points = fields.Integer()
    source_type = fields.String(allow_none=True)
    source_id = fields.String(allow_none=True)
    store = fields.String(allow_none=True)
    occurred_at = fields.String(allow_none=True)
    expires_at = fields.String(allow_none=True)
    unlock_at = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)


class MemberPoints(Schema):
    """A member's points: balance, tier, progress, expiring points, last entries."""

    member = fields.Integer(required=True)
    balance = fields.Integer(required=True)
    pending = fields.Integer(required=True)
    lifetime_earned = fields.Integer(required=True)
    tier = fields.Dict(allow_none=True)
    next_tier = fields.Dict(allow_none=True)
    expiring = fields.Dict()
    entries = fields.List(fields.Nested(LedgerEntry))


class RedemptionAnswer(Schema):
    id = fields.String(required=True)
    member = fields.Integer(required=True)
    points = fields.Integer(required=True)
    balance = fields.Integer(required=True)
    pending = fields.Integer(required=True)
    entry = fields.Integer(required=True)
    drawn_from = fields.List(fields.Dict())


SCHEMAS = (MemberRef, RedemptionRequest, AdjustmentRequest, EventMemberRequest,
           SignupRequest, BasketLine, BasketPayment, BasketPreviewRequest, Problem, LedgerEntry, MemberPoints, RedemptionAnswer)


def load(schema: type[Schema], data) -> dict:
    """``data`` validated by ``schema``; :class:`LoyaltyError` 422 with field messages
    (in the request's language) otherwise."""
    from zhanggui.console.datamodel.safe_fields import field_messages

    from .ledger.redemption import LoyaltyError

    if not isinstance(data, dict):
        raise LoyaltyError(400, "invalid", _("The request body must be a JSON object."))
    try:
        return schema().load(data)
    except ValidationError as err:
        raise LoyaltyError(422, "invalid", field_messages(err))  # type: ignore[arg-type]
