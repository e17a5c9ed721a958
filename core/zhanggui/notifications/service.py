"""Sending notifications: the inbox row at once, e-mail and SMS through the outbox.

:func:`notify` writes in the caller's transaction: the inbox rows and one outbox row
per outside channel the user chose for the kind.  The job ``core.send_notifications``
(enqueued by :func:`notify`, and every minute as a periodic job) claims due outbox
rows one at a time with a conditional ``UPDATE`` (pending → sending), so two workers
or a retried job never send a row twice, then sends it:

* e-mail over SMTP (``MAIL_URL`` ``smtp://host:port`` or ``smtps://``,
  ``MAIL_STARTTLS``, ``MAIL_FROM``; user and password in the URL);
* SMS through the gateway ``zhanggui_sms_gateway`` answers; with no gateway the row
  is marked skipped and logged.

Quiet hours: a non-urgent e-mail or SMS that falls inside the user's quiet hours
waits (``not_before``) until they end; the inbox row is written at once.
"""
from __future__ import annotations

import datetime as dt
import logging
import smtplib
import ssl
from email.message import EmailMessage
from typing import Iterable
from urllib.parse import unquote, urlparse
from zoneinfo import ZoneInfo

from flask import current_app

from ..db import utcnow, write_transaction
from .models import Notification, NotificationDelivery, NotificationPreference, \
    NotificationProfile

log = logging.getLogger("zhanggui.notifications")
DEFAULT_CHANNELS = ("inbox", "email")
KNOWN = ("inbox", "email", "sms")
MAX_ATTEMPTS = 5


def channels_for(user_id: int, kind: str) -> tuple[str, ...]:
    """The user's channels for ``kind``: their choice for it, else for ``*``, else
    the console inbox and e-mail.  The inbox is always kept."""
    rows = {p.kind: p.channels for p in NotificationPreference.select().where(
        (NotificationPreference.user_id == user_id)
        & NotificationPreference.kind.in_([kind, "*"]))}
    text = rows.get(kind, rows.get("*"))
    if text is None:
        return DEFAULT_CHANNELS
    chosen = [c for c in (s.strip() for s in text.split(",")) if c in KNOWN]
    return tuple(dict.fromkeys(["inbox", *chosen]))


def set_channels(user_id: int, kind: str, channels: Iterable[str]) -> None:
    value = ",".join(c for c in channels if c in KNOWN)
    with write_transaction():
        updated = NotificationPreference.update(channels=value).where(
            (NotificationPreference.user_id == user_id)
            & (NotificationPreference.kind == kind)).execute()
        if not updated:
            NotificationPreference.create(user_id=user_id, kind=kind, channels=value)


def quiet_until(user_id: int, now: dt.datetime) -> dt.datetime | None:
    """When the user's quiet hours end, if ``now`` is inside them."""
    profile = NotificationProfile.get_or_none(NotificationProfile.user_id == user_id)
    if profile is None or profile.quiet_start is None or profile.quiet_end is None:
        return None
    tz = ZoneInfo(profile.timezone or current_app.extensions["zhanggui"].settings["TIMEZONE"])
    local = now.astimezone(tz)
    start, end = profile.quiet_start, profile.quiet_end
    t = local.time()
    inside = (start <= t < end) if start < end else (t >= start or t < end)
    if not inside:
        return None
    ends = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if ends <= local:
        ends += dt.timedelta(days=1)
    return ends.astimezone(dt.timezone.utc)


def notify(user_ids: Iterable, kind: str, title: str, body: str = "", url: str = "",
           urgent: bool = False, now: dt.datetime | None = None) -> list[int]:
    """Tell each user: an inbox entry, plus e-mail/SMS per their preferences.
    Returns the notification ids.  Joins the caller's transaction."""
    now = now or utcnow()
    ids = []
    with write_transaction():
        for user_id in dict.fromkeys(int(u) for u in user_ids):
            note = Notification.create(user_id=user_id, kind=kind[:80], title=title[:300],
                                       body=body, url=url[:500], urgent=urgent,
                                       created_at=now)
            ids.append(note.id)
            later = None if urgent else quiet_until(user_id, now)
            for channel in channels_for(user_id, kind):
                if channel != "inbox":
                    NotificationDelivery.create(notification=note, channel=channel,
                                                not_before=later or now)
    if ids:
        try:
            from ..jobs import enqueue

            enqueue("core.send_notifications")
        except LookupError:   # pragma: no cover - the core always registers it
            pass
    return ids


def unread(user_id: int):
    return (Notification.select().where((Notification.user_id == user_id)
                                        & Notification.read_at.is_null())
            .order_by(Notification.created_at.desc()))


def mark_read(user_id: int, notification_id: int) -> bool:
    with write_transaction():
        return bool(Notification.update(read_at=utcnow()).where(
            (Notification.id == notification_id) & (Notification.user_id == user_id)
            & Notification.read_at.is_null()).execute())


# ------------------------------------------------------------------ delivery
def send_due(now: dt.datetime | None = None, limit: int = 200) -> dict:
    """Send due outbox rows; returns counts by outcome."""
    now = now or utcnow()
    counts = {"sent": 0, "failed": 0, "skipped": 0}
    due = [d.id for d in NotificationDelivery.select(NotificationDelivery.id).where(
        (NotificationDelivery.status == "pending") & (NotificationDelivery.not_before <= now))
        .order_by(NotificationDelivery.id).limit(limit)]
    for delivery_id in due:
        with write_transaction():
            claimed = NotificationDelivery.update(
                status="sending", attempts=NotificationDelivery.attempts + 1).where(
                (NotificationDelivery.id == delivery_id)
                & (NotificationDelivery.status == "pending")).execute()
        if not claimed:
            continue            # another worker has it
        delivery = NotificationDelivery.get_by_id(delivery_id)
        outcome, error = _send(delivery)
        if outcome == "failed" and delivery.attempts < MAX_ATTEMPTS:
            status, later = "pending", now + dt.timedelta(minutes=5 * delivery.attempts)
        else:
            status, later = outcome, delivery.not_before
        with write_transaction():
            NotificationDelivery.update(status=status, error=error[:300], not_before=later,
                                        sent_at=utcnow() if outcome == "sent" else None) \
                .where(NotificationDelivery.id == delivery_id).execute()
        counts[outcome] += 1
    return counts


def _send(delivery: NotificationDelivery) -> tuple[str, str]:
    note = delivery.notification
    try:
        if delivery.channel == "email":
            return send_email(note)
        if delivery.channel == "sms":
            return send_sms(note)
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("notification %s by %s failed: %s", note.id, delivery.channel, exc)
        return "failed", str(exc)
    return "skipped", "unknown channel"


def _user(user_id: int):
    return current_app.appbuilder.sm.get_user_by_id(user_id)


def send_email(note: Notification) -> tuple[str, str]:
    settings = current_app.extensions["zhanggui"].settings
    url = settings.get("MAIL_URL")
    user = _user(note.user_id)
    address = getattr(user, "email", None)
    if not url:
        log.info("notification %s: no MAIL_URL, e-mail skipped", note.id)
        return "skipped", "no MAIL_URL"
    if not address or address.endswith(".invalid"):
        return "skipped", "no e-mail address"
    message = EmailMessage()
    message["From"] = settings.get("MAIL_FROM") or "zhanggui@localhost"
    message["To"] = address
    message["Subject"] = note.title
    message.set_content(note.body + (f"\n\n{note.url}" if note.url else ""))
    parsed = urlparse(url)
    port = parsed.port or (465 if parsed.scheme == "smtps" else 25)
    if parsed.scheme == "smtps":
        smtp = smtplib.SMTP_SSL(parsed.hostname, port, timeout=30,
                                context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(parsed.hostname, port, timeout=30)
    with smtp:
        if parsed.scheme == "smtp" and settings.get("MAIL_STARTTLS"):
            smtp.starttls(context=ssl.create_default_context())
        if parsed.username:
            smtp.login(unquote(parsed.username), unquote(parsed.password or ""))
        smtp.send_message(message)
    return "sent", ""


def send_sms(note: Notification) -> tuple[str, str]:
    from .. import plugins

    gateway = plugins().call_first("zhanggui_sms_gateway")
    if gateway is None:
        log.info("notification %s: no SMS gateway installed, SMS skipped", note.id)
        return "skipped", "no SMS gateway"
    profile = NotificationProfile.get_or_none(NotificationProfile.user_id == note.user_id)
    if profile is None or not profile.mobile:
        return "skipped", "no mobile number"
    text = note.title + (f" {note.url}" if note.url else "")
    gateway.send(profile.mobile, text, f"notification-{note.id}")
    return "sent", ""
