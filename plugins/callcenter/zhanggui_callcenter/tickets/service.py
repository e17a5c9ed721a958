"""Ticket commands: open, reply or note, change status, assign, merge duplicates.

Each is a command object: ``validate()`` collects field messages (translated),
``run()`` validates and writes in one write transaction; no Flask request in sight.
Opening a ticket starts its SLA clock; waiting states pause it; a negative first
message escalates it at once (:mod:`zhanggui_callcenter.escalation`).
"""
from __future__ import annotations

from typing import Any

from zhanggui import _, utcnow, write_transaction

from ..calls.models import Agent, Team
from ..members import member_summary
from ..sla import service as sla
from .models import (CHANNELS, DONE, KINDS, PRIORITIES, STATUSES, WAITING, Ticket,
                     TicketAttachment, TicketMessage)


class TicketError(ValueError):
    def __init__(self, messages: dict[str, list[str]]):
        super().__init__(messages)
        self.messages = messages


def _text(value: Any, limit: int) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    if "\x00" in text:
        raise ValueError(_("Text may not contain NUL characters."))
    if len(text) > limit:
        raise ValueError(_("At most %(n)s characters.", n=limit))
    return text


class Command:
    def __init__(self, **fields: Any):
        self.fields = fields
        self.errors: dict[str, list[str]] = {}
        self.clean: dict[str, Any] = {}

    def _field(self, name: str, limit: int, required: bool = False) -> None:
        try:
            value = _text(self.fields.get(name), limit)
        except ValueError as exc:
            self.errors.setdefault(name, []).append(str(exc))
            return
        if required and not value:
            self.errors.setdefault(name, []).append(_("This field is required."))
        self.clean[name] = value or None

    def _choice(self, name: str, choices, default: str | None = None) -> None:
        value = self.fields.get(name) or default
        if value not in {code for code, _label in choices}:
            self.errors.setdefault(name, []).append(_("Not a valid choice."))
        self.clean[name] = value

    def run(self):
        self.validate()
        if self.errors:
            raise TicketError(self.errors)
        with write_transaction():
            return self.execute()


class OpenTicket(Command):
    """Open a ticket; ``kind``, ``subject`` required; member, purchase, call optional."""

    def validate(self) -> None:
        self._choice("kind", KINDS)
        self._choice("priority", PRIORITIES, "normal")
        self._choice("channel", CHANNELS, "phone")
        self._field("subject", 200, required=True)
        self._field("description", 10000)
        for name in ("purchase_ref", "store_code", "counter_code"):
            self._field(name, 64 if name == "purchase_ref" else 20)
        member_id = self.fields.get("member_id")
        if member_id not in (None, ""):
            try:
                self.clean["member_id"] = int(member_id)
            except (TypeError, ValueError):
                self.errors.setdefault("member_id", []).append(_("Not a member id."))

    def execute(self) -> Ticket:
        now = self.fields.get("now") or utcnow()
        summary = member_summary(self.clean.get("member_id"))
        tier = ((summary.get("loyalty") or {}).get("tier") or {}).get("code")
        ticket = Ticket(kind=self.clean["kind"], priority=self.clean["priority"],
                        channel=self.clean["channel"], subject=self.clean["subject"],
                        description=self.clean.get("description") or "",
                        member_id=self.clean.get("member_id"), member_tier=tier,
                        purchase_ref=self.clean.get("purchase_ref"),
                        store_code=self.clean.get("store_code"),
                        counter_code=self.clean.get("counter_code"),
                        call=self.fields.get("call_id"), created_at=now, updated_at=now)
        assignee = self.fields.get("assignee")
        if assignee is not None:
            ticket.assignee = assignee
            ticket.team = assignee.team_id
        sla.start_clock(ticket, now)
        ticket.save(force_insert=True)
        from ..escalation.service import escalate_if_negative

        escalate_if_negative(ticket, f"{ticket.subject}\n{ticket.description}", now)
        return ticket


class AddMessage(Command):
    """A reply to the customer (the first one answers the first-response target) or an
    internal note (does not)."""

    def __init__(self, ticket: Ticket, kind: str, body: Any, author_user_id=None,
                 author_name: str = "", now=None):
        super().__init__(body=body, kind=kind)
        self.ticket, self.author_user_id, self.author_name = ticket, author_user_id, author_name
        self.now = now

    def validate(self) -> None:
        self._choice("kind", (("reply", ""), ("note", "")))
        self._field("body", 10000, required=True)
        if self.ticket.status in ("closed", "merged"):
            self.errors.setdefault("body", []).append(_("This ticket is closed."))

    def execute(self) -> TicketMessage:
        now = self.now or utcnow()
        ticket = Ticket.get_by_id(self.ticket.id)
        message = TicketMessage.create(ticket=ticket, kind=self.clean["kind"],
                                       body=self.clean["body"], created_at=now,
                                       author_user_id=self.author_user_id,
                                       author_name=self.author_name or "")
        if self.clean["kind"] == "reply" and ticket.first_responded_at is None:
            ticket.first_responded_at = now
            sla.record_breaches(ticket, now)
        if ticket.status == "new":
            ticket.status = "open"
        ticket.updated_at = now
        ticket.save()
        self.ticket = ticket
        return message


class ChangeStatus(Command):
    """Move the ticket to ``status``; waiting states pause the SLA clock."""

    def __init__(self, ticket: Ticket, status: str, now=None):
        super().__init__(status=status)
        self.ticket, self.now = ticket, now

    def validate(self) -> None:
        self._choice("status", [s for s in STATUSES if s[0] != "merged"])
        if self.ticket.status in ("closed", "merged"):
            self.errors.setdefault("status", []).append(_("This ticket is closed."))

    def execute(self) -> Ticket:
        now = self.now or utcnow()
        ticket = Ticket.get_by_id(self.ticket.id)
        new = self.clean["status"]
        if new in WAITING:
            sla.pause(ticket, now)
        else:
            sla.resume(ticket, now)
        if new in DONE and ticket.resolved_at is None:
            ticket.resolved_at = now
            sla.record_breaches(ticket, now)
        elif new not in DONE:
            ticket.resolved_at = None
        if new == "closed":
            ticket.closed_at = now
        ticket.status = new
        ticket.updated_at = now
        ticket.save()
        if new == "closed":
            from ..satisfaction.service import send_survey

            send_survey(ticket)
        self.ticket = ticket
        return ticket


class AssignTicket(Command):
    def __init__(self, ticket: Ticket, agent: Agent | None = None, team: Team | None = None):
        super().__init__()
        self.ticket, self.agent, self.team = ticket, agent, team

    def validate(self) -> None:
        if self.agent is None and self.team is None:
            self.errors["assignee"] = [_("Choose an agent or a team.")]

    def execute(self) -> Ticket:
        ticket = Ticket.get_by_id(self.ticket.id)
        if self.agent is not None:
            ticket.assignee = self.agent
            ticket.team = self.agent.team_id or (self.team.id if self.team else ticket.team_id)
        elif self.team is not None:
            ticket.team = self.team
        ticket.updated_at = utcnow()
        ticket.save()
        return ticket


class MergeTickets(Command):
    """Fold duplicate ``source`` into ``target``: its messages move, it is left as
    ``merged`` pointing at the target, and no longer counts as open or as a complaint."""

    def __init__(self, source: Ticket, target: Ticket):
        super().__init__()
        self.source, self.target = source, target

    def validate(self) -> None:
        if self.source.id == self.target.id:
            self.errors["target"] = [_("A ticket cannot be merged into itself.")]
        elif self.target.status == "merged" or self.source.status == "merged":
            self.errors["target"] = [_("This ticket was already merged.")]

    def execute(self) -> Ticket:
        now = utcnow()
        moved = (TicketMessage.update(ticket=self.target.id)
                 .where(TicketMessage.ticket == self.source.id).execute())
        TicketAttachment.update(ticket=self.target.id).where(
            TicketAttachment.ticket == self.source.id).execute()
        TicketMessage.create(ticket=self.target.id, kind="note", created_at=now,
                             body=_("Ticket #%(id)s merged into this one (%(n)s messages).",
                                    id=self.source.id, n=moved))
        Ticket.update(status="merged", merged_into=self.target.id, updated_at=now,
                      paused_at=None).where(Ticket.id == self.source.id).execute()
        return Ticket.get_by_id(self.target.id)
