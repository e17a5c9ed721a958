"""Date inputs written the reader's way: ``2026-12-05`` in Simplified Chinese and
English, ``2026/12/05`` in Traditional Chinese — never the browser's ``12/05/2026``.

A browser's own date input (``<input type="date">``) follows the browser's language,
not the console's, so a Taipei manager in an English browser would read month first.
The console's date fields are text boxes with a picker instead: they show the date in
the console language's order, say it in their placeholder, and read any of
``yyyy-mm-dd``, ``yyyy/mm/dd`` and ``yyyy.mm.dd`` back (one-digit months and days
too).
"""
from __future__ import annotations

import datetime as dt
import re

from markupsafe import Markup
from wtforms import DateField
from wtforms.widgets import html_params

from ..i18n import _l

#: strftime pattern and placeholder per console language (the default: ISO order)
FORMATS = {"zh_TW": ("%Y/%m/%d", "yyyy/mm/dd")}
DEFAULT_FORMAT = ("%Y-%m-%d", "yyyy-mm-dd")
_WRITTEN = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")


def _language(language=None) -> str:
    if language is None:
        from flask import has_request_context

        from ..i18n import current_language

        language = current_language() if has_request_context() else None
    return str(language or "")


def date_input_hint(language=None) -> str:
    """The placeholder of a date input: ``yyyy-mm-dd`` or ``yyyy/mm/dd``."""
    return FORMATS.get(_language(language), DEFAULT_FORMAT)[1]


def format_input_date(day: dt.date | None, language=None) -> str:
    """``day`` as a date input of the console language shows it."""
    if day is None:
        return ""
    return day.strftime(FORMATS.get(_language(language), DEFAULT_FORMAT)[0])


def parse_input_date(text) -> dt.date | None:
    """The date written in ``text`` (year first, ``-``, ``/`` or ``.`` between the
    parts), else ``None``."""
    match = _WRITTEN.fullmatch(str(text or "").strip())
    if not match:
        return None
    try:
        return dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


class LocalDatePickerWidget:
    """A text box with the console's date picker, in the reader's date order."""

    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", field.id)
        kwargs.setdefault("name", field.name)
        kwargs.setdefault("placeholder", date_input_hint())
        params = html_params(type="text", value=field._value(), inputmode="numeric",
                             autocomplete="off", **kwargs)
        # bootstrap-datepicker (shipped with the console) writes yyyy, mm, dd as we do
        return Markup(
            '<div class="input-group date" data-provide="datepicker" '
            f'data-date-format="{date_input_hint()}" data-date-autoclose="true">'
            '<span class="input-group-addon"><i class="fa fa-calendar cursor-hand"></i>'
            f'</span><input class="form-control" {params}></div>')


class LocalDateField(DateField):
    """A date field shown and read in the console language's order (see module doc)."""

    widget = LocalDatePickerWidget()

    def _value(self):
        if self.raw_data:
            return " ".join(self.raw_data)
        return format_input_date(self.data) if isinstance(self.data, dt.date) else ""

    def process_formdata(self, valuelist):
        if not valuelist or not " ".join(valuelist).strip():
            self.data = None
            return
        self.data = parse_input_date(" ".join(valuelist))
        if self.data is None:
            raise ValueError(_l("Write the date as %(hint)s.", hint=date_input_hint()))
