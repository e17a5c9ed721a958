"""The escalation ladder: levels by the share of the SLA used, each notified once.

A level is *claimed* by inserting its :class:`EscalationSent` row (unique per
ticket and level) in the same transaction as its notices, the optional
reassignment and the ``zhanggui_ticket_escalated`` event; a second worker, or the
same job run again, finds the row and does nothing.  E-mails go after commit
(:func:`~zhanggui_callcenter.escalation.notify.deliver_pending`).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import peewee

from zhanggui import _, emit, utcnow, write_transaction

from ..calls.models import Agent
from ..sla.service import elapsed_share
from ..tickets.models import DONE, Ticket
from .models import EscalationLevel, EscalationSent
from .notify import deliver_pending, notify
from .sentiment import reads_negative, sentiment

SENTIMENT_LEVEL = 2     # a negative message goes straight to the team lead


@dataclass(frozen=True)
class Level:
    level: int
    percent: int
    notify: str
    reassign_to_lead: bool = False


DEFAULT_LADDER = (Level(1, 50, "agent"), Level(2, 80, "lead", True),
                  Level(3, 100, "manager"))


def ladder() -> list[Level]:
    rows = list(EscalationLevel.select().order_by(EscalationLevel.level))
    if not rows:
        return list(DEFAULT_LADDER)
    return [Level(r.level, r.percent, r.notify, r.reassign_to_lead) for r in rows]


def _user_email(user_id: int | None) -> str | None:
    if user_id is None:
        return None
    agent = Agent.get_or_none(Agent.user_id == user_id)
    if agent is not None and agent.email:
        return agent.email
    from flask import current_app

    user = current_app.appbuilder.sm.get_user_by_id(user_id)
    email = getattr(user, "email", None)
    return None if not email or email.endswith(".invalid") else email


def _recipients(ticket: Ticket, target: str) -> list[tuple[int | None, str | None]]:
    team = ticket.team if ticket.team_id else None
    if target == "agent" and ticket.assignee_id:
        return [(ticket.assignee.user_id, ticket.assignee.email)]
    if target in ("agent", "lead") and team is not None and team.lead_user_id:
        return [(team.lead_user_id, _user_email(team.lead_user_id))]
    from flask import current_app

    head_office = current_app.config.get("CALLCENTER_HEAD_OFFICE_EMAIL")
    email = (team.manager_email if team is not None else None) or head_office
    return [(None, email)] if email else []


def _escalate(ticket: Ticket, level: Level, reason: str, now: dt.datetime) -> bool:
    try:
        with write_transaction():
            if EscalationSent.select().where((EscalationSent.ticket == ticket.id)
                                             & (EscalationSent.level == level.level)).exists():
                return False
            EscalationSent.create(ticket=ticket.id, level=level.level, reason=reason,
                                  sent_at=now)
            fresh = Ticket.get_by_id(ticket.id)
            if reason == "sentiment":
                subject = _("Ticket #%(id)s reads negative: %(subject)s", id=fresh.id,
                            subject=fresh.subject)
            else:
                subject = _("Ticket #%(id)s has used %(percent)s%% of its SLA: %(subject)s",
                            id=fresh.id, percent=level.percent, subject=fresh.subject)
            body = _("Escalation level %(level)s. Open the ticket in the call-center "
                     "console: #%(id)s.", level=level.level, id=fresh.id)
            for user_id, email in _recipients(fresh, level.notify):
                notify(user_id=user_id, email=email, subject=subject, body=body,
                       ticket=fresh.id)
            if level.reassign_to_lead and fresh.team_id and fresh.team.lead_user_id:
                lead = Agent.get_or_none(Agent.user_id == fresh.team.lead_user_id)
                if lead is not None:
                    fresh.assignee = lead
                    fresh.save()
            emit("ticket_escalated", ticket=fresh, level=level.level)
            return True
    except peewee.IntegrityError:   # another worker claimed this level first
        return False


def escalate_if_negative(ticket: Ticket, text: str, now: dt.datetime) -> bool:
    """Score ``text``; a negative one escalates the ticket to a person at once."""
    score = sentiment(text)
    if score is None:
        return False
    Ticket.update(sentiment=score).where(Ticket.id == ticket.id).execute()
    ticket.sentiment = score
    if not reads_negative(score):
        return False
    level = next((lv for lv in ladder() if lv.level == SENTIMENT_LEVEL),
                 Level(SENTIMENT_LEVEL, 0, "lead"))
    return _escalate(ticket, level, "sentiment", now)


def run_escalations(now: dt.datetime | None = None) -> int:
    """Climb every open, running ticket up the ladder as far as its SLA share says.
    Safe to run twice and on several workers at once; returns the levels fired."""
    now = now or utcnow()
    levels = ladder()
    fired = 0
    open_tickets = list(Ticket.select().where(Ticket.status.not_in(DONE)
                                          & Ticket.paused_at.is_null()
                                          & Ticket.resolution_due_at.is_null(False))
                    .order_by(Ticket.id))
    for ticket in open_tickets:
        share = elapsed_share(ticket, now)
        if share is None:
            continue
        sent = {row.level for row in EscalationSent.select(EscalationSent.level)
                .where(EscalationSent.ticket == ticket.id)}
        for level in levels:
            if level.level not in sent and share * 100 >= level.percent:
                fired += _escalate(ticket, level, "sla", now)
    deliver_pending()
    return fired
