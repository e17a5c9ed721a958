"""The PBX/CTI connector's request body, as marshmallow schemas (also in OpenAPI)."""
from __future__ import annotations

import datetime as dt

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from zhanggui import SafeString, _l

from .models import DIRECTIONS, EVENTS, OUTCOMES


def _no_nul(value):
    if isinstance(value, str) and "\x00" in value:
        raise ValidationError(str(_l("Text may not contain NUL characters.")))


def _text(max_len: int, **kw):
    # NUL, lone surrogates and over-long text refused with a field message
    return SafeString(max_length=max_len, **kw)


def _in_range(value: dt.datetime):
    if not dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc) <= value <= \
            dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1):
        raise ValidationError(str(_l("The time must lie between 2000 and tomorrow.")))


class CallEventSchema(Schema):
    """One event of one call: ``started`` (ringing at an extension), ``answered``,
    ``ended``.  ``call_id`` is the connector's call id and the idempotency key
    together with ``event``."""

    call_id = SafeString(required=True, max_length=64, metadata={"example": "pbx-20261205-0001"})
    event = fields.String(required=True, validate=validate.OneOf(EVENTS))
    caller = _text(40, load_default=None, allow_none=True,
                   metadata={"example": "13800138000"})
    extension = _text(20, load_default=None, allow_none=True, metadata={"example": "8001"})
    direction = fields.String(load_default="inbound",
                              validate=validate.OneOf([d for d, _ in DIRECTIONS]))
    occurred_at = fields.AwareDateTime(load_default=None, allow_none=True,
                                       validate=_in_range)
    recording_url = fields.Url(load_default=None, allow_none=True,
                               schemes={"http", "https"},
                               validate=[validate.Length(max=500), _no_nul],
                               metadata={"example": "https://pbx.example.cn/rec/0001.wav"})
    outcome = fields.String(load_default=None, allow_none=True,
                            validate=validate.OneOf([o for o, _ in OUTCOMES]))
    notes = _text(2000, load_default=None, allow_none=True)

    @validates_schema
    def _caller_on_start(self, data, **kwargs):
        if data.get("event") == "started" and not data.get("caller"):
            raise ValidationError(str(_l("A started call needs the caller's number.")),
                                  field_name="caller")


class CallSchema(Schema):
    """The call as the log holds it (the answer to every event)."""

    id = fields.Integer()
    call_id = fields.String()
    state = fields.String()
    direction = fields.String()
    phone = fields.String(allow_none=True)
    member_id = fields.Integer(allow_none=True)
    extension = fields.String(allow_none=True)
    agent_id = fields.Integer(allow_none=True)
    started_at = fields.String()
    answered_at = fields.String(allow_none=True)
    ended_at = fields.String(allow_none=True)
    duration_seconds = fields.Integer(allow_none=True)
    outcome = fields.String(allow_none=True)


class CallAnswerSchema(Schema):
    call = fields.Nested(CallSchema)
