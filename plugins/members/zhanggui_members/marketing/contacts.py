"""Who may be sent marketing on a channel now, and where (``zhanggui_marketing_contacts``).

Consent is read at send time from the current-state table, so a withdrawal recorded a
second ago stops the next message.  Addresses are decrypted only for the chunk being
sent.
"""
from __future__ import annotations

from typing import Any

from peewee import JOIN

from zhanggui import MarketingContact

from ..consent.service import consenting_member_ids
from ..profile.models import Member, Store
from ..profile.services import member_phone
from .emails import emails_of

ADDRESS_CHANNELS = ("email", "sms", "phone")


def marketing_contacts(member_ids: list, channel: str) -> dict[Any, MarketingContact]:
    if channel not in ADDRESS_CHANNELS or not member_ids:
        return {}
    rows = list(Member.select(Member, Store.timezone)
                .join(Store, join_type=JOIN.LEFT_OUTER, on=(Member.home_store == Store.id))
                .where(Member.id.in_(list(member_ids)) & Member.erased_at.is_null()
                       & Member.merged_into.is_null()
                       & Member.id.in_(consenting_member_ids(channel)))
                .objects())
    addresses = emails_of([m.id for m in rows]) if channel == "email" else {}
    answer = {}
    for member in rows:
        address = addresses.get(member.id) if channel == "email" else _phone(member)
        if address:
            answer[member.id] = MarketingContact(
                member_id=member.id, address=address, name=member.name or "",
                language=_language(getattr(member, "timezone", None)),
                timezone=getattr(member, "timezone", None) or "Asia/Shanghai")
    return answer


def _phone(member) -> str | None:
    try:
        return member_phone(member)
    except Exception:  # an undecryptable number cannot be dialled; skip the member
        return None


def _language(timezone: str | None) -> str:
    """The language a member reads, from the home store's region until members
    record a preference: Taipei and Hong Kong stores write Traditional Chinese."""
    return "zh_TW" if timezone in ("Asia/Taipei", "Asia/Hong_Kong", "Asia/Macau") else "zh_CN"
