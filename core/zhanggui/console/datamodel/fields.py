"""A portable JSON field and the UTC helper the console uses.

Instants are ``zhanggui.UTCDateTimeField`` (core); the interface recognises
peewee's and playhouse's own JSON fields as well as this one.
"""

from __future__ import annotations

import datetime
import json

from peewee import TextField

UTC = datetime.timezone.utc


class JSONField(TextField):
    """JSON stored as text, portable across SQLite, PostgreSQL and MySQL.

    peewee's own ``JSONField`` maps to ``JSONB`` on PostgreSQL, which is fine too;
    this one exists for models that must keep one DDL everywhere.
    """

    def db_value(self, value):
        if value is None:
            return None
        return json.dumps(value, ensure_ascii=False, sort_keys=True)

    def python_value(self, value):
        if value is None or not isinstance(value, (str, bytes)):
            return value
        return json.loads(value)


def as_utc(value: datetime.datetime) -> datetime.datetime:
    """Return ``value`` as an aware UTC datetime (naive values are taken as UTC)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)
