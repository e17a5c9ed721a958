"""Agents, teams and the call log.

An *agent* is a console user with a phone extension; the PBX names the extension, the
call center maps it to the user whose browser gets the screen pop.  A *call* is one
call as the PBX/CTI connector reported it; ``(connector, call_id)`` is unique, so a
replayed event finds the same call.  Every accepted event is kept
(:class:`CallEvent`, append-only) with its request fingerprint and the answer given,
so a replay gets the same answer and another body under the same event is refused.
The caller's number is personal data: exported and erased with the member.
"""
from __future__ import annotations

import peewee

from zhanggui import Model, UTCDateTimeField, _l, utcnow

CALL_STATES = (("ringing", _l("Ringing")), ("answered", _l("Answered")),
               ("ended", _l("Ended")))
DIRECTIONS = (("inbound", _l("Inbound")), ("outbound", _l("Outbound")))
OUTCOMES = (("resolved", _l("Resolved on the call")), ("ticket", _l("Ticket opened")),
            ("callback", _l("Call back later")), ("missed", _l("Missed")),
            ("abandoned", _l("Caller hung up")), ("other", _l("Other")))
EVENTS = ("started", "answered", "ended")


class Team(Model):
    """A group of agents with a lead; escalations climb to the lead, then to the
    manager's e-mail (a store manager or head office)."""

    name = peewee.CharField(max_length=60, unique=True, verbose_name=_l("Team name"))
    store_code = peewee.CharField(max_length=20, null=True, verbose_name=_l("Store code"))
    lead_user_id = peewee.IntegerField(null=True, verbose_name=_l("Team lead (user id)"))
    manager_email = peewee.CharField(max_length=254, null=True,
                                     verbose_name=_l("Manager e-mail"))

    class Meta:
        table_name = "callcenter_team"

    def __str__(self):
        return self.name


class Agent(Model):
    """A console user who takes calls at ``extension``."""

    user_id = peewee.IntegerField(unique=True, verbose_name=_l("User id"))
    display_name = peewee.CharField(max_length=100, verbose_name=_l("Agent name"))
    email = peewee.CharField(max_length=254, null=True, verbose_name=_l("Agent e-mail"))
    extension = peewee.CharField(max_length=20, unique=True, verbose_name=_l("Extension"))
    team = peewee.ForeignKeyField(Team, null=True, backref="agents",
                                  verbose_name=_l("Team"))
    active = peewee.BooleanField(default=True, verbose_name=_l("Active"))

    class Meta:
        table_name = "callcenter_agent"

    def __str__(self):
        return f"{self.display_name} ({self.extension})"


class Call(Model):
    """One call in the log."""

    id = peewee.BigAutoField()
    connector = peewee.CharField(max_length=64, verbose_name=_l("Connector"))
    call_id = peewee.CharField(max_length=64, verbose_name=_l("Call id"))
    direction = peewee.CharField(max_length=10, choices=DIRECTIONS, default="inbound",
                                 verbose_name=_l("Direction"))
    phone = peewee.CharField(max_length=20, null=True, index=True,
                             verbose_name=_l("Caller number"))
    region = peewee.CharField(max_length=2, null=True, verbose_name=_l("Number region"))
    member_id = peewee.BigIntegerField(null=True, index=True, verbose_name=_l("Member"))
    agent = peewee.ForeignKeyField(Agent, null=True, backref="calls",
                                   verbose_name=_l("Agent"))
    extension = peewee.CharField(max_length=20, null=True, verbose_name=_l("Extension"))
    state = peewee.CharField(max_length=10, choices=CALL_STATES, default="ringing",
                             verbose_name=_l("Call state"))
    started_at = UTCDateTimeField(verbose_name=_l("Started at"))
    answered_at = UTCDateTimeField(null=True, verbose_name=_l("Answered at"))
    ended_at = UTCDateTimeField(null=True, verbose_name=_l("Ended at"))
    duration_seconds = peewee.IntegerField(null=True, verbose_name=_l("Duration (s)"))
    recording_url = peewee.CharField(max_length=500, null=True,
                                     verbose_name=_l("Recording"))
    outcome = peewee.CharField(max_length=20, choices=OUTCOMES, null=True,
                               verbose_name=_l("Outcome"))
    notes = peewee.TextField(null=True, verbose_name=_l("Call notes"))

    class Meta:
        table_name = "callcenter_call"
        indexes = ((("connector", "call_id"), True), (("started_at",), False))

    def __str__(self):
        return self.call_id


class CallEvent(Model):
    """An accepted PBX event (append-only): the replay key and the stored answer."""

    id = peewee.BigAutoField()
    call = peewee.ForeignKeyField(Call, backref="events", verbose_name=_l("Call"))
    event = peewee.CharField(max_length=10, verbose_name=_l("Call event"))
    occurred_at = UTCDateTimeField(verbose_name=_l("Occurred at"))
    received_at = UTCDateTimeField(default=utcnow, verbose_name=_l("Received at"))
    request_hash = peewee.CharField(max_length=64, verbose_name=_l("Request fingerprint"))
    response = peewee.TextField(verbose_name=_l("Stored response"))

    class Meta:
        table_name = "callcenter_call_event"
        indexes = ((("call", "event"), True),)
