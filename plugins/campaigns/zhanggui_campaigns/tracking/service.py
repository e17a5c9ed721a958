"""What a tracked event changes; the routes and the CLI stay thin."""
from __future__ import annotations

import re
from email import message_from_bytes, policy
from typing import Any

from peewee import fn

from zhanggui import plugins, utcnow, write_transaction

from ..sending.models import CampaignLink, Recipient, Suppression
from ..sending.worker import address_hash

TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,32}$")
STOP_WORDS = {"t", "td", "n", "stop", "unsubscribe", "退订", "退訂", "取消", "退"}


def recipient(token: str) -> Recipient | None:
    if not TOKEN_RE.match(token or ""):
        return None
    return Recipient.get_or_none(Recipient.token == token)


def record_open(token: str) -> bool:
    row = recipient(token)
    if row is None:
        return False
    with write_transaction():
        Recipient.update(opens=Recipient.opens + 1,
                         opened_at=fn.COALESCE(Recipient.opened_at, utcnow())) \
            .where(Recipient.id == row.id).execute()
    return True


def record_click(token: str, link_id: int) -> str | None:
    """The link's address, once the click is counted; ``None`` for a bad token/link."""
    row = recipient(token)
    if row is None:
        return None
    link = CampaignLink.get_or_none((CampaignLink.id == link_id)
                                    & (CampaignLink.campaign == row.campaign_id))
    if link is None:
        return None
    with write_transaction():
        Recipient.update(clicks=Recipient.clicks + 1,
                         opened_at=fn.COALESCE(Recipient.opened_at, utcnow())) \
            .where(Recipient.id == row.id).execute()
        CampaignLink.update(clicks=CampaignLink.clicks + 1) \
            .where(CampaignLink.id == link.id).execute()
    return link.url


def unsubscribe(token: str) -> Recipient | None:
    """Withdraw the member's consent for this campaign's channel only."""
    row = recipient(token)
    if row is None:
        return None
    with write_transaction():
        plugins().call_first("zhanggui_withdraw_consent", member_id=row.member_id,
                             channel=row.channel, source="unsubscribe")
        Recipient.update(unsubscribed_at=fn.COALESCE(Recipient.unsubscribed_at, utcnow())) \
            .where(Recipient.id == row.id).execute()
    return row


def cancel_queued(member_id: Any, channel: str) -> int:
    """A withdrawal stops what is still queued for the member on that channel."""
    return Recipient.update(status="cancelled") \
        .where((Recipient.member_id == member_id) & (Recipient.channel == channel)
               & (Recipient.status == "queued")).execute()


def sms_reply(phone: str, text: str) -> bool:
    """An inbound SMS: a stop word withdraws SMS consent (that channel only)."""
    if (text or "").strip().lower() not in STOP_WORDS:
        return False
    member_id = plugins().call_first("zhanggui_find_member", phone=phone, card=None)
    if member_id is None:
        return False
    with write_transaction():
        plugins().call_first("zhanggui_withdraw_consent", member_id=member_id,
                             channel="sms", source="unsubscribe")
    return True


# ------------------------------------------------------------------ bounces
def classify_bounce(raw: bytes) -> tuple[str | None, str | None]:
    """``(token, "hard" | "soft")`` for a delivery status notification (RFC 3464);
    ``(None, None)`` for anything else, auto-replies included (they are not bounces)."""
    message = message_from_bytes(raw, policy=policy.default)
    auto = (message.get("Auto-Submitted") or "").lower()
    if message.get_content_type() != "multipart/report" or \
            message.get_param("report-type", "").lower() != "delivery-status":
        return None, None
    if auto.startswith("auto-replied"):
        return None, None
    status = None
    for part in message.walk():
        if part.get_content_type() == "message/delivery-status":
            text = part.as_string() if not part.is_multipart() else \
                "\n".join(p.as_string() for p in part.get_payload())
            action = re.search(r"^Action:\s*(\w+)", text, re.M | re.I)
            code = re.search(r"^Status:\s*([245])\.\d+\.\d+", text, re.M | re.I)
            if action and action.group(1).lower() not in ("failed", "delayed"):
                return None, None
            status = "hard" if code and code.group(1) == "5" else "soft"
    token = None
    found = re.search(rb"X-Zhanggui-Token:\s*([A-Za-z0-9_-]{16,32})", raw) or \
        re.search(rb"Message-ID:\s*<([A-Za-z0-9_-]{16,32})@zhanggui\.campaigns>", raw, re.I)
    if found:
        token = found.group(1).decode()
    return (token, status) if token and status else (None, None)


def record_bounce(raw: bytes) -> str | None:
    """Mark the recipient bounced; a hard bounce suppresses the address for good."""
    token, kind = classify_bounce(raw)
    row = recipient(token) if token else None
    if row is None:
        return None
    with write_transaction():
        Recipient.update(bounced=kind).where(Recipient.id == row.id).execute()
        if kind == "hard":
            contacts = plugins().call_first("zhanggui_marketing_contacts",
                                            member_ids=[row.member_id], channel=row.channel) or {}
            contact = contacts.get(row.member_id)
            if contact is not None:
                Suppression.insert(channel=row.channel, address_hash=address_hash(contact.address),
                                   reason="hard_bounce").on_conflict_ignore().execute()
    return kind
