"""The shape of the POS request bodies, as marshmallow schemas.

These schemas do two jobs from one definition: :func:`zhanggui_members.pos.parsing.parse_sale`
and ``parse_refund`` check every body against them first (types, lengths, NUL and
other characters no database stores, known channels and payment methods), and the
OpenAPI document declares the request bodies from them (``PosApi``'s
``openapi_spec_component_schemas``), so the document cannot drift from the check.
What needs the database or arithmetic (known store, lines adding up to the total,
decimal places) stays in ``pos``.
"""
from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from zhanggui import _l
from zhanggui.console.datamodel.safe_fields import SafeString, text_problem

from ..profile.models import IDENTITY_KINDS, PAYMENT_METHODS, PURCHASE_CHANNELS

MAX_LINES = 1000
MAX_BATCH = 1000
ID_LENGTH = 64
STORE_LENGTH = 20
SKU_LENGTH = 40
NAME_LENGTH = 100
CATEGORY_LENGTH = 40
COUNTER_LENGTH = 20
IDENTITY_LENGTH = 128
DECIMAL_PATTERN = r"^\s*-?[0-9]{1,15}(\.[0-9]{1,6})?\s*$"

_REQUIRED = {"required": _l("This field is required."), "null": _l("This field is required."),
             "invalid": _l("Give this field as text.")}


def _text(max_length: int, required: bool = True, **kwargs) -> SafeString:
    return SafeString(max_length=max_length, strip=False, required=required, allow_none=not required,
                      error_messages=_REQUIRED, **kwargs)


class DecimalText(fields.String):
    """An amount or a quantity: a decimal string (``"12.50"``) or a whole number.

    A JSON float is refused: ``0.1`` is not exact, and a sale is refused rather
    than rounded.  The value stays text; ``pos`` reads the number.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("required", True)
        kwargs.setdefault("error_messages", _REQUIRED)
        super().__init__(**kwargs)
        self.metadata.setdefault("pattern", DECIMAL_PATTERN)
        self.metadata.setdefault("example", "12.50")

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        if not isinstance(value, str):
            raise ValidationError(str(_l("Give amounts and quantities as decimal strings, "
                                         "e.g. \"12.50\".")))
        problem = text_problem(value, 40)
        if problem:
            raise ValidationError(problem)
        return value


class NumberText(fields.String):
    """A phone or card number: text, or a whole number a till sent unquoted."""

    def __init__(self, max_length: int, **kwargs):
        super().__init__(allow_none=True, **kwargs)
        self.max_length = max_length
        self.metadata.setdefault("maxLength", max_length)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            raise ValidationError(str(_l("Give this field as text.")))
        problem = text_problem(value, self.max_length)
        if problem:
            raise ValidationError(problem)
        return value


class PosIdentitySchema(Schema):
    """A channel identity: ``{"kind": "wechat_openid", "value": "..."}``."""

    class Meta:
        unknown = EXCLUDE

    kind = fields.String(required=True, validate=validate.OneOf([k for k, _ in IDENTITY_KINDS]),
                         error_messages=_REQUIRED)
    value = _text(IDENTITY_LENGTH)


class PosMemberSchema(Schema):
    """How the till identifies the customer: phone, card or a channel identity."""

    class Meta:
        unknown = EXCLUDE

    phone = NumberText(32, metadata={"example": "13800138000"})
    card = NumberText(32)
    identity = fields.Nested(PosIdentitySchema, allow_none=True)


class PosSaleLineSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    sku = _text(SKU_LENGTH)
    name = _text(NAME_LENGTH)
    category = _text(CATEGORY_LENGTH)
    counter = _text(COUNTER_LENGTH, required=False)
    quantity = DecimalText()
    amount = DecimalText()


class PosPaymentSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    method = fields.String(required=True, error_messages=_REQUIRED,
                           validate=validate.OneOf([m for m, _ in PAYMENT_METHODS]))
    amount = DecimalText()


class PosSaleSchema(Schema):
    """One POS sale; ``id`` (the till's transaction id) is the idempotency key."""

    class Meta:
        unknown = EXCLUDE

    id = _text(ID_LENGTH, metadata={"example": "SH01-20251111-0001"})
    store = _text(STORE_LENGTH, metadata={"example": "SH01"})
    occurred_at = SafeString(max_length=40, strip=False, required=True, error_messages=_REQUIRED,
                             metadata={"format": "date-time",
                                       "example": "2025-11-11T10:30:00+08:00"})
    channel = fields.String(allow_none=True, load_default="pos",
                            validate=validate.OneOf([c for c, _ in PURCHASE_CHANNELS]))
    member = fields.Nested(PosMemberSchema, allow_none=True)
    lines = fields.List(fields.Nested(PosSaleLineSchema), required=True,
                        error_messages=_REQUIRED,
                        validate=validate.Length(min=1, max=MAX_LINES))
    total = DecimalText()
    payments = fields.List(fields.Nested(PosPaymentSchema), required=True,
                           error_messages=_REQUIRED)


class PosRefundLineSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    sku = _text(SKU_LENGTH)
    quantity = DecimalText()
    amount = DecimalText(required=False, allow_none=True)


class PosRefundSchema(Schema):
    """A refund: ``{"id", "lines": [...]}`` or ``{"id", "amount"}`` (one of the two)."""

    class Meta:
        unknown = EXCLUDE

    id = _text(ID_LENGTH, metadata={"example": "SH01-20251112-R001"})
    lines = fields.List(fields.Nested(PosRefundLineSchema), allow_none=True,
                        validate=validate.Length(min=1, max=MAX_LINES))
    amount = DecimalText(required=False, allow_none=True)


class _EachOnItsOwn(fields.List):
    """A list whose items are checked one by one later, each answered on its own."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, list):
            raise self.make_error("invalid")
        return value


class PosBatchSchema(Schema):
    """Up to :data:`MAX_BATCH` sales; each is checked and answered on its own."""

    class Meta:
        unknown = EXCLUDE

    transactions = _EachOnItsOwn(
        fields.Nested(PosSaleSchema), required=True,
        validate=validate.Length(min=1, max=MAX_BATCH),
        error_messages={"required": _l("Give a non-empty list of transactions."),
                        "null": _l("Give a non-empty list of transactions."),
                        "invalid": _l("Give a non-empty list of transactions.")})


def schema_errors(schema: Schema, data: Any) -> dict[str, Any]:
    """``schema``'s field messages for ``data`` (``{}`` when it fits), as plain text."""
    return _plain(schema.validate(data)) if isinstance(data, dict) else \
        {"_schema": [str(_l("The request body must be a JSON object."))]}


def _plain(messages: Any) -> Any:
    from zhanggui.console.datamodel.messages import translate_messages

    if isinstance(messages, dict):
        return {str(key): _plain(value) for key, value in messages.items()}
    if isinstance(messages, (list, tuple)):
        return [_plain(value) for value in messages]
    return translate_messages(str(messages))
