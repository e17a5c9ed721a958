"""The REST API's field messages in the request's language.

Marshmallow writes its messages in English, already formatted ("Longer than maximum
length 20.").  :func:`translate_messages` turns each one back into its template,
looks the template up in the core's catalog and formats it again, so a 422 answers
``{"message": {"phone": ["此欄位為必填。"]}}`` to ``Accept-Language: zh-TW``.  A message
not listed here is left as it is (a plugin's own messages are translated already).
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any


def N_(text: str) -> str:
    """Marks ``text`` for extraction; translated later, at answer time."""
    return text


TEMPLATES = [
    N_("Missing data for required field."),
    N_("Field may not be null."),
    N_("Unknown field."),
    N_("Invalid input type."),
    N_("Invalid type."),
    N_("Invalid value."),
    N_("Invalid input."),
    N_("Not a valid string."),
    N_("Not a valid integer."),
    N_("Not a valid number."),
    N_("Not a valid boolean."),
    N_("Not a valid datetime."),
    N_("Not a valid date."),
    N_("Not a valid time."),
    N_("Not a valid naive datetime."),
    N_("Not a valid aware datetime."),
    N_("Not a valid email address."),
    N_("Not a valid URL."),
    N_("Not a valid UUID."),
    N_("Not a valid list."),
    N_("Not a valid mapping type."),
    N_("Not valid base64."),
    N_("Number too large."),
    N_("Special numeric values (nan or infinity) are not permitted."),
    N_("String does not match expected pattern."),
    N_("Related record not found."),
    N_("Must be one of: {choices}."),
    N_("Longer than maximum length {max}."),
    N_("Shorter than minimum length {min}."),
    N_("Length must be between {min} and {max}."),
    N_("Length must be {equal}."),
    N_("Must be greater than or equal to {min}."),
    N_("Must be greater than {min}."),
    N_("Must be less than or equal to {max}."),
    N_("Must be less than {max}."),
    N_("Must be greater than or equal to {min} and less than or equal to {max}."),
    N_("At most {before} digits before and {after} after the decimal point."),
]

DECIMAL_DIGITS = TEMPLATES[-1]


@lru_cache(maxsize=None)
def _patterns() -> list[tuple[re.Pattern, str]]:
    patterns = []
    for template in TEMPLATES:
        parts = re.split(r"\{(\w+)\}", template)
        regex = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)"
                        for i, p in enumerate(parts))
        patterns.append((re.compile(f"^{regex}$", re.S), template))
    return patterns


def translate_message(text: str) -> str:
    """One English marshmallow message in the current language."""
    from ...i18n import _

    for pattern, template in _patterns():
        match = pattern.match(text)
        if match:
            return _(template).format(**match.groupdict())
    return text


def translate_messages(messages: Any) -> Any:
    """A marshmallow ``messages`` structure (dicts, lists, strings) translated."""
    if isinstance(messages, dict):
        return {key: translate_messages(value) for key, value in messages.items()}
    if isinstance(messages, (list, tuple)):
        return [translate_messages(value) for value in messages]
    if isinstance(messages, str):
        return translate_message(messages)
    return messages
