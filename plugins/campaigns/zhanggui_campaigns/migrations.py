"""The campaigns plugin's schema steps (frozen copies: later model changes do not
change what a step created)."""
from __future__ import annotations

import peewee

from zhanggui import Migration, Model, MoneyField, UTCDateTimeField


def _initial_models() -> list[type[peewee.Model]]:
    class Audience(Model):
        name = peewee.CharField(max_length=100, unique=True)
        description = peewee.TextField(default="")
        definition = peewee.TextField()
        last_count = peewee.IntegerField(null=True)
        counted_at = UTCDateTimeField(null=True)
        created_by = peewee.CharField(max_length=150, default="")
        created_at = UTCDateTimeField()

        class Meta:
            table_name = "campaigns_audience"

    class Campaign(Model):
        name = peewee.CharField(max_length=120)
        channel = peewee.CharField(max_length=10)
        audience = peewee.ForeignKeyField(Audience, on_delete="RESTRICT")
        status = peewee.CharField(max_length=12, default="draft")
        holdout_percent = peewee.DecimalField(max_digits=5, decimal_places=2, default=10)
        seed = peewee.IntegerField(default=0)
        response_days = peewee.IntegerField(default=14)
        cost = MoneyField(default=0)
        launched_at = UTCDateTimeField(null=True)
        finished_at = UTCDateTimeField(null=True)
        created_by = peewee.CharField(max_length=150, default="")
        created_at = UTCDateTimeField()

        class Meta:
            table_name = "campaigns_campaign"

    class CampaignMessage(Model):
        campaign = peewee.ForeignKeyField(Campaign, on_delete="CASCADE")
        language = peewee.CharField(max_length=8)
        subject = peewee.CharField(max_length=200, default="")
        body = peewee.TextField()

        class Meta:
            table_name = "campaigns_message"
            indexes = ((("campaign", "language"), True),)

    class Recipient(Model):
        id = peewee.BigAutoField()
        campaign = peewee.ForeignKeyField(Campaign, on_delete="CASCADE", index=False)
        member_id = peewee.BigIntegerField()
        channel = peewee.CharField(max_length=10)
        group = peewee.CharField(max_length=8)
        status = peewee.CharField(max_length=12, default="queued")
        token = peewee.CharField(max_length=32, unique=True)
        not_before = UTCDateTimeField(null=True)
        claimed_by = peewee.CharField(max_length=64, null=True)
        lease_until = UTCDateTimeField(null=True)
        attempts = peewee.SmallIntegerField(default=0)
        sent_at = UTCDateTimeField(null=True)
        error = peewee.CharField(max_length=300, null=True)
        opened_at = UTCDateTimeField(null=True)
        opens = peewee.IntegerField(default=0)
        clicks = peewee.IntegerField(default=0)
        bounced = peewee.CharField(max_length=4, null=True)
        unsubscribed_at = UTCDateTimeField(null=True)

        class Meta:
            table_name = "campaigns_recipient"
            indexes = ((("campaign", "member_id"), True),
                       (("campaign", "status", "id"), False),
                       (("member_id", "channel", "sent_at"), False))

    class CampaignLink(Model):
        campaign = peewee.ForeignKeyField(Campaign, on_delete="CASCADE")
        url = peewee.CharField(max_length=1000)
        clicks = peewee.IntegerField(default=0)

        class Meta:
            table_name = "campaigns_link"
            indexes = ((("campaign", "url"), True),)

    class Suppression(Model):
        channel = peewee.CharField(max_length=10)
        address_hash = peewee.CharField(max_length=64)
        reason = peewee.CharField(max_length=20)
        created_at = UTCDateTimeField()

        class Meta:
            table_name = "campaigns_suppression"
            indexes = ((("channel", "address_hash"), True),)

    class RateBucket(Model):
        name = peewee.CharField(max_length=40, primary_key=True)
        tokens = peewee.DoubleField(default=0)
        updated = peewee.DoubleField(default=0)

        class Meta:
            table_name = "campaigns_rate_bucket"

    return [Audience, Campaign, CampaignMessage, Recipient, CampaignLink, Suppression,
            RateBucket]


def initial(ctx) -> None:
    ctx.create_tables(_initial_models())


def schema_models() -> list[type[peewee.Model]]:
    return _initial_models()


MIGRATIONS = [
    Migration(name="0001_initial", apply=initial,
              description="audiences, campaigns, messages, recipients, links, suppression, "
                          "rate buckets"),
]
