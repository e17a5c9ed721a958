"""Helpers of the search tests: records in the other plugins, searching as everyone."""
from __future__ import annotations

from zhanggui_search.backends import Scope
from zhanggui_search.keys import sources
from zhanggui_search.querying import search


def everyone() -> Scope:
    return Scope(stores=None, permissions=frozenset(
        {"*"} | {s.permission for s in sources().values() if s.permission}))


def keys(text, scope=None, source=None) -> list[str]:
    """``source:key`` of the hits, best first."""
    return [h.doc_id for h in search(text, scope or everyone(), limit=50,
                                     only=[source] if source else None)]


def store(code, name="Store"):
    from zhanggui_members.profile.models import Store

    return Store.create(code=code, name=name, city="上海", region="华东")


def member(name, phone=None, card=None, home=None):
    from zhanggui_members.profile.services import register_member

    return register_member(name=name, phone=phone, card_no=card, home_store=home)


def ticket(subject, description, store_code=None):
    from zhanggui_callcenter.tickets.models import Ticket

    return Ticket.create(kind="complaint", subject=subject, description=description,
                         store_code=store_code)
