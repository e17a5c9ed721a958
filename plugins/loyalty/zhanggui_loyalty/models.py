"""The loyalty plugin's data: program settings, tiers, earning rules and the ledger.

The points ledger is append-only: :class:`PointsLedgerEntry` rows are inserted and
never updated or deleted.  Two caches sit beside it, both written in the same
transaction as the entries and both provable from the ledger
(:func:`zhanggui_loyalty.ledger.postings.check_member`):

* :class:`MemberBalance`: spendable balance, pending points, lifetime earned;
* :class:`PointsLot`: what is left of each credit entry (FIFO by expiry).

Members belong to the members plugin; loyalty keeps only their integer ids.
Points are whole numbers; money is ``Decimal`` with two places.
"""
from __future__ import annotations

import decimal

import peewee

from zhanggui import FixedDecimalField, Model, MoneyField, UTCDateTimeField, _l, utcnow

ZERO = decimal.Decimal("0.00")

ENTRY_KINDS = (("earn", _l("Earned")), ("redeem", _l("Redeemed")),
               ("expire", _l("Expired")), ("adjust", _l("Adjusted")),
               ("reverse", _l("Reversed (refund)")), ("unlock", _l("Unlocked")))
SOURCE_TYPES = (("purchase", _l("Purchase")), ("refund", _l("Refund")),
                ("redemption", _l("Redemption")), ("adjustment", _l("Manual adjustment")),
                ("expiry", _l("Expiry")), ("return_window", _l("Return window")),
                ("event", _l("Member event")))
EXPIRY_POLICIES = (("never", _l("Never expire")), ("after_days", _l("After N days")),
                   ("month_end", _l("At the end of the month, N months later")),
                   ("year_end", _l("At the end of the year, N years later")))
REFUND_POLICIES = (("negative", _l("Take the points back; the balance may go negative")),
                   ("review", _l("Take back what is left; flag the rest for review")))
QUALIFY_BY = (("spend", _l("Spend in the window")),
              ("points", _l("Points earned in the window")))
DOWNGRADE_POLICIES = (("none", _l("Never downgrade")),
                      ("period_end", _l("At the end of each calendar year")),
                      ("inactivity", _l("After N days without a purchase")))
RULE_KINDS = (("base", _l("Base rate")), ("multiplier", _l("Multiplier")),
              ("birthday", _l("Birthday multiplier")))
MATCH_FIELDS = (("sku", _l("SKU")), ("counter", _l("Counter")),
                ("category", _l("Category")))
BIRTHDAY_SCOPES = (("day", _l("On the birthday")), ("month", _l("In the birthday month")))


class RateField(FixedDecimalField):
    """A multiplier or a rate, four places (``1.5000``)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 4)
        super().__init__(*args, **kwargs)


class LoyaltySettings(Model):
    """The program's settings: one row (id 1), edited by head office."""

    pending_days = peewee.IntegerField(default=0, verbose_name=_l("Return window (days)"))
    expiry_policy = peewee.CharField(max_length=20, choices=EXPIRY_POLICIES,
                                     default="year_end", verbose_name=_l("Points expire"))
    expiry_period = peewee.IntegerField(default=1, verbose_name=_l("Expiry period (N)"))
    expiry_notice_days = peewee.IntegerField(default=30,
                                             verbose_name=_l("Expiry notice (days ahead)"))
    refund_policy = peewee.CharField(max_length=20, choices=REFUND_POLICIES,
                                     default="negative",
                                     verbose_name=_l("When refunded points were already spent"))
    timezone = peewee.CharField(max_length=50, default="Asia/Shanghai",
                                verbose_name=_l("Time zone"))

    class Meta:
        table_name = "loyalty_settings"


class Tier(Model):
    """A tier (star level): how it is reached, how it is lost, what it gives."""

    code = peewee.CharField(max_length=20, unique=True, verbose_name=_l("Tier code"))
    name = peewee.CharField(max_length=50, verbose_name=_l("Tier name"))
    rank = peewee.IntegerField(unique=True, verbose_name=_l("Rank"))
    qualify_by = peewee.CharField(max_length=10, choices=QUALIFY_BY, default="spend",
                                  verbose_name=_l("Qualifies on"))
    threshold = MoneyField(max_digits=14, default=ZERO, verbose_name=_l("Qualifying threshold"))
    window_days = peewee.IntegerField(default=365, verbose_name=_l("Qualifying window (days)"))
    downgrade_policy = peewee.CharField(max_length=20, choices=DOWNGRADE_POLICIES,
                                        default="period_end", verbose_name=_l("Downgrade"))
    inactivity_days = peewee.IntegerField(default=365,
                                          verbose_name=_l("Inactivity before downgrade (days)"))
    points_multiplier = RateField(default=decimal.Decimal("1"),
                                  verbose_name=_l("Points multiplier"))
    birthday_gift = peewee.CharField(max_length=100, null=True, verbose_name=_l("Birthday gift"))
    parking_hours = peewee.IntegerField(default=0, verbose_name=_l("Free parking hours"))
    priority_service = peewee.BooleanField(default=False, verbose_name=_l("Priority service"))
    exclusive_events = peewee.BooleanField(default=False, verbose_name=_l("Exclusive events"))
    active = peewee.BooleanField(default=True, verbose_name=_l("Active"))

    class Meta:
        table_name = "loyalty_tier"

    def __str__(self):
        return self.name


class MemberTier(Model):
    """A member's current tier (no row or ``tier`` empty: no tier yet)."""

    member_id = peewee.BigIntegerField(primary_key=True, verbose_name=_l("Member"))
    tier = peewee.ForeignKeyField(Tier, null=True, verbose_name=_l("Tier"))
    since = UTCDateTimeField(default=utcnow, verbose_name=_l("Since"))
    last_purchase_at = UTCDateTimeField(null=True, verbose_name=_l("Last purchase"))

    class Meta:
        table_name = "loyalty_member_tier"


class TierHistory(Model):
    """Every tier change of a member, with why and the number that decided it."""

    id = peewee.BigAutoField()
    member_id = peewee.BigIntegerField(index=True, verbose_name=_l("Member"))
    from_tier = peewee.CharField(max_length=20, null=True, verbose_name=_l("From tier"))
    to_tier = peewee.CharField(max_length=20, null=True, verbose_name=_l("To tier"))
    reason = peewee.CharField(max_length=30, verbose_name=_l("Reason"))
    qualifying_value = MoneyField(max_digits=14, default=ZERO, verbose_name=_l("Qualifying value"))
    source_id = peewee.CharField(max_length=64, null=True, verbose_name=_l("Source"))
    changed_at = UTCDateTimeField(default=utcnow, verbose_name=_l("Changed at"))

    class Meta:
        table_name = "loyalty_tier_history"


class EarningRule(Model):
    """One earning rule; see :mod:`zhanggui_loyalty.rules.calculation` for the evaluation order."""

    code = peewee.CharField(max_length=40, unique=True, verbose_name=_l("Rule code"))
    name = peewee.CharField(max_length=100, verbose_name=_l("Rule name"))
    kind = peewee.CharField(max_length=20, choices=RULE_KINDS, verbose_name=_l("Kind"))
    sequence = peewee.IntegerField(default=100, verbose_name=_l("Sequence"))
    active = peewee.BooleanField(default=True, verbose_name=_l("Active"))
    starts_on = peewee.DateField(null=True, verbose_name=_l("Starts on"))
    ends_on = peewee.DateField(null=True, verbose_name=_l("Ends on"))
    # base rate: `points_per_unit` points for every `unit_amount` of money
    points_per_unit = RateField(default=decimal.Decimal("1"), verbose_name=_l("Points"))
    unit_amount = MoneyField(max_digits=14, default=decimal.Decimal("1.00"), verbose_name=_l("Per amount"))
    min_spend = MoneyField(max_digits=14, default=ZERO, verbose_name=_l("Minimum spend"))
    excluded_categories = peewee.TextField(default="", verbose_name=_l("Excluded categories"))
    excluded_payment_methods = peewee.TextField(default="gift_card,coupon",
                                                verbose_name=_l("Excluded payment methods"))
    # multiplier and birthday rules
    match_field = peewee.CharField(max_length=10, choices=MATCH_FIELDS, null=True,
                                   verbose_name=_l("Applies to"))
    match_values = peewee.TextField(default="", verbose_name=_l("Values (comma-separated)"))
    multiplier = RateField(default=decimal.Decimal("1"), verbose_name=_l("Multiplier"))
    birthday_scope = peewee.CharField(max_length=10, choices=BIRTHDAY_SCOPES, default="day",
                                      verbose_name=_l("Birthday applies"))

    class Meta:
        table_name = "loyalty_earning_rule"


class PointsLedgerEntry(Model):
    """One change of a member's points; inserted, never changed.

    ``points`` changes the spendable balance, ``pending_points`` the points still in
    the return window.  ``idempotency_key`` is unique: one source document can never
    post the same kind of entry twice.  ``related_entry`` links a reversal or an
    unlock to its earn entry.  Credits (``points > 0``) carry ``expires_at``; what
    each debit drew from is in :class:`PointsAllocation`.
    """

    id = peewee.BigAutoField()
    member_id = peewee.BigIntegerField(verbose_name=_l("Member"))
    kind = peewee.CharField(max_length=10, choices=ENTRY_KINDS, verbose_name=_l("Kind"))
    points = peewee.BigIntegerField(default=0, verbose_name=_l("Points"))
    pending_points = peewee.BigIntegerField(default=0, verbose_name=_l("Pending points"))
    spend = MoneyField(max_digits=14, default=ZERO, verbose_name=_l("Qualifying spend"))
    source_type = peewee.CharField(max_length=20, choices=SOURCE_TYPES,
                                   verbose_name=_l("Source type"))
    source_id = peewee.CharField(max_length=64, verbose_name=_l("Source"))
    idempotency_key = peewee.CharField(max_length=200, unique=True,
                                       verbose_name=_l("Idempotency key"))
    related_entry = peewee.ForeignKeyField("self", null=True, backref="related",
                                           verbose_name=_l("Related entry"))
    expires_at = UTCDateTimeField(null=True, verbose_name=_l("Expires at"))
    unlock_at = UTCDateTimeField(null=True, verbose_name=_l("Unlocks at"))
    store_code = peewee.CharField(max_length=20, null=True, verbose_name=_l("Store"))
    occurred_at = UTCDateTimeField(default=utcnow, verbose_name=_l("Occurred at"))
    created_at = UTCDateTimeField(default=utcnow, verbose_name=_l("Recorded at"))
    created_by = peewee.IntegerField(null=True, verbose_name=_l("Recorded by"))
    reason = peewee.CharField(max_length=200, null=True, verbose_name=_l("Reason"))
    detail = peewee.TextField(null=True, verbose_name=_l("Calculation"))

    class Meta:
        table_name = "loyalty_ledger_entry"
        indexes = ((("member_id", "id"), False), (("member_id", "occurred_at"), False),
                   (("source_type", "source_id"), False), (("occurred_at",), False))


class PointsAllocation(Model):
    """``points`` of the debit entry were drawn from the credit entry."""

    id = peewee.BigAutoField()
    debit = peewee.ForeignKeyField(PointsLedgerEntry, backref="drawn_from",
                                   verbose_name=_l("Debit entry"))
    credit = peewee.ForeignKeyField(PointsLedgerEntry, backref="drawn_by",
                                    verbose_name=_l("Credit entry"))
    points = peewee.BigIntegerField(verbose_name=_l("Points"))

    class Meta:
        table_name = "loyalty_allocation"


class PointsLot(Model):
    """Cache: what is left of a credit entry (deleted when used up)."""

    credit = peewee.ForeignKeyField(PointsLedgerEntry, primary_key=True,
                                    verbose_name=_l("Credit entry"))
    member_id = peewee.BigIntegerField(verbose_name=_l("Member"))
    remaining = peewee.BigIntegerField(verbose_name=_l("Remaining points"))
    expires_at = UTCDateTimeField(null=True, verbose_name=_l("Expires at"))

    class Meta:
        table_name = "loyalty_lot"
        indexes = ((("member_id", "expires_at"), False), (("expires_at",), False))


class MemberBalance(Model):
    """Cache of the ledger sums of one member, locked for every change."""

    member_id = peewee.BigIntegerField(primary_key=True, verbose_name=_l("Member"))
    balance = peewee.BigIntegerField(default=0, verbose_name=_l("Points balance"))
    pending = peewee.BigIntegerField(default=0, verbose_name=_l("Pending points"))
    lifetime_earned = peewee.BigIntegerField(default=0, verbose_name=_l("Points earned to date"))
    updated_at = UTCDateTimeField(default=utcnow, verbose_name=_l("Updated at"))

    class Meta:
        table_name = "loyalty_member_balance"


class Redemption(Model):
    """A redemption request by its idempotency key, with the answer given."""

    id = peewee.BigAutoField()
    key = peewee.CharField(max_length=64, unique=True, verbose_name=_l("Request ID"))
    member_id = peewee.BigIntegerField(index=True, verbose_name=_l("Member"))
    points = peewee.BigIntegerField(verbose_name=_l("Points"))
    store_code = peewee.CharField(max_length=20, null=True, verbose_name=_l("Store"))
    reason = peewee.CharField(max_length=200, null=True, verbose_name=_l("Reason"))
    request_hash = peewee.CharField(max_length=64, verbose_name=_l("Request fingerprint"))
    response = peewee.TextField(verbose_name=_l("Stored response"))
    created_at = UTCDateTimeField(default=utcnow, verbose_name=_l("Recorded at"))

    class Meta:
        table_name = "loyalty_redemption"


class RefundReview(Model):
    """Points a refund could not take back (already spent) under the review policy."""

    id = peewee.BigAutoField()
    refund_id = peewee.CharField(max_length=64, unique=True, verbose_name=_l("Refund ID"))
    member_id = peewee.BigIntegerField(index=True, verbose_name=_l("Member"))
    purchase_id = peewee.CharField(max_length=64, verbose_name=_l("Purchase"))
    points_due = peewee.BigIntegerField(verbose_name=_l("Points to take back"))
    points_taken = peewee.BigIntegerField(verbose_name=_l("Points taken back"))
    status = peewee.CharField(max_length=10, default="open", verbose_name=_l("Status"))
    created_at = UTCDateTimeField(default=utcnow, verbose_name=_l("Recorded at"))

    class Meta:
        table_name = "loyalty_refund_review"


class ExpiryNotice(Model):
    """A member was told that points expire on a date (told once per date)."""

    id = peewee.BigAutoField()
    member_id = peewee.BigIntegerField(verbose_name=_l("Member"))
    expires_on = peewee.DateField(verbose_name=_l("Expires on"))
    points = peewee.BigIntegerField(verbose_name=_l("Points"))
    sent_at = UTCDateTimeField(default=utcnow, verbose_name=_l("Sent at"))

    class Meta:
        table_name = "loyalty_expiry_notice"
        indexes = ((("member_id", "expires_on"), True),)


SIGNUP_CHANNELS = (("console", _l("Console")), ("app", _l("Member app")),
                   ("wechat", _l("WeChat mini program")), ("pos", _l("At the till")),
                   ("call_center", _l("Call center")))


class MemberEvent(Model):
    """A member event (会员活动): who may come, how many, and the points for attending.

    ``allowed_tiers`` lists tier codes (comma-separated); empty means every member,
    with or without a tier.  ``store_code`` empty: a chain-wide event.
    """

    title = peewee.CharField(max_length=100, verbose_name=_l("Event title"))
    store_code = peewee.CharField(max_length=20, null=True, verbose_name=_l("Store"))
    starts_at = UTCDateTimeField(verbose_name=_l("Starts at"))
    ends_at = UTCDateTimeField(verbose_name=_l("Ends at"))
    capacity = peewee.IntegerField(default=50, verbose_name=_l("Places"))
    allowed_tiers = peewee.TextField(default="", verbose_name=_l("Tiers allowed (codes)"))
    attendance_points = peewee.IntegerField(default=0, verbose_name=_l("Points for attending"))
    active = peewee.BooleanField(default=True, verbose_name=_l("Open for sign-up"))
    created_at = UTCDateTimeField(default=utcnow, verbose_name=_l("Recorded at"))

    class Meta:
        table_name = "loyalty_event"

    def __str__(self):
        return self.title


class EventSignup(Model):
    """A member's place at an event; ``attended_at`` once checked in.

    One row per (event, member): the unique index refuses a second sign-up.  An
    erased member's rows keep only the fact that a place was taken
    (``member_id`` empty).
    """

    id = peewee.BigAutoField()
    event = peewee.ForeignKeyField(MemberEvent, backref="signups", on_delete="CASCADE",
                                   verbose_name=_l("Event"))
    member_id = peewee.BigIntegerField(null=True, verbose_name=_l("Member"))
    signed_up_at = UTCDateTimeField(default=utcnow, verbose_name=_l("Signed up at"))
    channel = peewee.CharField(max_length=20, choices=SIGNUP_CHANNELS, default="console",
                               verbose_name=_l("Sign-up channel"))
    attended_at = UTCDateTimeField(null=True, verbose_name=_l("Checked in at"))
    attendance_entry = peewee.BigIntegerField(null=True,
                                              verbose_name=_l("Attendance points entry"))

    class Meta:
        table_name = "loyalty_event_signup"
        indexes = ((("event", "member_id"), True), (("member_id",), False))


class PointsMonth(Model):
    """Cache of the dashboard chart: points issued, redeemed and expired in one local
    calendar month, recomputed from the ledger by the job ``loyalty.refresh_points_chart``."""

    month = peewee.DateField(primary_key=True, verbose_name=_l("Month"))
    issued = peewee.BigIntegerField(default=0, verbose_name=_l("Issued"))
    redeemed = peewee.BigIntegerField(default=0, verbose_name=_l("Redeemed"))
    expired = peewee.BigIntegerField(default=0, verbose_name=_l("Expired"))
    refreshed_at = UTCDateTimeField(default=utcnow, verbose_name=_l("Updated at"))

    class Meta:
        table_name = "loyalty_points_month"


MODELS = [LoyaltySettings, Tier, MemberTier, TierHistory, EarningRule, PointsLedgerEntry,
          PointsAllocation, PointsLot, MemberBalance, Redemption, RefundReview, ExpiryNotice,
          MemberEvent, EventSignup, PointsMonth]
