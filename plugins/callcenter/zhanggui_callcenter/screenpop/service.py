"""The screen pop: everything the agent needs about a caller, on one screen.

:func:`screen_pop` gathers the facts for a number (member via
``zhanggui_find_member``, profile, tier, points, last purchases and consent via
``zhanggui_member_summary``, the call center's own open tickets and recent calls).
:func:`offer_pop` writes a :class:`PopEvent` for the agent whose extension rings;
:func:`pops_after` is what that agent's browser asks for with its cursor.
"""
from __future__ import annotations

from typing import Any

from zhanggui import database

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


_COMPILED: dict[tuple, tuple] = {}
_PROBE_ID = -7_346_582_901_234
_PROBE_PHONE = "\x00probe-phone\x00"


def _fetch(name: str, build, value) -> list[dict[str, Any]]:
    """Run a select compiled once per database kind (compiling it cost more than
    running it, on every incoming call)."""
    db = database.obj
    key = (name, type(db), db.param, db.quote)
    hit = _COMPILED.get(key)
    if hit is None:
        sql, params = build().sql()
        hit = _COMPILED[key] = (sql, [p in (_PROBE_ID, _PROBE_PHONE) for p in params],
                                list(params))
    sql, probes, params = hit
    cursor = db.execute_sql(sql, [value if probe else p for probe, p in zip(probes, params)])
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row)) for row in cursor.fetchall()]


def _ticket_columns():
    return Ticket.select(Ticket.id, Ticket.kind, Ticket.priority, Ticket.status,
                         Ticket.subject, Ticket.resolution_due_at, Ticket.created_at)


def _member_tickets():
    return (_ticket_columns().where((Ticket.member_id == _PROBE_ID)
                                    & Ticket.status.not_in(DONE))
            .order_by(Ticket.id.desc()).limit(OPEN_TICKETS))


def _phone_tickets():
    return (_ticket_columns().join(Call).where((Call.phone == _PROBE_PHONE)
                                               & Ticket.status.not_in(DONE))
            .order_by(Ticket.id.desc()).limit(OPEN_TICKETS))


def _calls():
    return (Call.select(Call.id, Call.started_at, Call.state, Call.outcome,
                        Call.duration_seconds)
            .where(Call.phone == _PROBE_PHONE).order_by(Call.started_at.desc())
            .limit(RECENT_CALLS))


def _iso_of(field, value):
    value = field.python_value(value)
    return value.isoformat() if value else None


def open_tickets(member_id: Any = None, phone: str | None = None) -> list[dict[str, Any]]:
    """The member's open tickets (or, for a caller who is no member, the open tickets
    of earlier calls from the number)."""
    if member_id is not None:
        rows = _fetch("member_tickets", _member_tickets, int(member_id))
    elif phone:
        rows = _fetch("phone_tickets", _phone_tickets, phone)
    else:
        return []
    for row in rows:
        row["resolution_due_at"] = _iso_of(Ticket.resolution_due_at, row["resolution_due_at"])
        row["created_at"] = _iso_of(Ticket.created_at, row["created_at"])
    return rows


def recent_calls(phone: str) -> list[dict[str, Any]]:
    rows = _fetch("calls", _calls, phone)
    for row in rows:
        row["started_at"] = _iso_of(Call.started_at, row["started_at"])
    return rows


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
