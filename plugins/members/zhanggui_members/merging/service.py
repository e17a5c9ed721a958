"""The merge parts of a PIPL export and erasure: a member's aliases (old phones and
cards of members merged into it) are its personal data."""
from __future__ import annotations

from typing import Any

from zhanggui import ExportSection, _l

from ..profile.crypto import FieldDecryptionError, phone_cipher
from .models import MemberAlias, MemberMergeRecord


def export_member_merges(member_id: Any) -> list[ExportSection]:
    """The old phones and cards that find this member, and the merges into it."""
    aliases = []
    for alias in MemberAlias.select().where(MemberAlias.member == member_id) \
            .order_by(MemberAlias.id):
        value = alias.key
        if alias.kind == "phone":
            try:
                value = phone_cipher().decrypt(alias.phone_encrypted)
            except (FieldDecryptionError, TypeError, ValueError):
                value = None
        aliases.append({"kind": alias.kind, "value": value})
    merges = [{"merged_member": m.source_id, "merged_at": m.merged_at.isoformat(),
               "moved": m.moved_counts(), "fields": m.field_names()}
              for m in MemberMergeRecord.select().where(MemberMergeRecord.target == member_id)
              .order_by(MemberMergeRecord.id)]
    return [ExportSection(name="members.aliases", title=_l("Earlier phone and card numbers"),
                          rows=aliases),
            ExportSection(name="members.merges", title=_l("Member records merged"),
                          rows=merges)]


def erase_member_aliases(member_id: Any) -> list[str]:
    """Delete the old phones and cards that find this member (PIPL art. 47); merge
    records stay (they hold ids, counts and field names, nothing personal)."""
    gone = MemberAlias.delete().where(MemberAlias.member == member_id).execute()
    return [f"{gone} earlier phone/card number(s) deleted"]
