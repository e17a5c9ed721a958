"""The escalation ladder, the notices it sent and the console inbox of agents."""
from __future__ import annotations

import peewee

from zhanggui import Model, UTCDateTimeField, _l, utcnow

from ..tickets.models import Ticket

TARGETS = (("agent", _l("The assigned agent")), ("lead", _l("The team lead")),
           ("manager", _l("The store manager / head office")))


class EscalationLevel(Model):
    """Level ``level`` fires when ``percent`` of the SLA's resolution time is used."""

    level = peewee.IntegerField(unique=True, verbose_name=_l("Level"))
    percent = peewee.IntegerField(verbose_name=_l("Share of SLA used (percent)"))
    notify = peewee.CharField(max_length=10, choices=TARGETS, verbose_name=_l("Notify"))
    reassign_to_lead = peewee.BooleanField(default=False,
                                           verbose_name=_l("Reassign to the team lead"))

    class Meta:
        table_name = "callcenter_escalation_level"

    def __str__(self):
        return f"L{self.level} {self.percent}%"


class EscalationSent(Model):
    """Level ``level`` of ``ticket`` was notified (unique: a level notifies once,
    however many workers run the job)."""

    id = peewee.BigAutoField()
    ticket = peewee.ForeignKeyField(Ticket, backref="escalations", verbose_name=_l("Ticket"))
    level = peewee.IntegerField(verbose_name=_l("Level"))
    reason = peewee.CharField(max_length=20, verbose_name=_l("Reason"))
    sent_at = UTCDateTimeField(default=utcnow, verbose_name=_l("Sent at"))

    class Meta:
        table_name = "callcenter_escalation_sent"
        indexes = ((("ticket", "level"), True),)


class Notice(Model):
    """A message in a console user's call-center inbox."""

    id = peewee.BigAutoField()
    user_id = peewee.IntegerField(null=True, index=True, verbose_name=_l("User id"))
    email = peewee.CharField(max_length=254, null=True, verbose_name=_l("E-mail"))
    subject = peewee.CharField(max_length=200, verbose_name=_l("Subject"))
    body = peewee.TextField(verbose_name=_l("Message"))
    ticket = peewee.ForeignKeyField(Ticket, null=True, verbose_name=_l("Ticket"))
    created_at = UTCDateTimeField(default=utcnow, verbose_name=_l("Sent at"))
    emailed = peewee.BooleanField(default=False, verbose_name=_l("E-mailed"))

    class Meta:
        table_name = "callcenter_notice"
