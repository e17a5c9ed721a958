"""Service tickets as documents for full-text search: subject and description (a
complaint's words), in the ticket's store.  Tickets merged into another offer none;
a ticket without a store is offered under ``-``, found only by users who see every
store (as on the ticket screens)."""
from __future__ import annotations

from zhanggui import SearchDocument, SearchSource, _l

from .models import Ticket

NO_STORE = "-"


def _document(ticket) -> SearchDocument:
    return SearchDocument(
        key=str(ticket.id), title=f"#{ticket.id} {ticket.subject}",
        body=ticket.description or "", url=f"/ticketview/show/{ticket.id}",
        store=ticket.store_code or NO_STORE,
        codes=tuple(x for x in (ticket.purchase_ref, ticket.counter_code) if x))


def _query():
    return Ticket.select().where(Ticket.merged_into.is_null()).order_by(Ticket.id)


def ticket_documents(since):
    query = _query()
    if since is not None:
        query = query.where(Ticket.updated_at >= since)
    for ticket in query.iterator():
        yield _document(ticket)


def ticket_documents_by_key(keys):
    ids = [int(k) for k in keys if str(k).isdigit()]
    for ticket in _query().where(Ticket.id.in_(ids)):
        yield _document(ticket)


def search_sources() -> list[SearchSource]:
    return [SearchSource(name="callcenter.tickets", title=_l("Service tickets"),
                         documents=ticket_documents, fetch=ticket_documents_by_key,
                         count=lambda: _query().count(),
                         permission="can_list on TicketView")]
