"""The members plugin's data: stores, members, their channel identities and purchases.

Sized for a chain of a million members and ten million purchase lines: look-ups go
through indexed keyed hashes and card numbers, a member's history through
``(member, occurred_at)``, a store's day through ``(store, occurred_at)``.

Money is ``Decimal`` with two places (:class:`MoneyField`); times are UTC
(:class:`zhanggui.UTCDateTimeField`).  The phone number is never stored in clear:
see :mod:`zhanggui_members.profile.crypto`.  Every label goes through ``_l`` for the console.
"""
from __future__ import annotations

import decimal

import peewee

from zhanggui import FixedDecimalField, Model, MoneyField, UTCDateTimeField, _l, utcnow

from .crypto import FieldDecryptionError, phone_cipher
from .phones import configured_region, mask_last4, mask_mobile
from .sort_keys import sort_key_columns

CENT = decimal.Decimal("0.01")

CURRENCIES = (("CNY", _l("Renminbi (CNY)")), ("TWD", _l("New Taiwan dollar (TWD)")),
              ("HKD", _l("Hong Kong dollar (HKD)")))
COUNTRIES = (("CN", _l("Mainland China")), ("TW", _l("Taiwan")), ("HK", _l("Hong Kong")),
             ("MO", _l("Macau")))
GENDERS = (("female", _l("Female")), ("male", _l("Male")), ("unknown", _l("Not given")))
JOIN_CHANNELS = (("store", _l("In store")), ("wechat", _l("WeChat")), ("app", _l("App")),
                 ("ecommerce", _l("Online shop")), ("callcenter", _l("Call center")),
                 ("import", _l("Import")), ("pos", _l("POS")))
LIFECYCLE_STAGES = (("potential", _l("Potential")), ("active", _l("Active")),
                    ("dormant", _l("Dormant")), ("churned", _l("Churned")))
IDENTITY_KINDS = (("wechat_openid", _l("WeChat OpenID")),
                  ("wechat_unionid", _l("WeChat UnionID")),
                  ("app_user", _l("App user ID")),
                  ("ecommerce_account", _l("Online shop account")))
PURCHASE_CHANNELS = (("pos", _l("Store till (POS)")), ("ecommerce", _l("Online shop")),
                     ("miniprogram", _l("WeChat mini program")))
PAYMENT_METHODS = (("cash", _l("Cash")), ("bank_card", _l("Bank card")),
                   ("wechat_pay", _l("WeChat Pay")), ("alipay", _l("Alipay")),
                   ("unionpay", _l("UnionPay QuickPass")), ("stored_value", _l("Stored-value card")),
                   ("gift_card", _l("Gift card")), ("coupon", _l("Coupon")),
                   ("line_pay", _l("LINE Pay")), ("octopus", _l("Octopus")))


class Store(Model):
    """A shop of the chain; its currency and time zone apply to its purchases, its
    country to the mobile numbers its staff and tills write without country code."""

    code = peewee.CharField(max_length=20, unique=True, verbose_name=_l("Store code"))
    name = peewee.CharField(max_length=100, verbose_name=_l("Store name"))
    city = peewee.CharField(max_length=50, verbose_name=_l("City"))
    region = peewee.CharField(max_length=50, verbose_name=_l("Region"))
    currency = peewee.CharField(max_length=3, choices=CURRENCIES, default="CNY",
                                verbose_name=_l("Currency"))
    timezone = peewee.CharField(max_length=50, default="Asia/Shanghai",
                                verbose_name=_l("Time zone"))
    country = peewee.CharField(max_length=2, choices=COUNTRIES, default="CN",
                               verbose_name=_l("Country or region"))

    class Meta:
        table_name = "members_store"

    def __str__(self):
        return self.name


class Member(Model):
    """One customer, recognised across stores and channels.

    ``phone_encrypted`` holds the AES-GCM ciphertext, ``phone_hash`` the keyed hash for
    exact look-up (unique; NULLs do not collide on any backend, so members without a
    phone and erased members are fine), ``phone_last4`` the clear suffix for
    suffix search and masking.  An erased member keeps its row, stripped of personal
    data, so de-identified purchases still add up.
    """

    name = peewee.CharField(max_length=100, null=True, verbose_name=_l("Member name"))
    # sort keys of the name, rewritten with it (profile.sort_keys)
    name_pinyin = peewee.CharField(max_length=255, null=True, index=True,
                                   verbose_name=_l("Name in pinyin order"))
    name_zhuyin = peewee.CharField(max_length=255, null=True, index=True,
                                   verbose_name=_l("Name in zhuyin order"))
    gender = peewee.CharField(max_length=10, choices=GENDERS, default="unknown",
                              verbose_name=_l("Gender"))
    birthday = peewee.DateField(null=True, verbose_name=_l("Birthday"))
    phone_encrypted = peewee.CharField(max_length=200, null=True,
                                       verbose_name=_l("Mobile phone (encrypted)"))
    phone_hash = peewee.CharField(max_length=64, null=True, unique=True,
                                  verbose_name=_l("Mobile phone look-up key"))
    phone_last4 = peewee.CharField(max_length=4, null=True, index=True,
                                   verbose_name=_l("Last four digits of mobile phone"))
    card_no = peewee.CharField(max_length=32, null=True, unique=True,
                               verbose_name=_l("Membership card number"))
    home_store = peewee.ForeignKeyField(Store, null=True, backref="members",
                                        verbose_name=_l("Home store"))
    joined_at = UTCDateTimeField(default=utcnow, verbose_name=_l("Joined at"))
    join_channel = peewee.CharField(max_length=20, choices=JOIN_CHANNELS, default="store",
                                    verbose_name=_l("Join channel"))
    lifecycle_stage = peewee.CharField(max_length=20, choices=LIFECYCLE_STAGES,
                                       default="potential", verbose_name=_l("Lifecycle stage"))
    notes = peewee.TextField(null=True, verbose_name=_l("Notes"))
    erased_at = UTCDateTimeField(null=True, verbose_name=_l("Personal data erased at"))
    # set when this member was folded into another (zhanggui_members.merging)
    merged_into = peewee.ForeignKeyField("self", null=True, backref="merged_members",
                                         verbose_name=_l("Merged into"))

    class Meta:
        table_name = "members_member"

    def __str__(self):
        return self.name or f"#{self.id}"

    def save(self, *args, **kwargs):
        """Writes the name's sort keys along with the name."""
        keys = sort_key_columns(self.name)
        self.name_pinyin, self.name_zhuyin = keys["name_pinyin"], keys["name_zhuyin"]
        if kwargs.get("only") is not None and Member.name in kwargs["only"]:
            kwargs["only"] = list(kwargs["only"]) + [Member.name_pinyin, Member.name_zhuyin]
        return super().save(*args, **kwargs)

    def masked_phone(self) -> str:
        """The phone as staff see it without ``members.view_phone``: ``138****8000``."""
        if self.phone_encrypted:
            try:
                return mask_mobile(phone_cipher().decrypt(self.phone_encrypted),
                                   configured_region())
            except FieldDecryptionError:
                pass
        return mask_last4(self.phone_last4)


class MemberIdentity(Model):
    """An id of the member in another channel (WeChat, app, online shop)."""

    member = peewee.ForeignKeyField(Member, backref="identities", on_delete="CASCADE",
                                    verbose_name=_l("Member"))
    kind = peewee.CharField(max_length=30, choices=IDENTITY_KINDS, verbose_name=_l("Kind"))
    value = peewee.CharField(max_length=128, verbose_name=_l("Identifier"))
    created_at = UTCDateTimeField(default=utcnow, verbose_name=_l("Linked at"))

    class Meta:
        table_name = "members_identity"
        indexes = ((("kind", "value"), True),)


class Purchase(Model):
    """One sales transaction from a till, the online shop or the mini program.

    ``pos_id`` is the source's transaction id and the idempotency key: a replay with
    the same body gets the stored ``response``; another body under the same id is
    refused (``request_hash``).  ``member`` is empty for anonymous sales.
    """

    id = peewee.BigAutoField()
    pos_id = peewee.CharField(max_length=64, unique=True, verbose_name=_l("Transaction ID"))
    store = peewee.ForeignKeyField(Store, backref="purchases", index=False,
                                   verbose_name=_l("Store"))
    member = peewee.ForeignKeyField(Member, null=True, backref="purchases", index=False,
                                    verbose_name=_l("Member"))
    occurred_at = UTCDateTimeField(verbose_name=_l("Time of purchase"))
    channel = peewee.CharField(max_length=20, choices=PURCHASE_CHANNELS, default="pos",
                               verbose_name=_l("Sales channel"))
    total = MoneyField(verbose_name=_l("Total"))
    refunded_amount = MoneyField(default=decimal.Decimal("0.00"),
                                 verbose_name=_l("Refunded amount"))
    request_hash = peewee.CharField(max_length=64, null=True,
                                    verbose_name=_l("Request fingerprint"))
    response = peewee.TextField(null=True, verbose_name=_l("Stored response"))

    class Meta:
        table_name = "members_purchase"
        indexes = ((("member", "occurred_at"), False), (("store", "occurred_at"), False))


class PurchaseLine(Model):
    """One item of a purchase, sold at a counter (专柜) in a category."""

    id = peewee.BigAutoField()
    purchase = peewee.ForeignKeyField(Purchase, backref="lines", on_delete="CASCADE",
                                      verbose_name=_l("Purchase"))
    sku = peewee.CharField(max_length=40, verbose_name=_l("SKU"))
    name = peewee.CharField(max_length=100, verbose_name=_l("Item"))
    category = peewee.CharField(max_length=40, verbose_name=_l("Category"))
    counter_code = peewee.CharField(max_length=20, null=True, verbose_name=_l("Counter"))
    quantity = FixedDecimalField(max_digits=12, decimal_places=3,
                                 verbose_name=_l("Quantity"))
    amount = MoneyField(verbose_name=_l("Amount"))

    class Meta:
        table_name = "members_purchase_line"


class Payment(Model):
    """How (part of) a purchase was paid."""

    id = peewee.BigAutoField()
    purchase = peewee.ForeignKeyField(Purchase, backref="payments", on_delete="CASCADE",
                                      verbose_name=_l("Purchase"))
    method = peewee.CharField(max_length=20, choices=PAYMENT_METHODS,
                              verbose_name=_l("Payment method"))
    amount = MoneyField(verbose_name=_l("Amount"))

    class Meta:
        table_name = "members_payment"


class Refund(Model):
    """Money given back against a recorded purchase, for some of its lines or an amount.

    ``refund_id`` is the source's refund id and the idempotency key, like
    ``Purchase.pos_id``.  The refunds of a purchase never add up to more than its total
    (``Purchase.refunded_amount`` is their running sum), nor a line's refunds to more
    than its quantity.
    """

    id = peewee.BigAutoField()
    refund_id = peewee.CharField(max_length=64, unique=True, verbose_name=_l("Refund ID"))
    purchase = peewee.ForeignKeyField(Purchase, backref="refunds",
                                      verbose_name=_l("Purchase"))
    amount = MoneyField(verbose_name=_l("Refunded amount"))
    recorded_at = UTCDateTimeField(default=utcnow, verbose_name=_l("Recorded at"))
    request_hash = peewee.CharField(max_length=64, null=True,
                                    verbose_name=_l("Request fingerprint"))
    response = peewee.TextField(null=True, verbose_name=_l("Stored response"))

    class Meta:
        table_name = "members_refund"


class RefundLine(Model):
    """The part of one purchase line a refund gives back."""

    id = peewee.BigAutoField()
    refund = peewee.ForeignKeyField(Refund, backref="lines", on_delete="CASCADE",
                                    verbose_name=_l("Refund"))
    purchase_line = peewee.ForeignKeyField(PurchaseLine, backref="refund_lines",
                                           verbose_name=_l("Purchase line"))
    quantity = FixedDecimalField(max_digits=12, decimal_places=3,
                                 verbose_name=_l("Quantity"))
    amount = MoneyField(verbose_name=_l("Amount"))

    class Meta:
        table_name = "members_refund_line"


PROFILE_MODELS = [Store, Member, MemberIdentity, Purchase, PurchaseLine, Payment, Refund,
                  RefundLine]
