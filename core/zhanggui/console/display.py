"""Values of Flask-AppBuilder's own records (users, roles, API keys) as people read
them: ``True`` becomes 是/是/Yes, ``None`` a dash, a list its items, a time the local
time of the user's zone in their language.

FAB writes its times (``last_login``, ``created_on``, an API key's ``expires_on``...)
as naive values of the server's clock (``datetime.now()``); :func:`fab_time_as_utc`
reads them so before formatting.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from ..formatting import format_local_date, format_local_datetime
from ..i18n import _

EMPTY = "—"


def fab_time_as_utc(value: dt.datetime) -> dt.datetime:
    """A FAB time (naive, the server's local clock) as an aware UTC instant."""
    if value.tzinfo is None:
        value = value.astimezone()  # naive: Python reads it as the system's local time
    return value.astimezone(dt.timezone.utc)


def display_value(value: Any) -> Any:
    """``value`` as the console shows it (see module doc); other values unchanged."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, dt.datetime):
        return format_local_datetime(fab_time_as_utc(value))
    if isinstance(value, dt.date):
        return format_local_date(value)
    if isinstance(value, (list, tuple, set)) or type(value).__name__ == "InstrumentedList":
        return ", ".join(str(v) for v in value) or EMPTY
    return value


def formatters_for(view) -> dict:
    """``formatters_columns`` giving every column of ``view``'s list and show pages
    (and the user-info page) :func:`display_value`, keeping the view's own."""
    columns = set(view.list_columns or []) | set(view.show_columns or [])
    for fieldsets in (getattr(view, "show_fieldsets", None),
                      getattr(view, "user_show_fieldsets", None)):
        for _title, spec in fieldsets or []:
            columns.update(spec.get("fields", []))
    return {**{column: display_value for column in columns},
            **(view.formatters_columns or {})}
