"""Screen-pop events: one row per call offered to an agent.

The agent's browser asks for rows of its own agent with an id above the last one it
saw (a cursor), so a pop written by any worker on any host reaches exactly that
agent's browser, and nobody else's.
"""
from __future__ import annotations

import peewee

from zhanggui import Model, UTCDateTimeField, _l, utcnow

from ..calls.models import Agent, Call


class PopEvent(Model):
    id = peewee.BigAutoField()
    agent = peewee.ForeignKeyField(Agent, backref="pops", verbose_name=_l("Agent"))
    call = peewee.ForeignKeyField(Call, backref="pops", verbose_name=_l("Call"))
    created_at = UTCDateTimeField(default=utcnow, verbose_name=_l("Popped at"))

    class Meta:
        table_name = "callcenter_pop_event"
        indexes = ((("agent", "id"), False), (("call", "agent"), True))
