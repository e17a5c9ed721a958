"""Each console user's saved language and time zone (table ``zhanggui_user_preference``).

Flask-AppBuilder's users live in its own SQLAlchemy tables; the preference is keyed
by their id and kept in peewee like everything else of ours.  A missing row, or an
empty column, means "no preference": the request and the settings decide.
"""
from __future__ import annotations

from dataclasses import dataclass

import peewee

from .db import Model, UTCDateTimeField, utcnow
from .registry import Migration


class UserPreference(Model):
    """One console user's language and display time zone."""

    user_id = peewee.IntegerField(primary_key=True)
    locale = peewee.CharField(max_length=16, null=True)
    timezone = peewee.CharField(max_length=64, null=True)
    updated_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "zhanggui_user_preference"


@dataclass(frozen=True)
class Preference:
    locale: str | None = None
    timezone: str | None = None


NO_PREFERENCE = Preference()


def load_preference(user_id: int | None) -> Preference:
    """The saved preference of user ``user_id`` (empty when there is none)."""
    if user_id is None:
        return NO_PREFERENCE
    row = UserPreference.get_or_none(UserPreference.user_id == user_id)
    if row is None:
        return NO_PREFERENCE
    return Preference(locale=row.locale or None, timezone=row.timezone or None)


def save_preference(user_id: int, *, locale: str | None = ...,  # type: ignore[assignment]
                    timezone: str | None = ...) -> None:  # type: ignore[assignment]
    """Save the given fields of user ``user_id``'s preference; others are kept."""
    from .db import write_transaction

    fields = {}
    if locale is not ...:
        fields["locale"] = locale
    if timezone is not ...:
        fields["timezone"] = timezone
    if not fields:
        return
    with write_transaction():
        updated = (UserPreference.update(updated_at=utcnow(), **fields)
                   .where(UserPreference.user_id == user_id).execute())
        if not updated:
            UserPreference.insert(user_id=user_id, updated_at=utcnow(), **fields) \
                .on_conflict_ignore().execute()


def _create_user_preference(ctx) -> None:
    class FrozenUserPreference(peewee.Model):
        user_id = peewee.IntegerField(primary_key=True)
        locale = peewee.CharField(max_length=16, null=True)
        timezone = peewee.CharField(max_length=64, null=True)
        updated_at = peewee.DateTimeField()

        class Meta:
            database = ctx.db
            table_name = "zhanggui_user_preference"

    ctx.create_tables([FrozenUserPreference])


MIGRATION = Migration(name="0002_user_preferences", apply=_create_user_preference,
                      description="console users' language and time zone")
