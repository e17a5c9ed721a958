"""Re-evaluating rule tags: one DELETE and one INSERT ... SELECT per tag.

Each rule tag is compiled (:func:`~zhanggui_members.tags.rules.member_condition`)
into a condition over members, and the database brings the tag's assignments in
line with it in set-based statements, whatever the number of members: the
selected members are written once into a temporary table, then

* delete the rule assignments of members the rule no longer selects (or who were
  erased or merged away), an anti-join on the tag's assignments;
* insert an assignment for every selected member who lacks one.

Members who keep the tag keep their assignment row and its ``assigned_at`` (the time
they first qualified), so a second run right after the first changes nothing.  Each
tag is done in its own write transaction holding its tag row (``FOR UPDATE`` on
PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite), so the daily job and a button press
never interleave on one tag.  Manual assignments are never touched here.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterable
from zoneinfo import ZoneInfo

import peewee
from peewee import fn

from zhanggui import database, utcnow, write_transaction
from zhanggui.db import backend

from ..profile.models import Member
from .models import MemberTag, Tag
from .rules import RuleError, member_condition, parse_rule


@dataclass
class TagEvaluation:
    """What one tag's evaluation did (``error`` set when its rule no longer checks)."""

    tag_id: int
    name: str
    added: int = 0
    removed: int = 0
    members: int = 0
    error: str | None = None


_PICKED = "zg_tag_picked"


def _selected_members(query) -> peewee.Table:
    """The members ``query`` selects, written once into a temporary table (one per
    connection) with a primary key, so that the DELETE and the INSERT below are
    plain anti-joins against it, whatever the rule's sub-selects cost the planner."""
    database.execute_sql(f"DROP TABLE IF EXISTS {_PICKED}")
    database.execute_sql(f"CREATE TEMPORARY TABLE {_PICKED} (member_id BIGINT PRIMARY KEY)")
    picked = peewee.Table(_PICKED, ("member_id",))
    picked.insert(query, columns=[picked.member_id]).execute(database)
    return picked


def _ensure_statistics() -> None:
    """ANALYZE the tables a rule reads if PostgreSQL has never done so (a chain just
    loaded, before autovacuum came by): without statistics the planner takes the
    grouped purchase sub-select for one row and loops over it per member."""
    if backend(database) != "postgresql":
        return
    tables = ("members_member", "members_purchase", "members_purchase_line",
              "members_refund_line", "members_member_tag")
    cursor = database.execute_sql(
        "SELECT relname FROM pg_stat_user_tables WHERE relname IN %s "
        "AND last_analyze IS NULL AND last_autoanalyze IS NULL", (tables,))
    for (table,) in cursor.fetchall():
        database.execute_sql(f'ANALYZE "{table}"')


def local_today(now: dt.datetime) -> dt.date:
    """Today in the chain's time zone (``ZHANGGUI_TIMEZONE``), for birthday months."""
    from flask import current_app

    zone = current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "Asia/Shanghai"
    return now.astimezone(ZoneInfo(zone)).date()


def eligible() -> peewee.Expression:
    """Members who can carry tags: not erased, not merged into another member."""
    return Member.erased_at.is_null() & Member.merged_into.is_null()


def rule_tags(tag_ids: Iterable[int] | None = None) -> list[Tag]:
    query = Tag.select().where((Tag.kind == "rule") & (Tag.active == True))  # noqa: E712
    if tag_ids is not None:
        query = query.where(Tag.id.in_(list(tag_ids)))
    return list(query.order_by(Tag.id))


def evaluate_tag(tag: Tag, *, now: dt.datetime | None = None, today: dt.date | None = None,
                 member_ids: list[int] | None = None) -> TagEvaluation:
    """Bring one rule tag's assignments in line with its rule (see module doc).

    ``member_ids`` restricts the work to those members (a merge re-evaluates the
    member it kept); ``None`` means everyone.
    """
    now = now or utcnow()
    today = today or local_today(now)
    result = TagEvaluation(tag.id, tag.name)
    with write_transaction():
        locked = Tag.select().where(Tag.id == tag.id)
        if backend(database) != "sqlite":
            locked = locked.for_update()
        tag = locked.get()
        try:
            rule = parse_rule(tag.rule or "")
        except RuleError as exc:  # e.g. a store of the rule was closed since
            result.error = str(exc)
            return result
        selected = member_condition(rule, now, today, member_ids) & eligible()
        if member_ids is not None:
            selected &= Member.id.in_(member_ids)
        picked = _selected_members(Member.select(Member.id).where(selected))
        try:
            in_picked = picked.select(peewee.SQL("1")).where(
                picked.member_id == MemberTag.member)
            stale = ((MemberTag.tag == tag.id) & (MemberTag.source == "rule")
                     & ~fn.EXISTS(in_picked))
            if member_ids is not None:
                stale &= MemberTag.member.in_(member_ids)
            result.removed = MemberTag.delete().where(stale).execute()
            holder = MemberTag.alias("holder")
            has_it = holder.select(holder.id).where((holder.member == picked.member_id)
                                                    & (holder.tag == tag.id))
            fresh = (picked.select(picked.member_id, peewee.Value(tag.id),
                                   peewee.Value("rule"), peewee.Value(now))
                     .where(~fn.EXISTS(has_it)))
            result.added = (MemberTag.insert_from(fresh, [MemberTag.member, MemberTag.tag,
                                                          MemberTag.source,
                                                          MemberTag.assigned_at])
                            .as_rowcount().execute())
        finally:
            database.execute_sql(f"DROP TABLE IF EXISTS {_PICKED}")
        result.members = MemberTag.select().where(MemberTag.tag == tag.id).count()
        Tag.update(evaluated_at=now, member_count=result.members) \
            .where(Tag.id == tag.id).execute()
    return result


def evaluate_rule_tags(tag_ids: Iterable[int] | None = None, *,
                       now: dt.datetime | None = None, today: dt.date | None = None,
                       member_ids: list[int] | None = None,
                       progress=None) -> list[TagEvaluation]:
    """Re-evaluate every active rule tag (or those of ``tag_ids``); ``progress`` is a
    :class:`zhanggui.Progress`-like reporter advanced once per tag."""
    now = now or utcnow()
    today = today or local_today(now)
    if member_ids is None:
        _ensure_statistics()
    results = []
    for tag in rule_tags(tag_ids):
        results.append(evaluate_tag(tag, now=now, today=today, member_ids=member_ids))
        if progress is not None:
            progress.advance()
    return results


def refresh_member_count(tag_id: int) -> None:
    """Recount a tag's members (after manual tagging, a merge or an erasure)."""
    count = MemberTag.select().where(MemberTag.tag == tag_id).count()
    Tag.update(member_count=count).where(Tag.id == tag_id).execute()
