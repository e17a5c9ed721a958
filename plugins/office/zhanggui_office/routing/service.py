"""Routing a document: :class:`SendDocument` and :func:`act`.

The document sits with one person at a time (``current_position``).  Only that
person acts, under the document's row lock (``FOR UPDATE`` on PostgreSQL,
``BEGIN IMMEDIATE`` on SQLite): *sign* passes it to the next person (or finishes
it), *return* sends it back to the sender with a reason and ends the round.  The
trail (``office_routing_event``, one row per stop, unique) keeps who did what when.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from zhanggui import _, database, utcnow, write_transaction
from zhanggui.db import backend

from .. import people
from .models import RoutedDocument, RoutingEvent, RoutingStop

KIND = "office.routing"


class RoutingError(ValueError):
    def __init__(self, messages: dict[str, list[str]]):
        super().__init__("; ".join(" ".join(v) for v in messages.values()))
        self.messages = messages


def _tell(user_ids, title, document_id, urgent=False):
    from zhanggui.notifications import notify

    notify(user_ids, KIND, title, url=f"/routeddocumentview/show/{document_id}", urgent=urgent)


@dataclass
class SendDocument:
    sender: Any
    title: Any
    body: Any
    route: Any                  # user ids in order
    store_code: Any = None

    def validate(self) -> list[int]:
        messages: dict[str, list[str]] = {}
        if not isinstance(self.title, str) or not self.title.strip() \
                or len(self.title) > 200 or "\x00" in self.title:
            messages["title"] = [_("Give a title of at most 200 characters.")]
        if not isinstance(self.body, str) or not self.body.strip() or len(self.body) > 50000 \
                or "\x00" in self.body:
            messages["body"] = [_("Give the text, at most 50,000 characters.")]
        route = []
        for value in self.route or []:
            try:
                route.append(int(value))
            except (TypeError, ValueError):
                route.append(0)
        if not route or len(route) > 30 or not all(people.is_active(u) for u in route) \
                or len(set(route)) != len(route):
            messages["route"] = [_("Choose one to thirty different active users, in order.")]
        if messages:
            raise RoutingError(messages)
        return route

    def run(self) -> RoutedDocument:
        route = self.validate()
        with write_transaction():
            document = RoutedDocument.create(
                title=self.title.strip(), body=self.body.strip(),
                store_code=self.store_code or None, sender_id=int(self.sender),
                sender_name=people.user_name(self.sender), current_position=1)
            for position, user_id in enumerate(route, 1):
                RoutingStop.create(document=document, position=position, user_id=user_id)
            _tell([route[0]], _("Document to sign off: %(title)s", title=document.title),
                  document.id)
        return document


def act(document_id: Any, user_id: int, action: Any, comment: Any = "") -> RoutedDocument:
    if action not in ("sign", "return"):
        raise RoutingError({"action": [_("Choose sign off or return.")]})
    if not isinstance(comment, str) or len(comment) > 2000 or "\x00" in comment:
        raise RoutingError({"comment": [_("A comment may have at most %(n)s characters.",
                                          n=2000)]})
    if action == "return" and not comment.strip():
        raise RoutingError({"comment": [_("Say why the document goes back.")]})
    now = utcnow()
    with write_transaction():
        query = RoutedDocument.select().where(RoutedDocument.id == document_id)
        if backend(database) != "sqlite":
            query = query.for_update()
        document = query.first()
        if document is None:
            raise RoutingError({"document": [_("No such document.")]})
        if document.status != "routing":
            raise RoutingError({"document": [_("This document is no longer being routed.")]})
        stop = RoutingStop.get((RoutingStop.document == document.id)
                               & (RoutingStop.position == document.current_position))
        if stop.user_id != int(user_id):
            raise RoutingError({"document": [_("The document is not with you.")]})
        RoutingEvent.create(document=document, position=stop.position, user_id=stop.user_id,
                            user_name=people.user_name(user_id), action=action,
                            comment=comment.strip(), at=now)
        following = RoutingStop.get_or_none((RoutingStop.document == document.id)
                                            & (RoutingStop.position == stop.position + 1))
        if action == "sign" and following is not None:
            RoutedDocument.update(current_position=following.position) \
                .where(RoutedDocument.id == document.id).execute()
            _tell([following.user_id], _("Document to sign off: %(title)s",
                                         title=document.title), document.id)
        else:
            status = "signed" if action == "sign" else "returned"
            RoutedDocument.update(status=status, finished_at=now, current_position=None) \
                .where(RoutedDocument.id == document.id).execute()
            _tell([document.sender_id], _("Signed off by all: %(title)s", title=document.title)
                  if status == "signed" else _("Returned: %(title)s", title=document.title),
                  document.id)
    return RoutedDocument.get_by_id(document.id)
