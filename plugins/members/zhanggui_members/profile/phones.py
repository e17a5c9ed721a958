"""Mobile numbers of mainland China, Taiwan, Hong Kong and Macau: normalising and masking.

A member's phone number is the chain's main key for recognising a customer at the
till, on the phone and online, so every way staff and systems write it must end up as
the same E.164 number: ``+86 138-0013-8000``, ``0086 13800138000``, full-width
``１３８００１３８０００`` and, at a mainland store, plain ``13800138000`` are all
``+8613800138000``; ``0912 345 678`` at a Taipei store is ``+886912345678``.

Numbers are parsed with ``phonenumbers``.  A number without a country code is read
in the *region* given (the member's store's country, else the ``PHONE_REGION``
setting); when it is not a mobile number there but is one in exactly one other of
the chain's regions (a mainland ``13800138000`` typed at a Taipei till), that region
is taken.  Only mobile numbers are accepted.
"""
from __future__ import annotations

import re
import unicodedata

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

from zhanggui import _l

REGIONS = ("CN", "TW", "HK", "MO")
DEFAULT_REGION = "CN"
MAX_RAW = 40

_SEPARATORS = re.compile(r"[\s\-().]+")
_DIGITS = re.compile(r"\+?\d+")
_MAINLAND_MOBILE = re.compile(r"1[3-9]\d{9}")
_MOBILE_TYPES = (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE)

_NOT_A_MOBILE = {
    "CN": _l("A mainland China mobile number has 11 digits and starts with 13 to 19."),
    "TW": _l("A Taiwan mobile number has 10 digits and starts with 09."),
    "HK": _l("This is not a Hong Kong mobile number (8 digits)."),
    "MO": _l("A Macau mobile number has 8 digits and starts with 6."),
}


class PhoneNumberError(ValueError):
    """A phone number that is not a mobile number of one of the chain's regions.

    The message (lazily translated) says what is wrong without repeating the number,
    so it can be shown to staff and logged without leaking personal data.
    """


def _region(region: str | None) -> str:
    return region if region in REGIONS else DEFAULT_REGION


def _clean(raw) -> str:
    """``raw`` as ``+digits`` or ``digits``, or :class:`PhoneNumberError`."""
    if raw is None or not str(raw).strip():
        raise PhoneNumberError(_l("Enter a mobile phone number."))
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    if len(text) > MAX_RAW:
        raise PhoneNumberError(_l("This is not a phone number."))
    text = _SEPARATORS.sub("", text)
    if not text.isascii() or not _DIGITS.fullmatch(text):
        raise PhoneNumberError(_l("A mobile number may contain only digits, spaces, dashes, "
                                  "parentheses and a leading country code such as +86."))
    if text.startswith("00"):
        text = "+" + text[2:]
    elif len(text) == 13 and text.startswith("86") and _MAINLAND_MOBILE.fullmatch(text[2:]):
        text = "+" + text          # 8613800138000: the mainland's code without its plus
    return text


def _mobile(text: str, region: str) -> str | None:
    """The E.164 form of ``text`` read in ``region`` when it is a mobile number of one of
    the chain's regions, else ``None``."""
    try:
        number = phonenumbers.parse(text, region)
    except NumberParseException:
        return None
    found = phonenumbers.region_code_for_number(number)
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    if found in REGIONS and phonenumbers.is_valid_number(number) \
            and phonenumbers.number_type(number) in _MOBILE_TYPES:
        return e164
    # a mainland mobile of a range newer than the library's metadata
    if number.country_code == 86 and _MAINLAND_MOBILE.fullmatch(str(number.national_number)):
        return e164
    return None


def _international_error(text: str) -> PhoneNumberError:
    try:
        found = phonenumbers.region_code_for_country_code(
            phonenumbers.parse(text, None).country_code)
    except NumberParseException:
        found = None
    if found in REGIONS:
        return PhoneNumberError(_NOT_A_MOBILE[found])
    return PhoneNumberError(_l("Only mobile numbers of mainland China (+86), Taiwan (+886), "
                               "Hong Kong (+852) and Macau (+853) are accepted."))


def mobile_candidates(raw, region: str | None = None) -> list[str]:
    """Every E.164 number ``raw`` can mean, the reading in ``region`` first.

    A number with a country code has one meaning; a bare national number has one per
    region where it is a mobile number (``61234567`` is a Hong Kong and may be a Macau
    mobile).  Look-ups try them in order.  Empty when none is valid; a number with
    characters no number has raises :class:`PhoneNumberError`.
    """
    text = _clean(raw)
    if text.startswith("+"):
        found = _mobile(text, DEFAULT_REGION)
        return [found] if found else []
    region = _region(region)
    out: list[str] = []
    for r in (region,) + tuple(r for r in REGIONS if r != region):
        found = _mobile(text, r)
        if found and found not in out:
            out.append(found)
    return out


def normalize_mobile(raw, region: str | None = None) -> str:
    """Return the E.164 mobile number written in ``raw`` (``+8613800138000``).

    Accepts spaces, dashes, dots and parentheses anywhere, full-width digits, a
    leading ``+``/``00`` country code, or none: then the number is read in ``region``
    (default mainland China), or in the one other region of the chain where it is a
    mobile number.  Raises :class:`PhoneNumberError` otherwise, also when a bare number
    is a mobile number in several other regions (the country code decides).
    """
    text = _clean(raw)
    if text.startswith("+"):
        found = _mobile(text, DEFAULT_REGION)
        if found is None:
            raise _international_error(text)
        return found
    region = _region(region)
    found = _mobile(text, region)
    if found:
        return found
    others = mobile_candidates(text, region)
    if len(others) == 1:
        return others[0]
    if others:
        raise PhoneNumberError(_l("This number is a mobile number in more than one region: "
                                  "write it with its country code (+852 Hong Kong, +853 "
                                  "Macau, +886 Taiwan, +86 mainland China)."))
    raise PhoneNumberError(_NOT_A_MOBILE[region])


def _parsed(phone: str):
    """A stored number (E.164, or the bare 11 digits written before E.164) parsed."""
    try:
        return phonenumbers.parse(phone if phone.startswith("+") else "+86" + phone, None)
    except NumberParseException:
        return None


def phone_region(phone: str | None) -> str | None:
    """``CN``, ``TW``, ``HK`` or ``MO`` for a stored number, else ``None``."""
    number = _parsed(phone) if phone else None
    if number is None:
        return None
    found = phonenumbers.region_code_for_country_code(number.country_code)
    return found if found in REGIONS else None


def national_key(phone: str) -> str:
    """The form of a stored number that request fingerprints keep: the bare 11 digits
    for a mainland number (as fingerprints were taken before numbers were E.164, so
    a POS retry of an earlier sale still matches), E.164 for the other regions."""
    if phone.startswith("+86") and _MAINLAND_MOBILE.fullmatch(phone[3:]):
        return phone[3:]
    return phone


def display_phone(phone: str | None, home_region: str = DEFAULT_REGION) -> str:
    """A stored number as staff read it: a number of ``home_region`` in its national
    form (``138 0013 8000``), any other with its country code (``+886 912 345 678``)."""
    if not phone:
        return ""
    number = _parsed(phone)
    if number is None:
        return phone
    if phonenumbers.region_code_for_country_code(number.country_code) == home_region:
        return phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)


def last4(phone: str) -> str:
    """The last four digits of a normalised number (kept in clear for suffix search)."""
    return phone[-4:]


def mask_mobile(phone: str | None, home_region: str = DEFAULT_REGION) -> str:
    """What staff without ``members.view_phone`` see: the last four digits, and at most
    the first three of the national number so that at least four stay hidden
    (``+8613800138000`` → ``138****8000``, ``+886912345678`` → ``+886 9****5678``,
    ``+85291234567`` → ``+852 ****4567``).  Numbers of another region than
    ``home_region`` keep their country code.  Anything unreadable is fully hidden."""
    if not phone:
        return ""
    number = _parsed(phone)
    digits = str(number.national_number) if number is not None else ""
    if len(digits) < 8 or not phone.lstrip("+").isdigit():
        return "*" * len(phone)
    masked = f"{digits[:min(3, len(digits) - 8)]}****{digits[-4:]}"
    if phonenumbers.region_code_for_country_code(number.country_code) == home_region:
        return masked
    return f"+{number.country_code} {masked}"


def mask_last4(digits: str | None) -> str:
    """The mask staff see when only the stored last four digits are at hand."""
    return f"*******{digits}" if digits else ""


def configured_region() -> str:
    """The ``PHONE_REGION`` setting of the current application (``CN`` outside one)."""
    from flask import current_app, has_app_context

    if not has_app_context():
        return DEFAULT_REGION
    return _region(current_app.extensions["zhanggui"].settings.get("PHONE_REGION"))
