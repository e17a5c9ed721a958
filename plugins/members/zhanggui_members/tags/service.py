"""Tag rules of the business: creating tags, manual tagging, and the tag parts of a
merge, an erasure and a PIPL export.  No Flask request in sight (the acting user is
passed in, or taken from the request when there is one)."""
from __future__ import annotations

import json
from typing import Any

from zhanggui import ExportSection, _l, utcnow, write_transaction

from ..actor import acting_user
from ..profile.models import Member
from .evaluate import refresh_member_count
from .models import MemberTag, Tag, TagGroup
from .rules import RuleError, parse_rule


class TagError(ValueError):
    """A tag action that cannot be done; ``messages`` maps a field to messages."""

    def __init__(self, messages: dict[str, list[str]]):
        super().__init__("; ".join(" ".join(v) for v in messages.values()))
        self.messages = messages


def _error(field: str, message) -> TagError:
    return TagError({field: [str(message)]})


def normalized_rule(kind: str, rule: Any) -> str | None:
    """The rule as stored (compact JSON), after checking it; ``None`` for manual tags.
    Raises :class:`TagError` with the rule's messages under ``rule``."""
    if kind == "manual":
        if rule not in (None, "", {}):
            raise _error("rule", _l("A manual tag has no rule."))
        return None
    if kind != "rule":
        raise _error("kind", _l("A tag is manual or rule-based."))
    if rule in (None, "", {}):
        raise _error("rule", _l("A rule-based tag needs a rule."))
    data = rule
    if isinstance(rule, str):
        try:
            data = json.loads(rule)
        except ValueError as exc:
            raise _error("rule", _l("The rule is not valid JSON: %(error)s",
                                    error=str(exc))) from None
    try:
        parse_rule(data)
    except RuleError as exc:
        raise TagError({"rule": [f"{path}: {' '.join(msgs)}" if path != "rule"
                                 else " ".join(msgs)
                                 for path, msgs in exc.messages.items()]}) from None
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def create_tag(*, group: TagGroup, name: str, kind: str = "manual", rule: Any = None,
               description: str | None = None, active: bool = True) -> Tag:
    """A new tag in ``group``; a rule tag's rule is checked first (:class:`TagError`)."""
    name = (name or "").strip()
    if not name:
        raise _error("name", _l("Give the tag a name."))
    stored = normalized_rule(kind, rule)
    with write_transaction():
        if Tag.select().where((Tag.group == group) & (Tag.name == name)).exists():
            raise _error("name", _l("This group already has a tag of this name."))
        return Tag.create(group=group, name=name, kind=kind, rule=stored,
                          description=description, active=active)


def member_tags(member: Member) -> list[MemberTag]:
    """The member's tags with their group, by group then name."""
    return list(MemberTag.select(MemberTag, Tag, TagGroup).join(Tag).join(TagGroup)
                .where(MemberTag.member == member)
                .order_by(TagGroup.position, TagGroup.id, Tag.name))


def assign_tag(member: Member, tag: Tag, user: Any = None) -> bool:
    """Put a manual tag on a member (audited); ``False`` when it was there already."""
    from zhanggui.console.audit import record

    if tag.kind != "manual":
        raise _error("tag", _l("Rule-based tags follow their rule; they cannot be added "
                               "by hand."))
    if member.erased_at is not None or member.merged_into_id is not None:
        raise _error("member", _l("This member was erased or merged into another."))
    user_id, user_name = acting_user(user)
    with write_transaction():
        if MemberTag.select().where((MemberTag.member == member)
                                    & (MemberTag.tag == tag)).exists():
            return False
        MemberTag.create(member=member, tag=tag, source="manual", assigned_by_id=user_id,
                         assigned_by_name=user_name or None, assigned_at=utcnow())
        record("update", Member._meta.table_name, pk=member.id, fields=["tags"], user=user)
        refresh_member_count(tag.id)
    return True


def remove_tag(member: Member, tag: Tag, user: Any = None) -> bool:
    """Take a manual tag off a member (audited); ``False`` when it was not there."""
    from zhanggui.console.audit import record

    if tag.kind != "manual":
        raise _error("tag", _l("Rule-based tags follow their rule; they cannot be "
                               "removed by hand."))
    with write_transaction():
        gone = MemberTag.delete().where((MemberTag.member == member)
                                        & (MemberTag.tag == tag)).execute()
        if gone:
            record("update", Member._meta.table_name, pk=member.id, fields=["tags"],
                   user=user)
            refresh_member_count(tag.id)
    return bool(gone)


def fold_tags(source_id: int, target_id: int) -> int:
    """Move the source's tags to the target (merge step): a tag the target already
    carries keeps the target's assignment; returns how many assignments moved or
    were absorbed, i.e. the source's assignment count."""
    held = MemberTag.select(MemberTag.tag).where(MemberTag.member == target_id)
    tags = [t for (t,) in MemberTag.select(MemberTag.tag)
            .where(MemberTag.member == source_id).tuples()]
    absorbed = MemberTag.delete().where((MemberTag.member == source_id)
                                        & MemberTag.tag.in_(held)).execute()
    moved = MemberTag.update(member=target_id).where(MemberTag.member == source_id).execute()
    for tag_id in tags:
        refresh_member_count(tag_id)
    return absorbed + moved


def erase_member_tags(member_id: Any) -> list[str]:
    """Remove every tag of an erased member (PIPL art. 47)."""
    tags = [t for (t,) in MemberTag.select(MemberTag.tag)
            .where(MemberTag.member == member_id).tuples()]
    gone = MemberTag.delete().where(MemberTag.member == member_id).execute()
    for tag_id in tags:
        refresh_member_count(tag_id)
    return [f"{gone} tag assignment(s) deleted"]


def export_member_tags(member_id: Any) -> list[ExportSection]:
    """The member's tags for a PIPL export: group, tag, source, who and when."""
    rows = [{"group": str(a.tag.group), "tag": a.tag.name, "source": a.source,
             "assigned_by": a.assigned_by_name, "assigned_at": a.assigned_at.isoformat()}
            for a in member_tags(member_id)]
    return [ExportSection(name="members.tags", title=_l("Tags"), rows=rows)]
