"""The send loop: claim a chunk, check it, send it, repeat.

Any number of workers (huey consumers, ``zhanggui campaigns send``) run this for the
same campaign at once.  A chunk is claimed in one short transaction (``FOR UPDATE
SKIP LOCKED`` on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite) with a lease; a worker
that dies leaves its claimed rows to be taken again when the lease runs out.  Right
before sending, consent and address come from ``zhanggui_marketing_contacts`` (a
withdrawal a second ago counts), then the frequency cap, the suppression list and
the member's quiet hours apply.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import os
import socket
import uuid
from typing import Any
from zoneinfo import ZoneInfo

from peewee import fn

from zhanggui import database, plugins, utcnow, write_transaction
from zhanggui.db import backend

from .launch import message_for
from .mail import SmtpRefused, SmtpTransport, compose, render_text
from .models import Campaign, CampaignLink, Recipient, Suppression

log = logging.getLogger(__name__)

#: claims of one recipient before a connection or server trouble counts as failure
MAX_ATTEMPTS = 5


class LeaseLost(Exception):
    """Another worker took this recipient over (our lease ran out)."""


def settings() -> dict:
    from flask import current_app

    return current_app.extensions["zhanggui"].settings


def worker_name() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def address_hash(address: str) -> str:
    key = (settings().get("SECRET_KEY") or "").encode()
    return hmac.new(key, address.strip().lower().encode(), hashlib.sha256).hexdigest()


# ------------------------------------------------------------------ claiming
def claim(campaign_id: Any, worker: str, size: int, lease_seconds: int) -> list[Recipient]:
    now = utcnow()
    due = ((Recipient.status == "queued")
           & (Recipient.not_before.is_null() | (Recipient.not_before <= now))) | \
        ((Recipient.status == "claimed") & (Recipient.lease_until < now))
    pick = (Recipient.select(Recipient.id)
            .where((Recipient.campaign == campaign_id) & due)
            .order_by(Recipient.id).limit(size))
    with write_transaction():
        if backend(database) == "postgresql":
            pick = pick.for_update("FOR UPDATE SKIP LOCKED")
        ids = [r[0] for r in pick.tuples()]
        if not ids:
            return []
        Recipient.update(status="claimed", claimed_by=worker,
                         lease_until=now + dt.timedelta(seconds=lease_seconds),
                         attempts=Recipient.attempts + 1) \
            .where(Recipient.id.in_(ids)).execute()
    return list(Recipient.select().where(Recipient.id.in_(ids) & (Recipient.claimed_by == worker))
                .order_by(Recipient.id))


def _settle(ids: list, worker: str, **fields) -> None:
    if ids:
        with write_transaction():
            Recipient.update(claimed_by=None, lease_until=None, **fields) \
                .where(Recipient.id.in_(ids) & (Recipient.claimed_by == worker)
                       & (Recipient.status == "claimed")).execute()


# ------------------------------------------------------------------ checks
def _capped(member_ids: list, channel: str) -> set:
    cap = settings()["MARKETING_FREQUENCY_CAPS"].get(channel)
    if not cap or not member_ids:
        return set()
    count, days = cap
    since = utcnow() - dt.timedelta(days=days)
    rows = (Recipient.select(Recipient.member_id)
            .where(Recipient.member_id.in_(member_ids) & (Recipient.channel == channel)
                   & (Recipient.status == "sent") & (Recipient.sent_at >= since))
            .group_by(Recipient.member_id).having(fn.COUNT(Recipient.id) >= count).tuples())
    return {r[0] for r in rows}


def _suppressed(contacts: dict, channel: str) -> set:
    hashes = {address_hash(c.address): m for m, c in contacts.items()}
    if not hashes:
        return set()
    found = Suppression.select(Suppression.address_hash).where(
        (Suppression.channel == channel) & Suppression.address_hash.in_(list(hashes))).tuples()
    return {hashes[h] for (h,) in found}


def quiet_until(timezone: str, now: dt.datetime | None = None) -> dt.datetime | None:
    """The UTC moment quiet hours end, if it is quiet now for this time zone."""
    window = settings().get("MARKETING_QUIET_HOURS")
    if not window:
        return None
    start, end = window
    try:
        zone = ZoneInfo(timezone)
    except Exception:
        zone = ZoneInfo("Asia/Shanghai")
    local = (now or utcnow()).astimezone(zone)
    hour = local.hour
    quiet = (start <= hour or hour < end) if start > end else (start <= hour < end)
    if not quiet:
        return None
    resume = local.replace(hour=end, minute=0, second=0, microsecond=0)
    if resume <= local:
        resume += dt.timedelta(days=1)
    return resume.astimezone(dt.timezone.utc)


# ------------------------------------------------------------------ sending
def send_campaign(campaign_id: Any, worker: str | None = None, chunk: int = 200,
                  stop_after: int | None = None) -> dict[str, int]:
    """Send until nothing is left to claim; return counts by outcome for this worker."""
    worker = worker or worker_name()
    campaign = Campaign.get_by_id(campaign_id)
    conf = settings()
    counts: dict[str, int] = {}
    sender = _Sender(campaign, worker, conf)
    try:
        while True:
            if Campaign.get_by_id(campaign_id).status == "cancelled":
                break
            rows = claim(campaign_id, worker, chunk, conf["MARKETING_LEASE_SECONDS"])
            if not rows:
                break
            for outcome, n in sender.process(rows).items():
                counts[outcome] = counts.get(outcome, 0) + n
            if stop_after is not None and counts.get("sent", 0) >= stop_after:
                break
    finally:
        sender.close()
    finish_if_done(campaign_id)
    return counts


def finish_if_done(campaign_id: Any) -> bool:
    with write_transaction():
        left = Recipient.select().where((Recipient.campaign == campaign_id)
                                        & Recipient.status.in_(["queued", "claimed"])).exists()
        if not left:
            Campaign.update(status="sent", finished_at=utcnow()) \
                .where((Campaign.id == campaign_id) & (Campaign.status == "sending")).execute()
    return not left


class _Sender:
    def __init__(self, campaign: Campaign, worker: str, conf: dict):
        self.campaign, self.worker, self.conf = campaign, worker, conf
        self.transport = None
        self.gateway = None
        self.tokens = 0
        self.links = {link.url: link.id for link in campaign.links}

    def close(self):
        if self.transport is not None:
            self.transport.close()

    def process(self, rows: list[Recipient]) -> dict[str, int]:
        channel = self.campaign.channel
        ids = [r.member_id for r in rows]
        contacts = plugins().call_first("zhanggui_marketing_contacts", member_ids=ids,
                                        channel=channel) or {}
        capped = _capped(ids, channel)
        suppressed = _suppressed(contacts, channel)
        outcome: dict[str, list] = {"no_consent": [], "capped": [], "suppressed": []}
        deferred: dict[dt.datetime, list] = {}
        ready = []
        for row in rows:
            contact = contacts.get(row.member_id)
            if contact is None:
                outcome["no_consent"].append(row.id)
            elif row.member_id in capped:
                outcome["capped"].append(row.id)
            elif row.member_id in suppressed:
                outcome["suppressed"].append(row.id)
            else:
                resume = quiet_until(contact.timezone)
                if resume is not None:
                    deferred.setdefault(resume, []).append(row.id)
                else:
                    ready.append((row, contact))
        for status, done in outcome.items():
            _settle(done, self.worker, status=status)
        for resume, later in deferred.items():
            _settle(later, self.worker, status="queued", not_before=resume)
        counts = {k: len(v) for k, v in outcome.items()}
        counts["deferred"] = sum(len(v) for v in deferred.values())
        for row, contact in ready:
            result = self.send_one(row, contact)
            counts[result] = counts.get(result, 0) + 1
        return counts

    def _rate(self):
        from .ratelimit import take

        if self.tokens <= 0:
            rate = self.conf[f"MARKETING_RATE_{self.campaign.channel.upper()}"]
            self.tokens = take(f"campaigns.{self.campaign.channel}",
                               max(1, min(100, int(rate // 10) or 1)), rate)
        self.tokens -= 1

    def _mark_sent(self, row: Recipient) -> None:
        with write_transaction():
            if backend(database) == "postgresql":
                # a worker's death is what this guards against, not the server's
                database.execute_sql("SET LOCAL synchronous_commit TO OFF")
            done = Recipient.update(status="sent", sent_at=utcnow(), claimed_by=None,
                                    lease_until=None, error=None) \
                .where((Recipient.id == row.id) & (Recipient.claimed_by == self.worker)
                       & (Recipient.status == "claimed")).execute()
        if not done:
            raise LeaseLost(row.id)

    def send_one(self, row: Recipient, contact) -> str:
        self._rate()
        message = message_for(self.campaign, contact.language)
        text = render_text(message.body, contact.name)
        try:
            if self.campaign.channel == "email":
                self._email(row, contact, message, text)
            else:
                self._sms(row, contact, text)
        except LeaseLost:
            if self.transport is not None:  # abandon the DATA: the server discards it
                self.transport.abort()
                self.transport = None
            return "lost_lease"
        except SmtpRefused as exc:
            hard = 500 <= exc.code < 600
            if hard:
                Suppression.insert(channel="email", address_hash=address_hash(contact.address),
                                   reason="hard_bounce").on_conflict_ignore().execute()
            _settle([row.id], self.worker, status="failed", error=str(exc)[:300],
                    bounced="hard" if hard else "soft")
            return "failed"
        except Exception as exc:  # connection trouble: leave it to be claimed again
            log.warning("campaign %s: sending to recipient %s failed: %r",
                        self.campaign.id, row.id, exc, exc_info=True)
            if self.transport is not None:
                self.transport.abort()
                self.transport = None
            final = row.attempts >= MAX_ATTEMPTS
            _settle([row.id], self.worker, status="failed" if final else "queued",
                    error=repr(exc)[:300])
            return "failed" if final else "retry"
        return "sent"

    def _email(self, row, contact, message, text):
        if self.transport is None:
            url = self.conf.get("MARKETING_SMTP_URL")
            if not url:
                raise RuntimeError("MARKETING_SMTP_URL is not set")
            self.transport = SmtpTransport(url)
            self.transport.open()
        data = compose(sender=self.conf["MARKETING_MAIL_FROM"], to=contact.address,
                       subject=render_text(message.subject, contact.name), text=text,
                       token=row.token, base_url=self.conf["MARKETING_BASE_URL"].rstrip("/"),
                       link_ids=self.links, list_id=f"<campaign-{self.campaign.id}.zhanggui>")
        self.transport.send(self.conf["MARKETING_MAIL_FROM"], contact.address, data,
                            record_sent=lambda: self._mark_sent(row))

    def _sms(self, row, contact, text):
        if self.gateway is None:
            self.gateway = plugins().call_first("zhanggui_sms_gateway")
            if self.gateway is None:
                raise RuntimeError("no SMS gateway: set MARKETING_SMS_GATEWAY")
        # an SMS carries its opt-out (Advertising Law art. 43)
        self.gateway.send(contact.address, text + " " + STOP_SUFFIX.get(contact.language,
                                                                         STOP_SUFFIX["zh_CN"]),
                          row.token)
        self._mark_sent(row)


STOP_SUFFIX = {"zh_CN": "回T退订", "zh_TW": "回T退訂", "en": "Reply T to opt out"}
