"""``MemberRef``: a plugin's column pointing at a member, without importing members.

    from zhanggui import MemberRef, Model

    class GiftCard(Model):
        member = MemberRef(null=True)

It is a foreign key to the members plugin's member table (``members_member.id``).
Until an application is built it points at a stand-in model of that table holding
only the id, which is all a migration needs; ``create_app`` re-points every
``MemberRef`` at the members plugin's real model, so the console shows the member's
name, offers an autocomplete picker narrowed to the user's stores (the member
screen's record rule), and joins work.  The core then follows every ``MemberRef``:

* merge: when members folds member A into B (``zhanggui_merge_members``), rows that
  referenced A reference B, in the merge's transaction;
* export: one :class:`ExportSection` per table (named after the table) with the rows
  of the member, values made JSON-safe;
* erasure: rows are detached (the column set to NULL) when the column may be empty,
  else deleted; ``on_erase="delete"`` deletes them either way.

A plugin that uses ``MemberRef`` requires the members plugin (``requires =
("members",)``).
"""
from __future__ import annotations

import datetime as dt
import decimal
from typing import Any, Iterable

import peewee

from .db import Model

MEMBER_TABLE = "members_member"


class MemberRecord(Model):
    """Stand-in for the members plugin's member table: only its primary key."""

    class Meta:
        table_name = MEMBER_TABLE


class MemberRef(peewee.ForeignKeyField):
    """A foreign key to the member (see the module docstring).

    ``on_erase``: ``"detach"`` (default for a column that may be empty) or
    ``"delete"`` (default otherwise).  Other arguments are peewee's.
    """

    def __init__(self, on_erase: str | None = None, **kwargs):
        if on_erase not in (None, "detach", "delete"):
            raise ValueError("on_erase must be 'detach' or 'delete'")
        kwargs.setdefault("backref", "+")
        kwargs.setdefault("index", True)
        super().__init__(MemberRecord, **kwargs)
        self.on_erase = on_erase or ("detach" if kwargs.get("null") else "delete")


def member_ref_fields(models: Iterable[type]) -> list[MemberRef]:
    return [f for model in models for f in model._meta.sorted_fields
            if isinstance(f, MemberRef)]


def bind_member_refs(models: Iterable[type]) -> None:
    """Point every ``MemberRef`` at the real member model among ``models`` (when the
    members plugin is enabled); idempotent."""
    models = list(models)
    real = next((m for m in models if m._meta.table_name == MEMBER_TABLE
                 and m is not MemberRecord), None)
    if real is None:
        return
    for field in member_ref_fields(models):
        if field.rel_model is real:
            continue
        meta = field.model._meta
        meta.remove_ref(field)
        field.rel_model = real
        field.rel_field = real._meta.primary_key
        meta.add_ref(field)
        accessor = field.model.__dict__.get(field.name)
        if accessor is not None and hasattr(accessor, "rel_model"):
            accessor.rel_model = real


def follow_merge(models: Iterable[type], source_id: Any, target_id: Any) -> dict[str, int]:
    """Move every ``MemberRef`` row of ``source_id`` to ``target_id``."""
    moved: dict[str, int] = {}
    for field in member_ref_fields(models):
        n = field.model.update({field: target_id}).where(field == source_id).execute()
        moved[field.model._meta.table_name] = moved.get(field.model._meta.table_name, 0) + n
    return moved


def _plain(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, (bytes, memoryview)):
        return None
    return value


def export_sections(models: Iterable[type], member_id: Any) -> list[Any]:
    from .registry import ExportSection

    sections = []
    for field in member_ref_fields(models):
        model = field.model
        rows = [{k: _plain(v) for k, v in row.items()}
                for row in model.select().where(field == member_id).dicts()]
        title = getattr(model._meta, "verbose_name", None) or model._meta.table_name
        sections.append(ExportSection(name=model._meta.table_name, title=title, rows=rows))
    return sections


def erase_rows(models: Iterable[type], member_id: Any) -> list[str]:
    done = []
    for field in member_ref_fields(models):
        model, table = field.model, field.model._meta.table_name
        if field.on_erase == "detach" and field.null:
            n = model.update({field: None}).where(field == member_id).execute()
            done.append(f"{n} row(s) of {table} detached from the member")
        else:
            n = model.delete().where(field == member_id).execute()
            done.append(f"{n} row(s) of {table} deleted")
    return done
