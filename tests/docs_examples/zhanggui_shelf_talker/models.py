"""The models the examples name (tables created by tests/test_docs.py)."""
import peewee

from zhanggui import Model, UTCDateTimeField, utcnow
from zhanggui_members.profile.models import Member, PurchaseLine  # the examples of members' own hooks

__all__ = ["Member", "PurchaseLine", "ShelfTalker", "ShelfTalkerPrint"]


class ShelfTalker(Model):
    sku = peewee.CharField(max_length=32, index=True)
    headline = peewee.CharField(max_length=60)
    store_code = peewee.CharField(max_length=20)
    price = peewee.DecimalField(max_digits=10, decimal_places=2, null=True)
    created_at = UTCDateTimeField(default=utcnow)
    updated_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "shelf_talker_talker"


class ShelfTalkerPrint(Model):
    member_id = peewee.IntegerField(null=True)
    sku = peewee.CharField(max_length=32)
    store_code = peewee.CharField(max_length=20)
    recipient_name = peewee.CharField(max_length=100, default="")
    printed_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "shelf_talker_print"
