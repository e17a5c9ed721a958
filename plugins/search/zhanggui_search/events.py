"""Domain events that change what the index must hold, turned into queued work.

Only the queue row is written here, inside the caller's transaction: a rolled-back
business action leaves no work behind, and the caller never touches the index.  The
source names are the other plugins' (``members.members``, ...): strings only, no import.
"""
from __future__ import annotations

from .queue.service import enqueue

MEMBERS = "members.members"
TICKETS = "callcenter.tickets"


def member_changed(member_id) -> None:
    enqueue(MEMBERS, [member_id])


def members_merged(source_id, target_id) -> None:
    # the source's document goes (its fetch yields nothing for a merged member);
    # the target's is refreshed with what it took over
    enqueue(MEMBERS, [source_id, target_id])


def member_erased(member_id) -> None:
    enqueue(MEMBERS, [member_id], action="delete", purge=True)


def ticket_changed(ticket) -> None:
    enqueue(TICKETS, [getattr(ticket, "id", ticket)])
