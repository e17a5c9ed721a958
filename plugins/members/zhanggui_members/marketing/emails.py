"""Setting, reading, exporting and erasing a member's e-mail address."""
from __future__ import annotations

import re
from typing import Any

from zhanggui import ExportSection, _l, utcnow, write_transaction

from ..profile.crypto import cipher_for_secret, field_secret
from .models import MemberEmail

#: deliberately plain: an address a mail server would take, no display names
EMAIL_RE = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


class EmailError(ValueError):
    """An address that cannot be stored; the message says why (translated)."""


def email_cipher():
    from flask import current_app

    return cipher_for_secret(field_secret(current_app.extensions["zhanggui"].settings),
                             "members.email")


def normalize_email(text: Any) -> str:
    """Trimmed, the domain lower-cased; raises :class:`EmailError` when malformed."""
    value = str(text or "").strip()
    if len(value) > 254 or not EMAIL_RE.match(value):
        raise EmailError(str(_l("Enter an e-mail address such as name@example.com.")))
    local, _, domain = value.rpartition("@")
    return f"{local}@{domain.lower()}"


def set_member_email(member_id: Any, email: str | None) -> None:
    """Store (or with ``None``, remove) the member's address."""
    with write_transaction():
        if email is None or not str(email).strip():
            MemberEmail.delete().where(MemberEmail.member == member_id).execute()
            return
        value = normalize_email(email)
        cipher = email_cipher()
        digest = cipher.lookup_hash(value.lower())
        owner = MemberEmail.get_or_none(MemberEmail.email_hash == digest)
        if owner is not None and owner.member_id != member_id:
            raise EmailError(str(_l("Another member already uses this e-mail address.")))
        fields = {"email_encrypted": cipher.encrypt(value), "email_hash": digest,
                  "updated_at": utcnow()}
        if owner is None and MemberEmail.get_or_none(MemberEmail.member == member_id) is None:
            MemberEmail.create(member=member_id, **fields)
        else:
            MemberEmail.update(**fields).where(MemberEmail.member == member_id).execute()


def member_email(member_id: Any) -> str | None:
    row = MemberEmail.get_or_none(MemberEmail.member == member_id)
    return email_cipher().decrypt(row.email_encrypted) if row else None


def emails_of(member_ids: list) -> dict[Any, str]:
    """``{member_id: address}`` for those with one (one query, decrypted here)."""
    cipher = email_cipher()
    rows = MemberEmail.select(MemberEmail.member, MemberEmail.email_encrypted) \
        .where(MemberEmail.member.in_(list(member_ids))).tuples()
    return {member_id: cipher.decrypt(token) for member_id, token in rows}


def export_email(member_id: Any) -> list[ExportSection]:
    address = member_email(member_id)
    if address is None:
        return []
    return [ExportSection(name="members.email", title=_l("E-mail address"),
                          rows=[{"email": address}])]


def erase_email(member_id: Any) -> list[str]:
    removed = MemberEmail.delete().where(MemberEmail.member == member_id).execute()
    return ["e-mail address"] if removed else []


def fold_email(source_id: Any, target_id: Any) -> None:
    """A merge keeps the kept member's address, else takes the source's."""
    if MemberEmail.get_or_none(MemberEmail.member == target_id) is None:
        MemberEmail.update(member=target_id).where(MemberEmail.member == source_id).execute()
    else:
        MemberEmail.delete().where(MemberEmail.member == source_id).execute()
