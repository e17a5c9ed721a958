"""The screen pop: everything the agent needs about a caller, on one screen.

:func:`screen_pop` gathers the facts for a number (member via
``zhanggui_find_member``, profile, tier, points, last purchases and consent via
``zhanggui_member_summary``, the call center's own open tickets and recent calls).
:func:`offer_pop` writes a :class:`PopEvent` for the agent whose extension rings;
:func:`pops_after` is what that agent's browser asks for with its cursor.
"""
from __future__ import annotations

from typing import Any

from ..calls.models import Agent, Call
from ..members import find_member_id, member_summary
from ..phones import CallerNumber, normalize_caller
from ..tickets.models import DONE, Ticket
from .models import PopEvent

OPEN_TICKETS = 10
RECENT_CALLS = 5


def offer_pop(agent: Agent, call: Call) -> PopEvent:
    """Pop ``call`` on ``agent``'s console once (called inside the event's transaction)."""
    pop = PopEvent.get_or_none((PopEvent.call == call) & (PopEvent.agent == agent))
    return pop or PopEvent.create(agent=agent, call=call)


def _iso(value):
    return value.isoformat() if value else None


def open_tickets(member_id: Any = None, phone: str | None = None) -> list[dict[str, Any]]:
    query = Ticket.select(Ticket.id, Ticket.kind, Ticket.priority, Ticket.status,
                          Ticket.subject, Ticket.resolution_due_at, Ticket.created_at)
    if member_id is not None:
        query = query.where(Ticket.member_id == member_id)
    elif phone:
        query = query.join(Call).where(Call.phone == phone)
    else:
        return []
    query = query.where(Ticket.status.not_in(DONE)).order_by(Ticket.id.desc())
    return [{"id": t.id, "kind": t.kind, "priority": t.priority, "status": t.status,
             "subject": t.subject, "resolution_due_at": _iso(t.resolution_due_at),
             "created_at": _iso(t.created_at)} for t in query.limit(OPEN_TICKETS)]


def recent_calls(phone: str) -> list[dict[str, Any]]:
    return [{"id": c.id, "started_at": _iso(c.started_at), "state": c.state,
             "outcome": c.outcome, "duration_seconds": c.duration_seconds}
            for c in Call.select(Call.id, Call.started_at, Call.state, Call.outcome,
                                 Call.duration_seconds)
            .where(Call.phone == phone).order_by(Call.started_at.desc()).limit(RECENT_CALLS)]


def screen_pop(phone: str | CallerNumber, member_id: Any = None) -> dict[str, Any]:
    """The pop for a caller number (raises ``CallerNumberError`` for a bad one)."""
    number = phone if isinstance(phone, CallerNumber) else normalize_caller(phone)
    if member_id is None:
        member_id = find_member_id(number)
    summary = member_summary(member_id)
    return {"phone": number.e164, "region": number.region, "member_id": member_id,
            "member": summary.get("member"), "loyalty": summary.get("loyalty"),
            "purchases": summary.get("purchases", []),
            "consent": summary.get("consent", {}),
            "open_tickets": open_tickets(member_id, None if member_id else number.e164),
            "recent_calls": recent_calls(number.e164)}


def pops_after(agent: Agent, cursor: int, limit: int = 20) -> list[dict[str, Any]]:
    """The agent's pops with an id above ``cursor``, oldest first, with their facts."""
    rows = (PopEvent.select(PopEvent, Call).join(Call)
            .where((PopEvent.agent == agent) & (PopEvent.id > cursor))
            .order_by(PopEvent.id).limit(limit))
    out = []
    for pop in rows:
        call = pop.call
        facts = screen_pop(normalize_caller(call.phone), call.member_id) if call.phone else {}
        out.append({"cursor": pop.id, "call": {"id": call.id, "call_id": call.call_id,
                                               "state": call.state},
                    "pop": facts})
    return out


def latest_cursor(agent: Agent) -> int:
    """Where a freshly opened console starts: after the agent's last pop."""
    last = (PopEvent.select(PopEvent.id).where(PopEvent.agent == agent)
            .order_by(PopEvent.id.desc()).first())
    return last.id if last else 0
