"""Campaigns, their messages, and one row per recipient: the idempotency key of a send."""
from __future__ import annotations

import peewee

from zhanggui import Model, MoneyField, UTCDateTimeField, _l, utcnow

from ..audiences.models import Audience

CHANNELS = (("email", _l("Email")), ("sms", _l("SMS")))
STATUSES = (("draft", _l("Draft")), ("sending", _l("Sending")), ("sent", _l("Sent")),
            ("cancelled", _l("Cancelled")))
RECIPIENT_STATUSES = (
    ("queued", _l("Queued")), ("claimed", _l("Being sent")), ("sent", _l("Sent")),
    ("failed", _l("Failed")), ("no_consent", _l("No consent or address")),
    ("capped", _l("Frequency cap reached")), ("suppressed", _l("Address suppressed")),
    ("cancelled", _l("Cancelled")), ("control", _l("Control group (not sent)")))
GROUPS = (("target", _l("Target group")), ("control", _l("Control group")))


class Campaign(Model):
    name = peewee.CharField(max_length=120, verbose_name=_l("Campaign"))
    channel = peewee.CharField(max_length=10, choices=CHANNELS, verbose_name=_l("Channel"))
    audience = peewee.ForeignKeyField(Audience, backref="campaigns", on_delete="RESTRICT",
                                      verbose_name=_l("Audience"))
    status = peewee.CharField(max_length=12, choices=STATUSES, default="draft",
                              verbose_name=_l("Status"))
    holdout_percent = peewee.DecimalField(max_digits=5, decimal_places=2, default=10,
                                          verbose_name=_l("Control group (%)"))
    seed = peewee.IntegerField(default=0, verbose_name=_l("Control group seed"))
    response_days = peewee.IntegerField(default=14, verbose_name=_l("Response window (days)"))
    cost = MoneyField(default=0, verbose_name=_l("Cost"))
    launched_at = UTCDateTimeField(null=True, verbose_name=_l("Launched at"))
    finished_at = UTCDateTimeField(null=True, verbose_name=_l("Finished at"))
    created_by = peewee.CharField(max_length=150, default="", verbose_name=_l("Created by"))
    created_at = UTCDateTimeField(default=utcnow, verbose_name=_l("Created at"))

    class Meta:
        table_name = "campaigns_campaign"

    def __str__(self):
        return self.name


class CampaignMessage(Model):
    """The text in one language (``zh_CN``, ``zh_TW``, ``en``); ``{name}`` greets."""

    campaign = peewee.ForeignKeyField(Campaign, backref="messages", on_delete="CASCADE",
                                      verbose_name=_l("Campaign"))
    language = peewee.CharField(max_length=8, verbose_name=_l("Language"))
    subject = peewee.CharField(max_length=200, default="", verbose_name=_l("Subject"))
    body = peewee.TextField(verbose_name=_l("Message"))

    class Meta:
        table_name = "campaigns_message"
        indexes = ((("campaign", "language"), True),)


class Recipient(Model):
    """One member of a launched campaign.  Created before anything is sent; its
    status moves queued → claimed → sent (or a reason it was not), and a worker only
    sends a row it claimed, so a retry or a second worker never sends twice."""

    id = peewee.BigAutoField()
    campaign = peewee.ForeignKeyField(Campaign, backref="recipients", on_delete="CASCADE",
                                      index=False, verbose_name=_l("Campaign"))
    member_id = peewee.BigIntegerField(verbose_name=_l("Member"))
    channel = peewee.CharField(max_length=10, choices=CHANNELS, verbose_name=_l("Channel"))
    group = peewee.CharField(max_length=8, choices=GROUPS, verbose_name=_l("Group"))
    status = peewee.CharField(max_length=12, choices=RECIPIENT_STATUSES, default="queued",
                              verbose_name=_l("Status"))
    token = peewee.CharField(max_length=32, unique=True, verbose_name=_l("Tracking token"))
    not_before = UTCDateTimeField(null=True, verbose_name=_l("Not before"))
    claimed_by = peewee.CharField(max_length=64, null=True, verbose_name=_l("Worker"))
    lease_until = UTCDateTimeField(null=True, verbose_name=_l("Claimed until"))
    attempts = peewee.SmallIntegerField(default=0, verbose_name=_l("Attempts"))
    sent_at = UTCDateTimeField(null=True, verbose_name=_l("Sent at"))
    error = peewee.CharField(max_length=300, null=True, verbose_name=_l("Error"))
    opened_at = UTCDateTimeField(null=True, verbose_name=_l("First opened at"))
    opens = peewee.IntegerField(default=0, verbose_name=_l("Opens"))
    clicks = peewee.IntegerField(default=0, verbose_name=_l("Clicks"))
    bounced = peewee.CharField(max_length=4, null=True, verbose_name=_l("Bounce"))
    unsubscribed_at = UTCDateTimeField(null=True, verbose_name=_l("Unsubscribed at"))

    class Meta:
        table_name = "campaigns_recipient"
        indexes = ((("campaign", "member_id"), True),
                   (("campaign", "status", "id"), False),
                   (("member_id", "channel", "sent_at"), False))


class CampaignLink(Model):
    """A link of a message, clicked through ``/c/l/<token>/<link>`` and counted."""

    campaign = peewee.ForeignKeyField(Campaign, backref="links", on_delete="CASCADE",
                                      verbose_name=_l("Campaign"))
    url = peewee.CharField(max_length=1000, verbose_name=_l("Link"))
    clicks = peewee.IntegerField(default=0, verbose_name=_l("Clicks"))

    class Meta:
        table_name = "campaigns_link"
        indexes = ((("campaign", "url"), True),)


class Suppression(Model):
    """An address no campaign sends to (a hard bounce, a complaint); kept by keyed
    hash, never in clear."""

    channel = peewee.CharField(max_length=10, choices=CHANNELS, verbose_name=_l("Channel"))
    address_hash = peewee.CharField(max_length=64, verbose_name=_l("Address (hashed)"))
    reason = peewee.CharField(max_length=20, verbose_name=_l("Reason"))
    created_at = UTCDateTimeField(default=utcnow, verbose_name=_l("Created at"))

    class Meta:
        table_name = "campaigns_suppression"
        indexes = ((("channel", "address_hash"), True),)


class RateBucket(Model):
    """A token bucket shared by every worker on every host (see ratelimit.py)."""

    name = peewee.CharField(max_length=40, primary_key=True)
    tokens = peewee.DoubleField(default=0)
    updated = peewee.DoubleField(default=0)

    class Meta:
        table_name = "campaigns_rate_bucket"


SENDING_MODELS = [Campaign, CampaignMessage, Recipient, CampaignLink, Suppression, RateBucket]
