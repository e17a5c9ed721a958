"""Merging two member records of one customer: :class:`MergeMembers`.

``MergeMembers(source_id, target_id, user=..., stores=...).run()`` folds the *source*
into the *target* in ONE write transaction, both member rows locked (``FOR UPDATE``
in id order on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite) and every check repeated
under the lock, so two merges of the same members never both go through:

1. the :data:`FOLD_STEPS` in order, each moving one kind of record and returning
   ``{table: rows}``: the profile (see :func:`fold_profile`), channel identities,
   purchases (their lines, payments and refunds follow them), tags, consent history,
   the lifecycle stage history, and every other plugin's records through the
   ``zhanggui_merge_members`` hook;
2. the source is retired: ``merged_into`` = target, its personal fields emptied (they
   now live on the target or its aliases), never deleted;
3. the append-only :class:`~zhanggui_members.merging.models.MemberMergeRecord` and two
   audit entries (field and table names only, never values);
4. the :data:`RECOMPUTE_STEPS`, in the same transaction: the target's rule tags, then
   its RFM, CLV, value group and lifecycle stage.

Another members feature adds its part with one line in :data:`FOLD_STEPS` or
:data:`RECOMPUTE_STEPS`; a fold step takes a :class:`MergeContext`
and returns its counts, a recompute step takes the context and returns nothing.

Phone and card: the target keeps its own.  When it has none, it takes the source's;
otherwise the source's number becomes a :class:`~zhanggui_members.merging.models.
MemberAlias` of the target, which :func:`~zhanggui_members.profile.services.find_member`
consults, so a till or the call center looking up the old phone or card finds the
target and never creates a new member.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Callable

from zhanggui import _l, database, plugins, utcnow, write_transaction
from zhanggui.db import backend

from ..actor import acting_user
from ..profile.models import Member, MemberIdentity, Purchase, Refund
from ..profile.sort_keys import sort_key_columns
from .models import MemberAlias, MemberMergeRecord


class MergeError(ValueError):
    """The merge cannot be done; ``messages`` maps ``source``/``target`` to messages.
    Nothing was changed."""

    def __init__(self, messages: dict[str, list[str]]):
        super().__init__("; ".join(" ".join(v) for v in messages.values()))
        self.messages = messages


@dataclass
class MergeContext:
    """What fold and recompute steps receive: both members (locked), the counts so
    far and the names of profile fields the target took over."""

    source: Member
    target: Member
    moved: dict[str, int] = field(default_factory=dict)
    fields: list[str] = field(default_factory=list)
    aliases: list[dict[str, Any]] = field(default_factory=list)


def fold_profile(ctx: MergeContext) -> dict[str, int]:
    """The target keeps what it has; blanks are filled from the source (name, gender,
    birthday, home store), notes are appended, the earlier join date wins.  The
    source's phone and card go to the target when it has none, else become aliases."""
    source, target = ctx.source, ctx.target
    updates: dict[str, Any] = {}
    for name in ("name", "birthday", "home_store"):
        if getattr(target, name if name != "home_store" else "home_store_id") is None \
                and getattr(source, name if name != "home_store" else "home_store_id") is not None:
            updates[name] = getattr(source, name if name != "home_store" else "home_store_id")
    if target.gender == "unknown" and source.gender != "unknown":
        updates["gender"] = source.gender
    if source.notes:
        updates["notes"] = f"{target.notes}\n{source.notes}" if target.notes else source.notes
    if source.joined_at and target.joined_at and source.joined_at < target.joined_at:
        updates["joined_at"] = source.joined_at
    if source.phone_hash:
        if target.phone_hash is None:
            updates.update(phone_encrypted=source.phone_encrypted,
                           phone_hash=source.phone_hash, phone_last4=source.phone_last4)
            ctx.fields.append("phone")
        else:
            ctx.aliases.append({"kind": "phone", "key": source.phone_hash,
                                "phone_encrypted": source.phone_encrypted,
                                "phone_last4": source.phone_last4})
    if source.card_no:
        if target.card_no is None:
            updates["card_no"] = source.card_no
            ctx.fields.append("card_no")
        else:
            ctx.aliases.append({"kind": "card", "key": source.card_no})
    ctx.fields.extend(k for k in updates if k not in {"phone_encrypted", "phone_hash",
                                                      "phone_last4", "card_no"})
    # the unique phone hash and card number leave the source before the target takes them
    Member.update(phone_encrypted=None, phone_hash=None, phone_last4=None, card_no=None) \
        .where(Member.id == source.id).execute()
    if updates:
        if "name" in updates:
            updates.update(sort_key_columns(updates["name"]))
        Member.update(**updates).where(Member.id == target.id).execute()
    # aliases the source had received from earlier merges now find the target
    earlier = MemberAlias.update(member=target.id).where(MemberAlias.member == source.id) \
        .execute()
    return {"members_alias": earlier}


def fold_identities(ctx: MergeContext) -> dict[str, int]:
    moved = MemberIdentity.update(member=ctx.target.id) \
        .where(MemberIdentity.member == ctx.source.id).execute()
    return {"members_identity": moved}


def fold_purchases(ctx: MergeContext) -> dict[str, int]:
    """Purchases move; their lines, payments and refunds hang off them and follow."""
    refunds = (Refund.select().join(Purchase)
               .where(Purchase.member == ctx.source.id).count())
    moved = Purchase.update(member=ctx.target.id).where(Purchase.member == ctx.source.id) \
        .execute()
    return {"members_purchase": moved, "members_refund": refunds}


def fold_tags(ctx: MergeContext) -> dict[str, int]:
    from ..tags.service import fold_tags as fold

    return {"members_member_tag": fold(ctx.source.id, ctx.target.id)}


def fold_consents(ctx: MergeContext) -> dict[str, int]:
    """Consent history moves; the target keeps its own answers (never switched on)."""
    from ..consent.service import fold_consents as fold

    return {"members_consent_record": fold(ctx.source.id, ctx.target.id)}


def fold_segments(ctx: MergeContext) -> dict[str, int]:
    """The stage history moves; the source's score row goes (it is recomputed below)."""
    from ..segments.recompute import fold_segment_records

    return {"members_stage_change": fold_segment_records(ctx.source.id, ctx.target.id)}


def fold_other_plugins(ctx: MergeContext) -> dict[str, int]:
    """Every other plugin moves its records (``zhanggui_merge_members``)."""
    plugins().emit("merge_members", source_id=ctx.source.id, target_id=ctx.target.id)
    return {}


def recompute_rule_tags(ctx: MergeContext) -> None:
    """The target's purchase history grew: re-evaluate the rule tags for it alone."""
    from ..tags.evaluate import evaluate_rule_tags

    evaluate_rule_tags(member_ids=[ctx.target.id])


def recompute_segments(ctx: MergeContext) -> None:
    """The target's RFM, CLV, value group and stage from its merged purchases."""
    from ..segments.recompute import recompute_member

    recompute_member(ctx.target.id, reason="merge")


FoldStep = Callable[[MergeContext], dict[str, int]]
RecomputeStep = Callable[[MergeContext], None]

#: run in order inside the merge transaction; append yours (see the module doc)
FOLD_STEPS: list[FoldStep] = [fold_profile, fold_identities, fold_purchases, fold_tags,
                              fold_consents, fold_segments, fold_other_plugins]
#: run after the fold, same transaction
RECOMPUTE_STEPS: list[RecomputeStep] = [recompute_rule_tags, recompute_segments]


def _member_in_scope(member: Member, stores: set[str] | None) -> bool:
    if stores is None:
        return True
    return member.home_store_id is not None and member.home_store.code in stores


class MergeMembers:
    """Fold member ``source_id`` into member ``target_id`` (see the module doc).

    ``stores``: the store codes the acting user may reach (``None``: all), both
    members must belong to them; ``user``: who merges (default: the request's user).
    """

    def __init__(self, source_id: Any, target_id: Any, *, user: Any = None,
                 stores: set[str] | None = None):
        self.source_id, self.target_id = source_id, target_id
        self.user, self.stores = user, stores

    def _load(self, key: str, value: Any, lock: bool) -> Member | None:
        try:
            if isinstance(value, (bool, float)) or value is None:
                raise TypeError(value)
            member_id = int(value)
        except (TypeError, ValueError):
            raise MergeError({key: [str(_l("Give a member by its number."))]}) from None
        query = Member.select().where(Member.id == member_id)
        if lock and backend(database) != "sqlite":
            query = query.for_update()
        member = query.first()
        if member is None:
            raise MergeError({key: [str(_l("No member has this number."))]})
        return member

    def validate(self, lock: bool = False) -> tuple[Member, Member]:
        """Both members, checked; :class:`MergeError` says what is wrong."""
        messages: dict[str, list[str]] = {}
        found: dict[str, Member] = {}
        # lock in id order, so two merges of the same pair cannot deadlock
        order = sorted((("source", self.source_id), ("target", self.target_id)),
                       key=lambda kv: str(kv[1]).zfill(20))
        for key, value in order:
            try:
                found[key] = self._load(key, value, lock)
            except MergeError as exc:
                messages.update(exc.messages)
        if messages:
            raise MergeError(messages)
        source, target = found["source"], found["target"]
        if source.id == target.id:
            raise MergeError({"target": [str(_l("A member cannot be merged into itself."))]})
        for key, member in (("source", source), ("target", target)):
            if member.erased_at is not None:
                messages[key] = [str(_l("This member's personal data was erased."))]
            elif member.merged_into_id is not None:
                messages[key] = [str(_l("This member was already merged into member "
                                        "%(id)s.", id=member.merged_into_id))]
            elif not _member_in_scope(member, self.stores):
                messages[key] = [str(_l("This member belongs to a store you do not "
                                        "work for."))]
        if messages:
            raise MergeError(messages)
        return source, target

    def preview(self) -> dict[str, Any]:
        """What a merge would move, without changing anything (for the console)."""
        source, target = self.validate()
        from ..tags.models import MemberTag

        return {"source": source, "target": target, "counts": {
            "members_identity": MemberIdentity.select().where(
                MemberIdentity.member == source).count(),
            "members_purchase": Purchase.select().where(Purchase.member == source).count(),
            "members_refund": Refund.select().join(Purchase)
            .where(Purchase.member == source).count(),
            "members_member_tag": MemberTag.select().where(
                MemberTag.member == source).count(),
        }}

    def run(self) -> MemberMergeRecord:
        from zhanggui.console.audit import record

        with write_transaction():
            source, target = self.validate(lock=True)
            ctx = MergeContext(source=source, target=target)
            for step in FOLD_STEPS:
                for table, count in (step(ctx) or {}).items():
                    if count:     # the record names what moved, not every table looked at
                        ctx.moved[table] = ctx.moved.get(table, 0) + count
            user_id, user_name = acting_user(self.user)
            Member.update(merged_into=target.id, name=None, name_pinyin=None,
                          name_zhuyin=None, birthday=None, notes=None,
                          gender="unknown", home_store=None) \
                .where(Member.id == source.id).execute()
            merge = MemberMergeRecord.create(
                source=source.id, target=target.id, merged_at=utcnow(),
                merged_by_id=user_id, merged_by_name=user_name,
                moved=json.dumps(ctx.moved, sort_keys=True),
                fields=",".join(sorted(set(ctx.fields))))
            for alias in ctx.aliases:
                MemberAlias.create(member=target.id, merge=merge, **alias)
            if ctx.aliases:
                ctx.moved["members_alias"] = ctx.moved.get("members_alias", 0) \
                    + len(ctx.aliases)
                MemberMergeRecord.update(moved=json.dumps(ctx.moved, sort_keys=True)) \
                    .where(MemberMergeRecord.id == merge.id).execute()
            for step in RECOMPUTE_STEPS:
                step(ctx)
            record("create", MemberMergeRecord._meta.table_name, pk=merge.id,
                   fields=sorted(ctx.moved), user=self.user)
            record("update", Member._meta.table_name, pk=source.id,
                   fields=["merged_into", "name", "phone", "card_no", "birthday", "notes"],
                   user=self.user)
            if ctx.fields:
                record("update", Member._meta.table_name, pk=target.id,
                       fields=sorted(set(ctx.fields)), user=self.user)
        return MemberMergeRecord.get_by_id(merge.id)


def current_member(member: Member, locked: bool = False) -> Member:
    """The member a sale found, or the one it was merged into meanwhile.

    On PostgreSQL a merge holds the member row ``FOR UPDATE`` until it commits; a till
    that found the member just before takes ``FOR SHARE`` here, so it waits for that
    merge and then follows ``merged_into`` instead of recording the sale on a retired
    record.  On SQLite the till's ``BEGIN IMMEDIATE`` already waited for the merge.
    """
    if backend(database) != "sqlite" and not locked:  # locked: read FOR SHARE already
        member = (Member.select().where(Member.id == member.id)
                  .for_update("FOR SHARE").get())
    seen = set()
    while member.merged_into_id is not None and member.id not in seen:
        seen.add(member.id)
        member = Member.get_by_id(member.merged_into_id)
    return member


def find_alias_member(*, phone_hash: str | None = None, card_no: str | None = None):
    """The member an old phone (its keyed hash) or card of a merged member now finds."""
    if phone_hash:
        alias = MemberAlias.get_or_none((MemberAlias.kind == "phone")
                                        & (MemberAlias.key == phone_hash))
        if alias is not None:
            return Member.get_by_id(alias.member_id)
    if card_no:
        alias = MemberAlias.get_or_none((MemberAlias.kind == "card")
                                        & (MemberAlias.key == card_no))
        if alias is not None:
            return Member.get_by_id(alias.member_id)
    return None
