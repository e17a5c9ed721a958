"""Schema steps of the loyalty plugin, each with frozen copies of its tables."""
from __future__ import annotations

import decimal

import peewee

from zhanggui import Migration, Model, UTCDateTimeField, utcnow

ZERO = decimal.Decimal("0.00")


def _money(**kwargs):
    kwargs.setdefault("max_digits", 14)
    kwargs.setdefault("decimal_places", 2)
    return peewee.DecimalField(**kwargs)


def _rate(**kwargs):
    return peewee.DecimalField(max_digits=12, decimal_places=4, **kwargs)


def _initial_models() -> list[type[peewee.Model]]:
    """The tables of step 0001 as they were."""

    class LoyaltySettings(Model):
        pending_days = peewee.IntegerField(default=0)
        expiry_policy = peewee.CharField(max_length=20, default="year_end")
        expiry_period = peewee.IntegerField(default=1)
        expiry_notice_days = peewee.IntegerField(default=30)
        refund_policy = peewee.CharField(max_length=20, default="negative")
        timezone = peewee.CharField(max_length=50, default="Asia/Shanghai")

        class Meta:
            table_name = "loyalty_settings"

    class Tier(Model):
        code = peewee.CharField(max_length=20, unique=True)
        name = peewee.CharField(max_length=50)
        rank = peewee.IntegerField(unique=True)
        qualify_by = peewee.CharField(max_length=10, default="spend")
        threshold = _money(default=ZERO)
        window_days = peewee.IntegerField(default=365)
        downgrade_policy = peewee.CharField(max_length=20, default="period_end")
        inactivity_days = peewee.IntegerField(default=365)
        points_multiplier = _rate(default=decimal.Decimal("1"))
        birthday_gift = peewee.CharField(max_length=100, null=True)
        parking_hours = peewee.IntegerField(default=0)
        priority_service = peewee.BooleanField(default=False)
        exclusive_events = peewee.BooleanField(default=False)
        active = peewee.BooleanField(default=True)

        class Meta:
            table_name = "loyalty_tier"

    class MemberTier(Model):
        member_id = peewee.BigIntegerField(primary_key=True)
        tier = peewee.ForeignKeyField(Tier, null=True)
        since = UTCDateTimeField(default=utcnow)
        last_purchase_at = UTCDateTimeField(null=True)

        class Meta:
            table_name = "loyalty_member_tier"

    class TierHistory(Model):
        id = peewee.BigAutoField()
        member_id = peewee.BigIntegerField(index=True)
        from_tier = peewee.CharField(max_length=20, null=True)
        to_tier = peewee.CharField(max_length=20, null=True)
        reason = peewee.CharField(max_length=30)
        qualifying_value = _money(default=ZERO)
        source_id = peewee.CharField(max_length=64, null=True)
        changed_at = UTCDateTimeField(default=utcnow)

        class Meta:
            table_name = "loyalty_tier_history"

    class EarningRule(Model):
        code = peewee.CharField(max_length=40, unique=True)
        name = peewee.CharField(max_length=100)
        kind = peewee.CharField(max_length=20)
        sequence = peewee.IntegerField(default=100)
        active = peewee.BooleanField(default=True)
        starts_on = peewee.DateField(null=True)
        ends_on = peewee.DateField(null=True)
        # base rate: `points_per_unit` points for every `unit_amount` of money
        points_per_unit = _rate(default=decimal.Decimal("1"))
        unit_amount = _money(default=decimal.Decimal("1.00"))
        min_spend = _money(default=ZERO)
        excluded_categories = peewee.TextField(default="")
        excluded_payment_methods = peewee.TextField(default="gift_card,coupon")
        # multiplier and birthday rules
        match_field = peewee.CharField(max_length=10, null=True)
        match_values = peewee.TextField(default="")
        multiplier = _rate(default=decimal.Decimal("1"))
        birthday_scope = peewee.CharField(max_length=10, default="day")

        class Meta:
            table_name = "loyalty_earning_rule"

    class PointsLedgerEntry(Model):
        id = peewee.BigAutoField()
        member_id = peewee.BigIntegerField()
        kind = peewee.CharField(max_length=10)
        points = peewee.BigIntegerField(default=0)
        pending_points = peewee.BigIntegerField(default=0)
        spend = _money(default=ZERO)
        source_type = peewee.CharField(max_length=20)
        source_id = peewee.CharField(max_length=64)
        idempotency_key = peewee.CharField(max_length=200, unique=True)
        related_entry = peewee.ForeignKeyField("self", null=True, backref="related")
        expires_at = UTCDateTimeField(null=True)
        unlock_at = UTCDateTimeField(null=True)
        store_code = peewee.CharField(max_length=20, null=True)
        occurred_at = UTCDateTimeField(default=utcnow)
        created_at = UTCDateTimeField(default=utcnow)
        created_by = peewee.IntegerField(null=True)
        reason = peewee.CharField(max_length=200, null=True)
        detail = peewee.TextField(null=True)

        class Meta:
            table_name = "loyalty_ledger_entry"
            indexes = ((("member_id", "id"), False), (("member_id", "occurred_at"), False),
                       (("source_type", "source_id"), False))

    class PointsAllocation(Model):
        id = peewee.BigAutoField()
        debit = peewee.ForeignKeyField(PointsLedgerEntry, backref="drawn_from")
        credit = peewee.ForeignKeyField(PointsLedgerEntry, backref="drawn_by")
        points = peewee.BigIntegerField()

        class Meta:
            table_name = "loyalty_allocation"

    class PointsLot(Model):
        credit = peewee.ForeignKeyField(PointsLedgerEntry, primary_key=True)
        member_id = peewee.BigIntegerField()
        remaining = peewee.BigIntegerField()
        expires_at = UTCDateTimeField(null=True)

        class Meta:
            table_name = "loyalty_lot"
            indexes = ((("member_id", "expires_at"), False), (("expires_at",), False))

    class MemberBalance(Model):
        member_id = peewee.BigIntegerField(primary_key=True)
        balance = peewee.BigIntegerField(default=0)
        pending = peewee.BigIntegerField(default=0)
        lifetime_earned = peewee.BigIntegerField(default=0)
        updated_at = UTCDateTimeField(default=utcnow)

        class Meta:
            table_name = "loyalty_member_balance"

    class Redemption(Model):
        id = peewee.BigAutoField()
        key = peewee.CharField(max_length=64, unique=True)
        member_id = peewee.BigIntegerField(index=True)
        points = peewee.BigIntegerField()
        store_code = peewee.CharField(max_length=20, null=True)
        reason = peewee.CharField(max_length=200, null=True)
        request_hash = peewee.CharField(max_length=64)
        response = peewee.TextField()
        created_at = UTCDateTimeField(default=utcnow)

        class Meta:
            table_name = "loyalty_redemption"

    class RefundReview(Model):
        id = peewee.BigAutoField()
        refund_id = peewee.CharField(max_length=64, unique=True)
        member_id = peewee.BigIntegerField(index=True)
        purchase_id = peewee.CharField(max_length=64)
        points_due = peewee.BigIntegerField()
        points_taken = peewee.BigIntegerField()
        status = peewee.CharField(max_length=10, default="open")
        created_at = UTCDateTimeField(default=utcnow)

        class Meta:
            table_name = "loyalty_refund_review"

    class ExpiryNotice(Model):
        id = peewee.BigAutoField()
        member_id = peewee.BigIntegerField()
        expires_on = peewee.DateField()
        points = peewee.BigIntegerField()
        sent_at = UTCDateTimeField(default=utcnow)

        class Meta:
            table_name = "loyalty_expiry_notice"
            indexes = ((("member_id", "expires_on"), True),)

    return [LoyaltySettings, Tier, MemberTier, TierHistory, EarningRule, PointsLedgerEntry,
            PointsAllocation, PointsLot, MemberBalance, Redemption, RefundReview,
            ExpiryNotice]


def initial(ctx) -> None:
    models = _initial_models()
    ctx.create_tables(models)
    models[0].insert(id=1).execute()  # the program's settings, with their defaults


def _event_models() -> list[type[peewee.Model]]:
    """The tables of step 0002 as they were."""

    class MemberEvent(Model):
        title = peewee.CharField(max_length=100)
        store_code = peewee.CharField(max_length=20, null=True)
        starts_at = UTCDateTimeField()
        ends_at = UTCDateTimeField()
        capacity = peewee.IntegerField(default=50)
        allowed_tiers = peewee.TextField(default="")
        attendance_points = peewee.IntegerField(default=0)
        active = peewee.BooleanField(default=True)
        created_at = UTCDateTimeField(default=utcnow)

        class Meta:
            table_name = "loyalty_event"

    class EventSignup(Model):
        id = peewee.BigAutoField()
        event = peewee.ForeignKeyField(MemberEvent, on_delete="CASCADE")
        member_id = peewee.BigIntegerField(null=True)
        signed_up_at = UTCDateTimeField(default=utcnow)
        channel = peewee.CharField(max_length=20, default="console")
        attended_at = UTCDateTimeField(null=True)
        attendance_entry = peewee.BigIntegerField(null=True)

        class Meta:
            table_name = "loyalty_event_signup"
            indexes = ((("event", "member_id"), True), (("member_id",), False))

    class PointsMonth(Model):
        month = peewee.DateField(primary_key=True)
        issued = peewee.BigIntegerField(default=0)
        redeemed = peewee.BigIntegerField(default=0)
        expired = peewee.BigIntegerField(default=0)
        refreshed_at = UTCDateTimeField(default=utcnow)

        class Meta:
            table_name = "loyalty_points_month"

    return [MemberEvent, EventSignup, PointsMonth]


def member_events(ctx) -> None:
    ctx.create_tables(_event_models())
    # the monthly dashboard chart reads the ledger by time
    ctx.run(ctx.migrator.add_index("loyalty_ledger_entry", ("occurred_at",), False))


def schema_models() -> list[type[peewee.Model]]:
    """Every table as the steps above leave it (what the live models must match)."""
    return _initial_models() + _event_models()


def cache_watch(ctx) -> None:
    # the sale path reads these from each worker's cache (zhanggui.cached)
    for table in ("loyalty_settings", "loyalty_tier", "loyalty_earning_rule"):
        ctx.watch_for_caches(table)


MIGRATIONS = [
    Migration(name="0001_initial", apply=initial,
              description="settings, tiers, earning rules, points ledger, balances"),
    Migration(name="0002_member_events", apply=member_events,
              description="member events and sign-ups; monthly points cache; ledger index by time"),
    Migration(name="0003_cache_watch", apply=cache_watch,
              description="workers cache settings, tiers and rules until one changes"),
]
