"""The loyalty API's request and answer bodies as marshmallow schemas.

Each request schema validates the body its endpoint receives and, listed in the API's
``openapi_spec_component_schemas``, is what ``/api/v1/_openapi`` declares for it:
one definition, so the document cannot drift from the code.  Text fields refuse NUL
characters, lone surrogates and over-long values; numbers refuse ``true`` and values
beyond their range (422 with field messages, nothing written).
"""
from __future__ import annotations

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from zhanggui import SafeString, StrictBoolean, WholeNumber, _

from .models import SIGNUP_CHANNELS
from .ledger.redemption import MAX_POINTS

MAX_ID = 2 ** 63 - 1


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
           SignupRequest, Problem, LedgerEntry, MemberPoints, RedemptionAnswer)


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
