"""Caller numbers as the call log keeps them: E.164 (``+8613800138000``).

A PBX sends numbers however its trunk delivers them: ``13800138000``,
``+86 138 0013 8000``, ``0086...``, a Taiwanese ``0912 345 678`` or a Hong Kong
``+852 9123 4567``.  :func:`normalize_caller` parses with ``phonenumbers`` for the
chain's four regions (mainland China, Taiwan, Hong Kong, Macau), trying the
mainland first for numbers without a country code.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import phonenumbers

from zhanggui import _l

REGIONS = ("CN", "TW", "HK", "MO")
MAX_RAW = 40


class CallerNumberError(ValueError):
    """A caller number that is not a valid number of the chain's regions."""


@dataclass(frozen=True)
class CallerNumber:
    e164: str          # +8613800138000
    region: str        # CN, TW, HK, MO
    national: str      # 13800138000: what the member directory looks up

    @property
    def masked(self) -> str:
        digits = self.national
        if len(digits) <= 4:
            return "*" * len(digits)
        return digits[:3] + "*" * (len(digits) - 7 if len(digits) > 7 else 1) + digits[-4:]


_MAINLAND_MOBILE = re.compile(r"1[3-9]\d{9}")


def _caller(number, region: str) -> CallerNumber:
    return CallerNumber(e164=phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
                        region=region, national=str(number.national_number))


def normalize_caller(raw) -> CallerNumber:
    """Return the :class:`CallerNumber` written in ``raw`` or raise
    :class:`CallerNumberError` with a translated message (never repeating the number)."""
    if raw is None or not str(raw).strip():
        raise CallerNumberError(_l("Enter the caller's phone number."))
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    if len(text) > MAX_RAW or "\x00" in text:
        raise CallerNumberError(_l("This is not a phone number."))
    if text.startswith("00"):
        text = "+" + text[2:]
    candidates = []
    for region in REGIONS:
        try:
            candidates.append(phonenumbers.parse(text, region))
        except phonenumbers.NumberParseException:
            continue
        if text.startswith("+"):
            break
    for number in candidates:
        found = phonenumbers.region_code_for_number(number)
        if found in REGIONS and phonenumbers.is_valid_number(number):
            return _caller(number, found)
    for number in candidates:
        # a mainland mobile of a range newer than the library's metadata
        if number.country_code == 86 and _MAINLAND_MOBILE.fullmatch(str(number.national_number)):
            return _caller(number, "CN")
    raise CallerNumberError(_l("Only numbers of mainland China, Taiwan, Hong Kong and "
                               "Macau are accepted."))
