"""Marshmallow fields for request bodies that must never reach the database unchecked.

A JSON body may carry anything JSON can spell: NUL characters (PostgreSQL refuses
them in text, so they would surface as a server error), lone UTF-16 surrogates
(``"\\ud800"``: not encodable as UTF-8), a megabyte of text, ``true`` where a number
belongs (Python's ``bool`` is an ``int``) or a number beyond the database's 64-bit
columns.  These fields refuse all of that with a field message, so the API answers
422 and writes nothing::

    from marshmallow import Schema
    from zhanggui import Instant, SafeString, StrictBoolean, WholeNumber

    class RedemptionRequest(Schema):
        id = SafeString(required=True, max_length=64)
        points = WholeNumber(required=True, min_value=1, max_value=10 ** 9)

The same schema class validates the body and, listed in the API's
``openapi_spec_component_schemas``, describes it in ``/api/v1/_openapi`` (with
``maxLength``, ``minimum`` and ``maximum``), so the document cannot drift from the
code.  Messages are in the request's language.
"""
from __future__ import annotations

import re
from typing import Any

from marshmallow import ValidationError, fields, validate

from ...i18n import _

MAX_INTEGER = 2 ** 63 - 1   # a signed 64-bit column, the widest every backend has
_SURROGATE = re.compile("[\ud800-\udfff]")


def _validators(given: Any) -> list:
    if given is None:
        return []
    return [given] if callable(given) else list(given)


def text_problem(value: str, max_length: int | None = None) -> str | None:
    """The (translated) reason ``value`` cannot be stored, or ``None`` when it can: what
    :class:`SafeString` checks, for code that validates text outside a schema (console
    forms, CSV rows, query strings)."""
    if max_length is not None and len(value) > max_length:
        return _("Give text of at most %(count)s characters.", count=max_length)
    if "\x00" in value:
        return _("Text may not contain NUL characters.")
    if _SURROGATE.search(value):
        return _("Text may not contain unpaired surrogate characters.")
    return None


class SafeString(fields.String):
    """Text of at most ``max_length`` characters (``None``: no limit) without NUL
    characters or lone surrogates.

    With ``strip=True`` (the default) surrounding white space is stripped and a value
    that is blank after stripping counts as missing: refused when the field is
    ``required``, loaded as ``None`` otherwise.  ``strip=False`` keeps the text exactly
    as sent (what a generic data layer wants).
    """

    def __init__(self, *, max_length: int | None = 255, strip: bool = True, **kwargs: Any):
        if max_length is not None and max_length < 1:
            raise ValueError("max_length must be at least 1")
        self.max_length, self.strip = max_length, strip
        validators = _validators(kwargs.pop("validate", None))
        if max_length is not None:
            # declares maxLength in the OpenAPI document; checked first in _deserialize
            validators.append(validate.Length(max=max_length))
        super().__init__(validate=validators, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any):
        if not isinstance(value, str):
            raise self.make_error("invalid")  # marshmallow's "Not a valid string.", translated
        problem = text_problem(value, self.max_length)  # length first: before a megabyte
        if problem:
            raise ValidationError(problem)
        if not self.strip:
            return value
        text = value.strip()
        if not text:
            if self.required:
                raise ValidationError(_("This field is required."))
            return None
        return text

    def _validate(self, value: Any) -> None:
        if value is not None:  # blank text loaded as missing has nothing to validate
            super()._validate(value)


class WholeNumber(fields.Integer):
    """A whole number between ``min_value`` and ``max_value`` (by default anything a
    64-bit column holds); ``true``/``false``, ``1.5`` and ``"7"`` are refused."""

    def __init__(self, *, min_value: int = -MAX_INTEGER, max_value: int = MAX_INTEGER,
                 **kwargs: Any):
        self.min_value, self.max_value = min_value, max_value
        validators = _validators(kwargs.pop("validate", None))
        validators.append(validate.Range(min=min_value, max=max_value))
        super().__init__(strict=True, validate=validators, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError(_("Give a whole number."))
        if not self.min_value <= value <= self.max_value:
            raise ValidationError(_("Give a whole number from %(low)s to %(high)s.",
                                    low=self.min_value, high=self.max_value))
        return value


class Instant(fields.AwareDateTime):
    """An ISO 8601 time with its offset (``2026-05-01T10:00:00+08:00``), loaded as
    an aware UTC ``datetime`` between the years ``min_year`` and ``max_year`` (so
    ``0001-01-01T00:00:00+14:00``, which has no UTC, is refused, not a crash)."""

    def __init__(self, *, min_year: int = 1900, max_year: int = 2999, **kwargs: Any):
        self.min_year, self.max_year = min_year, max_year
        kwargs.setdefault("format", "iso")
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any):
        import datetime as dt

        if not isinstance(value, str) or len(value) > 64 or "\x00" in value:
            raise ValidationError(_("Give the time in ISO 8601 with its offset, e.g. "
                                    "2026-05-01T10:00:00+08:00."))
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            moment = None
        if moment is None or moment.tzinfo is None:
            raise ValidationError(_("Give the time in ISO 8601 with its offset, e.g. "
                                    "2026-05-01T10:00:00+08:00."))
        try:
            moment = moment.astimezone(dt.timezone.utc)
        except (OverflowError, ValueError):
            moment = None
        if moment is None or not self.min_year <= moment.year <= self.max_year:
            raise ValidationError(_("Give a time between the years %(low)s and %(high)s.",
                                    low=self.min_year, high=self.max_year))
        return moment


class StrictBoolean(fields.Boolean):
    """``true`` or ``false`` and nothing else (no ``"yes"``, ``1`` or ``"on"``)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any):
        if not isinstance(value, bool):
            raise ValidationError(_("Give true or false."))
        return value


def field_messages(error: ValidationError) -> dict:
    """A marshmallow error's messages as the API answers them (in the request's
    language): ``{field: [messages]}``, nested for nested objects."""
    from .messages import translate_messages

    messages = error.messages
    if not isinstance(messages, dict):
        messages = {"_schema": messages if isinstance(messages, list) else [messages]}
    return translate_messages(messages)
