"""The notification tables: the inbox, the delivery outbox and each user's choices."""
from __future__ import annotations

import peewee

from ..db import Model, UTCDateTimeField, utcnow
from ..i18n import _l

CHANNELS = (("inbox", _l("Console inbox")), ("email", _l("E-mail")), ("sms", _l("SMS")))
DELIVERY_STATES = (("pending", _l("Waiting")), ("sending", _l("Sending")),
                   ("sent", _l("Sent")), ("failed", _l("Failed")), ("skipped", _l("Skipped")))


class Notification(Model):
    """One message to one console user; its row is the user's inbox entry."""

    user_id = peewee.IntegerField(index=True)
    kind = peewee.CharField(max_length=80)
    title = peewee.CharField(max_length=300)
    body = peewee.TextField(default="")
    url = peewee.CharField(max_length=500, default="")
    urgent = peewee.BooleanField(default=False)
    created_at = UTCDateTimeField(default=utcnow)
    read_at = UTCDateTimeField(null=True)

    class Meta:
        table_name = "zhanggui_notification"


class NotificationDelivery(Model):
    """The outbox: one row per notification and outside channel, claimed before it is
    sent so a retried job never sends twice."""

    notification = peewee.ForeignKeyField(Notification, backref="deliveries",
                                          on_delete="CASCADE")
    channel = peewee.CharField(max_length=8, choices=CHANNELS)
    status = peewee.CharField(max_length=8, choices=DELIVERY_STATES, default="pending")
    not_before = UTCDateTimeField(default=utcnow, index=True)
    attempts = peewee.IntegerField(default=0)
    sent_at = UTCDateTimeField(null=True)
    error = peewee.CharField(max_length=300, default="")

    class Meta:
        table_name = "zhanggui_notification_delivery"
        indexes = ((("notification", "channel"), True),)


class NotificationPreference(Model):
    """Which channels a user wants for one kind (``*``: every kind without its own)."""

    user_id = peewee.IntegerField()
    kind = peewee.CharField(max_length=80, default="*")
    channels = peewee.CharField(max_length=40, default="inbox,email")

    class Meta:
        table_name = "zhanggui_notification_preference"
        indexes = ((("user_id", "kind"), True),)


class NotificationProfile(Model):
    """A user's quiet hours (local time in ``timezone``) and mobile number for SMS."""

    user_id = peewee.IntegerField(primary_key=True)
    quiet_start = peewee.TimeField(null=True)
    quiet_end = peewee.TimeField(null=True)
    timezone = peewee.CharField(max_length=64, null=True)
    mobile = peewee.CharField(max_length=20, null=True)

    class Meta:
        table_name = "zhanggui_notification_profile"


MODELS = (Notification, NotificationDelivery, NotificationPreference, NotificationProfile)


def migrate_notifications(ctx) -> None:
    """Migration ``core:0004_notifications`` (frozen copies of the tables)."""

    class N(Model):
        user_id = peewee.IntegerField(index=True)
        kind = peewee.CharField(max_length=80)
        title = peewee.CharField(max_length=300)
        body = peewee.TextField(default="")
        url = peewee.CharField(max_length=500, default="")
        urgent = peewee.BooleanField(default=False)
        created_at = UTCDateTimeField()
        read_at = UTCDateTimeField(null=True)

        class Meta:
            table_name = "zhanggui_notification"

    class D(Model):
        notification = peewee.ForeignKeyField(N, on_delete="CASCADE")
        channel = peewee.CharField(max_length=8)
        status = peewee.CharField(max_length=8, default="pending")
        not_before = UTCDateTimeField(index=True)
        attempts = peewee.IntegerField(default=0)
        sent_at = UTCDateTimeField(null=True)
        error = peewee.CharField(max_length=300, default="")

        class Meta:
            table_name = "zhanggui_notification_delivery"
            indexes = ((("notification", "channel"), True),)

    class P(Model):
        user_id = peewee.IntegerField()
        kind = peewee.CharField(max_length=80, default="*")
        channels = peewee.CharField(max_length=40, default="inbox,email")

        class Meta:
            table_name = "zhanggui_notification_preference"
            indexes = ((("user_id", "kind"), True),)

    class Q(Model):
        user_id = peewee.IntegerField(primary_key=True)
        quiet_start = peewee.TimeField(null=True)
        quiet_end = peewee.TimeField(null=True)
        timezone = peewee.CharField(max_length=64, null=True)
        mobile = peewee.CharField(max_length=20, null=True)

        class Meta:
            table_name = "zhanggui_notification_profile"

    ctx.create_tables([N, D, P, Q])
