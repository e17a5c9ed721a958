"""Mainland China mobile numbers: normalising and masking.

A member's phone number is the chain's main key for recognising a customer at the
till, on the phone and online, so every way staff and systems write it must end up as
the same eleven digits: ``+86 138-0013-8000``, ``0086 13800138000``,
``(+86) 138 0013 8000`` and full-width ``１３８００１３８０００`` are all ``13800138000``.
"""
from __future__ import annotations

import re
import unicodedata

from zhanggui import _l

_SEPARATORS = re.compile(r"[\s\-().]+")
_MOBILE = re.compile(r"1[3-9]\d{9}")


class PhoneNumberError(ValueError):
    """A phone number that is not a valid mainland China mobile number.

    The message (lazily translated) says what is wrong without repeating the number,
    so it can be shown to staff and logged without leaking personal data.
    """


def normalize_mobile(raw: str | None) -> str:
    """Return the 11-digit mainland mobile number written in ``raw``.

    Accepts spaces, dashes, dots and parentheses anywhere, full-width digits, and a
    leading ``+86``, ``0086`` or ``86`` country code.  Raises :class:`PhoneNumberError`
    otherwise.
    """
    if raw is None or not str(raw).strip():
        raise PhoneNumberError(_l("Enter a mobile phone number."))
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    text = _SEPARATORS.sub("", text)
    if text.startswith("+"):
        if not text.startswith("+86"):
            raise PhoneNumberError(_l("Only mainland China mobile numbers (+86) are "
                                      "accepted."))
        text = text[3:]
    elif text.startswith("0086"):
        text = text[4:]
    elif text.startswith("00"):
        raise PhoneNumberError(_l("Only mainland China mobile numbers (+86) are "
                                  "accepted."))
    if not text.isascii() or not text.isdigit():
        raise PhoneNumberError(_l("A mobile number may contain only digits, spaces, "
                                  "dashes, parentheses and a leading +86."))
    if len(text) == 13 and text.startswith("86"):
        text = text[2:]
    if len(text) != 11:
        raise PhoneNumberError(_l("A mainland China mobile number has 11 digits; this one "
                                  "has %(count)s.", count=len(text)))
    if not _MOBILE.fullmatch(text):
        raise PhoneNumberError(_l("A mainland China mobile number starts with 13 to 19."))
    return text


def last4(phone: str) -> str:
    """The last four digits of a normalised number (kept in clear for suffix search)."""
    return phone[-4:]


def mask_mobile(phone: str | None) -> str:
    """``13800138000`` → ``138****8000``; anything that is not 11 digits is fully hidden."""
    if not phone:
        return ""
    if len(phone) != 11 or not phone.isdigit():
        return "*" * len(phone)
    return f"{phone[:3]}****{phone[-4:]}"


def mask_last4(digits: str | None) -> str:
    """The mask staff see when only the stored last four digits are at hand."""
    return f"*******{digits}" if digits else ""
