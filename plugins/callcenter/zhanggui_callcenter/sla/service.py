"""The SLA clock of a ticket: choosing the policy, deadlines in business time,
pausing in waiting states, breaches recorded for good.  Plain functions on a
:class:`~zhanggui_callcenter.tickets.models.Ticket`; the caller saves the ticket
inside its write transaction."""
from __future__ import annotations

import datetime as dt

from ..tickets.models import Ticket
from .calendar import BusinessCalendar
from .models import SlaPolicy, WorkingHours


def _codes(text: str) -> set[str]:
    return {part.strip() for part in (text or "").split(",") if part.strip()}


def policy_for(ticket: Ticket) -> SlaPolicy | None:
    """The first active policy (by ``rank``) whose conditions the ticket meets."""
    for policy in SlaPolicy.select().where(SlaPolicy.active).order_by(SlaPolicy.rank,
                                                                        SlaPolicy.id):
        if all(not allowed or value in allowed for value, allowed in (
                (ticket.kind, _codes(policy.kinds)),
                (ticket.priority, _codes(policy.priorities)),
                (ticket.member_tier, _codes(policy.tiers)))):
            return policy
    return None


def _time(value) -> dt.time:
    """``"09:00"`` (what the console stores); ``"24:00"`` is the end of the day."""
    if isinstance(value, dt.time):
        return value
    if str(value).strip() == "24:00":
        return dt.time.max
    return dt.time.fromisoformat(str(value).strip())


def calendar_of(policy: SlaPolicy) -> BusinessCalendar:
    hours: dict[int, list] = {}
    for row in WorkingHours.select().where(WorkingHours.policy == policy):
        hours.setdefault(row.weekday, []).append((_time(row.starts), _time(row.ends)))
    return BusinessCalendar(hours, region=policy.region, timezone=policy.timezone)


def start_clock(ticket: Ticket, now: dt.datetime) -> None:
    """Set the ticket's policy and both deadlines, counted from ``now``."""
    policy = policy_for(ticket)
    ticket.sla_policy = policy
    if policy is None:
        ticket.response_due_at = ticket.resolution_due_at = None
        return
    cal = calendar_of(policy)
    ticket.response_due_at = cal.add(now, policy.first_response_minutes * 60)
    ticket.resolution_due_at = cal.add(now, policy.resolution_minutes * 60)


def pause(ticket: Ticket, now: dt.datetime) -> None:
    """The ticket waits (for the customer or a third party): the clock stops."""
    if ticket.paused_at is None and ticket.sla_policy_id:
        record_breaches(ticket, now)
        ticket.paused_at = now


def resume(ticket: Ticket, now: dt.datetime) -> None:
    """The wait is over: each open deadline moves by the working time spent waiting."""
    if ticket.paused_at is None:
        return
    if ticket.sla_policy_id:
        cal = calendar_of(ticket.sla_policy)
        for field in ("response_due_at", "resolution_due_at"):
            due = getattr(ticket, field)
            if due is None or (field == "response_due_at" and ticket.first_responded_at):
                continue
            left = cal.seconds_between(ticket.paused_at, due)
            if left > 0:
                setattr(ticket, field, cal.add(now, left))
    ticket.paused_at = None


def record_breaches(ticket: Ticket, now: dt.datetime) -> None:
    """Mark a missed deadline as breached (at the deadline); never cleared."""
    if ticket.paused_at is not None:
        return
    if (ticket.response_due_at and not ticket.response_breached_at
            and (ticket.first_responded_at or now) > ticket.response_due_at):
        ticket.response_breached_at = ticket.response_due_at
    done = ticket.resolved_at or now
    if (ticket.resolution_due_at and not ticket.resolution_breached_at
            and done > ticket.resolution_due_at):
        ticket.resolution_breached_at = ticket.resolution_due_at


def earliest_deadline(ticket: Ticket) -> dt.datetime | None:
    """The next deadline the ticket still has to meet (``None``: none pending)."""
    pending = []
    if ticket.response_due_at and not ticket.first_responded_at:
        pending.append(ticket.response_due_at)
    if ticket.resolution_due_at and not ticket.resolved_at:
        pending.append(ticket.resolution_due_at)
    return min(pending) if pending else None


def elapsed_share(ticket: Ticket, now: dt.datetime) -> float | None:
    """How much of the resolution target is used (0.5 = half; above 1 = overdue),
    in business time; a paused ticket's share stands still."""
    policy = ticket.sla_policy if ticket.sla_policy_id else None
    if policy is None or ticket.resolution_due_at is None or ticket.resolved_at:
        return None
    target = policy.resolution_minutes * 60
    if target <= 0:
        return None
    moment = ticket.paused_at or now
    left = calendar_of(policy).seconds_between(moment, ticket.resolution_due_at)
    return (target - left) / target
