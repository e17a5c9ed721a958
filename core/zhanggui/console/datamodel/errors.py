"""Turn database errors into messages a shop assistant can act on.

``add``/``edit``/``delete`` raise :class:`RecordRejected` (a FAB ``DatabaseException``,
which is what FAB's views and REST handlers catch) carrying a sentence and, when the
database says which column was at fault, ``{field_name: [message]}``.
"""

from __future__ import annotations

import re

import peewee
from flask_appbuilder.exceptions import DatabaseException
from flask_babel import lazy_gettext

UNIQUE_MESSAGE = lazy_gettext("Already exists.")
REQUIRED_MESSAGE = lazy_gettext("This field is required.")
MISSING_RELATED_MESSAGE = lazy_gettext("The related record does not exist.")

# SQLite: "UNIQUE constraint failed: member.phone, member.store_id"
_SQLITE_COLUMNS = re.compile(r"constraint failed: ([\w., ]+)")
# PostgreSQL: 'DETAIL:  Key (phone)=(138...) already exists.' / '... is not present in table'
_PG_KEY = re.compile(r"Key \(([^)]+)\)=")
# PostgreSQL: 'null value in column "name" of relation "member" violates not-null ...'
_PG_NULL = re.compile(r'null value in column "([^"]+)"')
# MySQL: "Duplicate entry 'x' for key 'member.phone'" / "Column 'name' cannot be null"
_MYSQL_KEY = re.compile(r"for key '(?:[\w]+\.)?([\w]+)'|Column '(\w+)' cannot be null")


class RecordRejected(DatabaseException):
    """The database refused a write.

    ``message`` is a sentence for the user; ``field_errors`` maps model field names to
    lists of messages (empty when the database did not name a column). ``__cause__``
    is the original peewee exception.
    """

    def __init__(self, message, field_errors=None):
        super().__init__(str(message))
        self.message = str(message)
        self.field_errors = field_errors or {}

    def __str__(self):
        return self.message

    def as_messages(self):
        """Field messages if known, else ``{"_schema": [message]}`` (marshmallow style)."""
        return self.field_errors or {"_schema": [self.message]}


def _field_names(model, column_names):
    by_column = {f.column_name: f.name for f in model._meta.sorted_fields}
    names = []
    for column in column_names:
        column = column.strip().split(".")[-1].strip('"')
        if column in by_column:
            names.append(by_column[column])
    return names


def _columns_named(text):
    for pattern in (_PG_KEY, _PG_NULL):
        match = pattern.search(text)
        if match:
            return [c.strip() for c in match.group(1).split(",")]
    match = _SQLITE_COLUMNS.search(text)
    if match:
        return match.group(1).split(",")
    match = _MYSQL_KEY.search(text)
    if match:
        return [match.group(1) or match.group(2)]
    return []


def describe(model, exc: peewee.PeeweeException, action: str) -> RecordRejected:
    """Build the RecordRejected for ``exc`` raised while ``action``-ing a ``model`` row."""
    text = str(exc)
    lowered = text.lower()
    fields = _field_names(model, _columns_named(text))
    if isinstance(exc, peewee.IntegrityError):
        if "unique" in lowered or "duplicate" in lowered:
            message, per_field = lazy_gettext("Integrity error, probably unique constraint"), UNIQUE_MESSAGE
        elif "null" in lowered:
            message, per_field = lazy_gettext("A required value is missing"), REQUIRED_MESSAGE
        elif "foreign key" in lowered or "not present" in lowered or "still referenced" in lowered:
            if action == "delete":
                message = lazy_gettext("Associated data exists, please delete them first")
                fields = []
            else:
                message = lazy_gettext("A related record does not exist")
            per_field = MISSING_RELATED_MESSAGE
        else:
            message, per_field = lazy_gettext("The record breaks a database rule"), None
    elif isinstance(exc, peewee.DataError):
        message, per_field = lazy_gettext("A value is out of range or of the wrong type"), None
    else:
        message, per_field = lazy_gettext("Database Error"), None
    field_errors = {name: [str(per_field or message)] for name in fields}
    return RecordRejected(message, field_errors)
