"""Marshmallow fields for text that reaches the database.

``SafeString(max_length=...)`` is a ``fields.String`` that refuses, with a field
message, what a database cannot store or a page cannot show: the NUL character
(PostgreSQL refuses it in text, SQLite cuts the value at it), lone UTF-16 surrogates
(not encodable in UTF-8) and text longer than ``max_length``.  Use it for every text
field of a request body, so bad input answers 422 instead of failing in the driver.
"""
from __future__ import annotations

import re

from marshmallow import ValidationError, fields

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def text_problem(value: str, max_length: int | None = None) -> str | None:
    """The (translated) reason ``value`` cannot be stored, or ``None`` when it can."""
    from ...i18n import _

    if "\x00" in value:
        return _("The text contains a NUL character, which cannot be stored.")
    if _LONE_SURROGATE.search(value):
        return _("The text contains an invalid character (a lone surrogate).")
    if max_length is not None and len(value) > max_length:
        return _("At most %(count)s characters.", count=max_length)
    return None


class SafeString(fields.String):
    """Text without NUL or lone surrogates, at most ``max_length`` characters."""

    def __init__(self, *args, max_length: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_length = max_length
        if max_length is not None:
            self.metadata.setdefault("maxLength", max_length)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        problem = text_problem(text, self.max_length)
        if problem:
            raise ValidationError(problem)
        return text
