"""Service tickets, their conversation and their attachments.

The SLA clock (:mod:`zhanggui_callcenter.sla`) runs in business time and pauses in
the waiting states; ``response_due_at``/``resolution_due_at`` are the deadlines as
they stand, ``*_breached_at`` records a breach for good (a later fix does not
clear it).
"""
from __future__ import annotations

import peewee

from zhanggui import Model, UTCDateTimeField, _l, utcnow

from ..calls.models import Agent, Call, Team
from ..sla.models import SlaPolicy

KINDS = (("consultation", _l("Consultation")), ("complaint", _l("Complaint")),
         ("return", _l("Return or exchange")), ("suggestion", _l("Suggestion")))
PRIORITIES = (("urgent", _l("Urgent")), ("high", _l("High")), ("normal", _l("Normal")),
              ("low", _l("Low")))
CHANNELS = (("phone", _l("Phone")), ("email", _l("E-mail")), ("wechat", _l("WeChat")),
            ("store", _l("In store")), ("web", _l("Web form")))
STATUSES = (("new", _l("New")), ("open", _l("Open")),
            ("waiting_customer", _l("Waiting for the customer")),
            ("waiting_third_party", _l("Waiting for a third party")),
            ("resolved", _l("Resolved")), ("closed", _l("Closed")),
            ("merged", _l("Merged into another ticket")))
WAITING = ("waiting_customer", "waiting_third_party")
DONE = ("resolved", "closed", "merged")
MESSAGE_KINDS = (("reply", _l("Reply to the customer")), ("note", _l("Internal note")))


class Ticket(Model):
    id = peewee.BigAutoField()
    kind = peewee.CharField(max_length=20, choices=KINDS, verbose_name=_l("Ticket type"))
    priority = peewee.CharField(max_length=10, choices=PRIORITIES, default="normal",
                                verbose_name=_l("Priority"))
    channel = peewee.CharField(max_length=10, choices=CHANNELS, default="phone",
                               verbose_name=_l("Channel"))
    status = peewee.CharField(max_length=20, choices=STATUSES, default="new",
                              verbose_name=_l("Ticket status"))
    subject = peewee.CharField(max_length=200, verbose_name=_l("Subject"))
    description = peewee.TextField(default="", verbose_name=_l("Description"))
    member_id = peewee.BigIntegerField(null=True, index=True, verbose_name=_l("Member"))
    member_tier = peewee.CharField(max_length=20, null=True, verbose_name=_l("Member tier"))
    purchase_ref = peewee.CharField(max_length=64, null=True,
                                    verbose_name=_l("Purchase (transaction id)"))
    store_code = peewee.CharField(max_length=20, null=True, verbose_name=_l("Store code"))
    counter_code = peewee.CharField(max_length=20, null=True, verbose_name=_l("Counter"))
    call = peewee.ForeignKeyField(Call, null=True, backref="tickets", verbose_name=_l("Call"))
    assignee = peewee.ForeignKeyField(Agent, null=True, backref="tickets",
                                      verbose_name=_l("Assigned agent"))
    team = peewee.ForeignKeyField(Team, null=True, backref="tickets", verbose_name=_l("Team"))
    merged_into = peewee.ForeignKeyField("self", null=True, backref="duplicates",
                                         verbose_name=_l("Merged into"))
    sentiment = peewee.FloatField(null=True, verbose_name=_l("Sentiment (0 negative, "
                                                             "1 positive)"))
    created_at = UTCDateTimeField(default=utcnow, verbose_name=_l("Opened at"))
    first_responded_at = UTCDateTimeField(null=True, verbose_name=_l("First response at"))
    resolved_at = UTCDateTimeField(null=True, verbose_name=_l("Resolved at"))
    closed_at = UTCDateTimeField(null=True, verbose_name=_l("Closed at"))
    sla_policy = peewee.ForeignKeyField(SlaPolicy, null=True, verbose_name=_l("SLA policy"))
    response_due_at = UTCDateTimeField(null=True, verbose_name=_l("First response due"))
    resolution_due_at = UTCDateTimeField(null=True, verbose_name=_l("Resolution due"))
    paused_at = UTCDateTimeField(null=True, verbose_name=_l("SLA clock paused since"))
    response_breached_at = UTCDateTimeField(null=True,
                                            verbose_name=_l("First response breached at"))
    resolution_breached_at = UTCDateTimeField(null=True,
                                              verbose_name=_l("Resolution breached at"))
    updated_at = UTCDateTimeField(default=utcnow, verbose_name=_l("Updated at"))

    class Meta:
        table_name = "callcenter_ticket"
        indexes = ((("status", "resolution_due_at"), False),
                   (("store_code", "created_at"), False))

    def __str__(self):
        return f"#{self.id} {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.status not in DONE


class TicketMessage(Model):
    """A reply to the customer or an internal note (append-only)."""

    id = peewee.BigAutoField()
    ticket = peewee.ForeignKeyField(Ticket, backref="messages", verbose_name=_l("Ticket"))
    kind = peewee.CharField(max_length=10, choices=MESSAGE_KINDS, verbose_name=_l("Kind"))
    body = peewee.TextField(verbose_name=_l("Message"))
    author_user_id = peewee.IntegerField(null=True, verbose_name=_l("Written by (user id)"))
    author_name = peewee.CharField(max_length=100, default="", verbose_name=_l("Written by"))
    created_at = UTCDateTimeField(default=utcnow, verbose_name=_l("Written at"))

    class Meta:
        table_name = "callcenter_ticket_message"


class TicketAttachment(Model):
    """A file attached to a ticket, stored under a random name in the instance folder."""

    id = peewee.BigAutoField()
    ticket = peewee.ForeignKeyField(Ticket, backref="attachments", verbose_name=_l("Ticket"))
    filename = peewee.CharField(max_length=200, verbose_name=_l("File name"))
    stored_name = peewee.CharField(max_length=64, unique=True,
                                   verbose_name=_l("Stored as"))
    content_type = peewee.CharField(max_length=100, verbose_name=_l("Content type"))
    size = peewee.IntegerField(verbose_name=_l("Size (bytes)"))
    uploaded_at = UTCDateTimeField(default=utcnow, verbose_name=_l("Uploaded at"))

    class Meta:
        table_name = "callcenter_ticket_attachment"
