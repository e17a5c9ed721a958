"""The call center's answers to the members plugin's personal-data hooks.

* Export: the member's calls (number, times, outcome, notes), tickets with their
  replies, callback tasks and survey answers.
* Erase: caller numbers, call notes and recordings are removed; tickets keep their
  type, dates and SLA facts (the statistics stay true) but lose their text and the
  member link; callback tasks lose their notes.
* Merge: every row of the source member moves to the target.
"""
from __future__ import annotations

from typing import Any

from zhanggui import ExportSection, _l

from .callbacks.models import CallbackTask
from .calls.models import Call
from .satisfaction.models import CsatSurvey
from .tickets.models import Ticket, TicketMessage

ERASED = "[erased]"


def _iso(value):
    return value.isoformat() if value else None


def export_member(member_id: Any) -> list[ExportSection]:
    calls = [{"phone": c.phone, "started_at": _iso(c.started_at), "direction": c.direction,
              "duration_seconds": c.duration_seconds, "outcome": c.outcome, "notes": c.notes,
              "recording_url": c.recording_url}
             for c in Call.select().where(Call.member_id == member_id).order_by(Call.id)]
    tickets = []
    for t in Ticket.select().where(Ticket.member_id == member_id).order_by(Ticket.id):
        tickets.append({"id": t.id, "kind": t.kind, "status": t.status, "subject": t.subject,
                        "description": t.description, "created_at": _iso(t.created_at),
                        "messages": [{"kind": m.kind, "body": m.body,
                                      "created_at": _iso(m.created_at)}
                                     for m in TicketMessage.select()
                                     .where(TicketMessage.ticket == t).order_by(TicketMessage.id)
                                     if m.kind == "reply"]})
    tasks = [{"list": k.callback_list.name, "state": k.state, "outcome": k.outcome,
              "notes": k.notes} for k in CallbackTask.select()
             .where(CallbackTask.member_id == member_id)]
    surveys = [{"ticket": s.ticket_id, "score": s.score, "comment": s.comment}
               for s in CsatSurvey.select().join(Ticket).where(Ticket.member_id == member_id)
               if s.answered_at]
    sections = []
    for name, title, rows in (("callcenter.calls", _l("Calls"), calls),
                              ("callcenter.tickets", _l("Service tickets"), tickets),
                              ("callcenter.callbacks", _l("Callback tasks"), tasks),
                              ("callcenter.surveys", _l("Satisfaction surveys"), surveys)):
        if rows:
            sections.append(ExportSection(name=name, title=title, rows=rows))
    return sections


def erase_member(member_id: Any) -> list[str]:
    calls = (Call.update(phone=None, notes=None, recording_url=None, member_id=None)
             .where(Call.member_id == member_id).execute())
    ticket_ids = [t.id for t in Ticket.select(Ticket.id).where(Ticket.member_id == member_id)]
    if ticket_ids:
        TicketMessage.update(body=ERASED).where(TicketMessage.ticket.in_(ticket_ids)).execute()
        CsatSurvey.update(comment="").where(CsatSurvey.ticket.in_(ticket_ids)).execute()
        Ticket.update(subject=ERASED, description=ERASED, member_id=None,
                      purchase_ref=None).where(Ticket.id.in_(ticket_ids)).execute()
    tasks = (CallbackTask.update(notes="").where(CallbackTask.member_id == member_id)
             .execute())
    return [f"{calls} calls", f"{len(ticket_ids)} tickets", f"{tasks} callback tasks"]


def merge_members(source_id: Any, target_id: Any) -> None:
    Call.update(member_id=target_id).where(Call.member_id == source_id).execute()
    Ticket.update(member_id=target_id).where(Ticket.member_id == source_id).execute()
    held = CallbackTask.select(CallbackTask.callback_list).where(
        CallbackTask.member_id == target_id)
    # a list holding both keeps the target's task; the source's goes
    CallbackTask.delete().where((CallbackTask.member_id == source_id)
                                & CallbackTask.callback_list.in_(held)).execute()
    CallbackTask.update(member_id=target_id).where(CallbackTask.member_id == source_id).execute()
