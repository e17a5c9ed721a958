"""Customer satisfaction (CSAT) surveys sent when a ticket closes."""
from __future__ import annotations

import peewee

from zhanggui import Model, UTCDateTimeField, _l, utcnow

from ..calls.models import Agent, Team
from ..tickets.models import Ticket


class CsatSurvey(Model):
    """One question per closed ticket; ``token`` is the secret in the link."""

    id = peewee.BigAutoField()
    ticket = peewee.ForeignKeyField(Ticket, unique=True, backref="surveys",
                                    verbose_name=_l("Ticket"))
    token = peewee.CharField(max_length=64, unique=True, verbose_name=_l("Link token"))
    agent = peewee.ForeignKeyField(Agent, null=True, verbose_name=_l("Agent"))
    team = peewee.ForeignKeyField(Team, null=True, verbose_name=_l("Team"))
    sent_at = UTCDateTimeField(default=utcnow, verbose_name=_l("Sent at"))
    score = peewee.IntegerField(null=True, verbose_name=_l("Score (1-5)"))
    comment = peewee.TextField(default="", verbose_name=_l("Comment"))
    answered_at = UTCDateTimeField(null=True, verbose_name=_l("Answered at"))

    class Meta:
        table_name = "callcenter_csat_survey"
