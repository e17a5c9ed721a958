"""Routed documents, their stops in order, and the append-only trail."""
from __future__ import annotations

import peewee

from zhanggui import Model, UTCDateTimeField, _l, utcnow

DOCUMENT_STATES = (("routing", _l("Being routed")), ("signed", _l("Signed off by all")),
                   ("returned", _l("Returned")))
ACTIONS = (("sign", _l("Signed off")), ("return", _l("Returned")))


class RoutedDocument(Model):
    title = peewee.CharField(max_length=200, verbose_name=_l("Document title"))
    body = peewee.TextField(verbose_name=_l("Document text"))
    store_code = peewee.CharField(max_length=32, null=True, index=True,
                                  verbose_name=_l("Store"))
    sender_id = peewee.IntegerField(verbose_name=_l("Sender"))
    sender_name = peewee.CharField(max_length=120, default="", verbose_name=_l("Sender"))
    status = peewee.CharField(max_length=10, choices=DOCUMENT_STATES, default="routing",
                              verbose_name=_l("Status"))
    current_position = peewee.IntegerField(null=True, verbose_name=_l("With"))
    created_at = UTCDateTimeField(default=utcnow, verbose_name=_l("Sent at"))
    finished_at = UTCDateTimeField(null=True, verbose_name=_l("Finished at"))

    class Meta:
        table_name = "office_routed_document"

    def __str__(self):
        return self.title


class RoutingStop(Model):
    document = peewee.ForeignKeyField(RoutedDocument, backref="stops", on_delete="CASCADE")
    position = peewee.IntegerField()
    user_id = peewee.IntegerField(index=True)

    class Meta:
        table_name = "office_routing_stop"
        indexes = ((("document", "position"), True),)


class RoutingEvent(Model):
    """Append-only: who signed off or returned the document, at which stop."""

    document = peewee.ForeignKeyField(RoutedDocument, backref="trail", on_delete="CASCADE")
    position = peewee.IntegerField()
    user_id = peewee.IntegerField()
    user_name = peewee.CharField(max_length=120, default="")
    action = peewee.CharField(max_length=6, choices=ACTIONS)
    comment = peewee.TextField(default="")
    at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "office_routing_event"
        indexes = ((("document", "position"), True),)


MODELS = (RoutedDocument, RoutingStop, RoutingEvent)


def migrate_routing(ctx) -> None:
    """Migration ``office:0005_routing`` (frozen copies)."""

    class D(Model):
        title = peewee.CharField(max_length=200)
        body = peewee.TextField()
        store_code = peewee.CharField(max_length=32, null=True, index=True)
        sender_id = peewee.IntegerField()
        sender_name = peewee.CharField(max_length=120, default="")
        status = peewee.CharField(max_length=10, default="routing")
        current_position = peewee.IntegerField(null=True)
        created_at = UTCDateTimeField()
        finished_at = UTCDateTimeField(null=True)

        class Meta:
            table_name = "office_routed_document"

    class S(Model):
        document = peewee.ForeignKeyField(D, on_delete="CASCADE")
        position = peewee.IntegerField()
        user_id = peewee.IntegerField(index=True)

        class Meta:
            table_name = "office_routing_stop"
            indexes = ((("document", "position"), True),)

    class E(Model):
        document = peewee.ForeignKeyField(D, on_delete="CASCADE")
        position = peewee.IntegerField()
        user_id = peewee.IntegerField()
        user_name = peewee.CharField(max_length=120, default="")
        action = peewee.CharField(max_length=6)
        comment = peewee.TextField(default="")
        at = UTCDateTimeField()

        class Meta:
            table_name = "office_routing_event"
            indexes = ((("document", "position"), True),)

    ctx.create_tables([D, S, E])
