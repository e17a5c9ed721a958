"""Members as documents for full-text search (``zhanggui_search_sources``).

A member is found by name (characters, pinyin, initials), card number and the last
four digits of the phone; the search index keeps that suffix only as a keyed hash.
Merged and erased members offer no document, so the index drops them.  A member
without a home store is offered under the store code ``-``, which no user is assigned:
like the member screens, only users who see every store find them.
"""
from __future__ import annotations

import peewee

from zhanggui import SearchDocument, SearchSource, _l

from .models import Member, Store

NO_STORE = "-"


def _query():
    return (Member.select(Member.id, Member.name, Member.card_no, Member.phone_last4,
                          Store.code, Store.name, Store.city)
            .join(Store, peewee.JOIN.LEFT_OUTER, on=(Member.home_store == Store.id))
            .where(Member.merged_into.is_null() & Member.erased_at.is_null())
            .order_by(Member.id))


def _document(member) -> SearchDocument:
    store = getattr(member, "home_store", None)
    body = " ".join(x for x in (store.name, store.city) if x) if store and store.code else ""
    return SearchDocument(
        key=str(member.id), title=member.name or f"#{member.id}", body=body,
        url=f"/memberview/show/{member.id}",
        store=store.code if store and store.code else NO_STORE,
        names=(member.name,) if member.name else (),
        codes=(member.card_no,) if member.card_no else (),
        phone_suffixes=(member.phone_last4,) if member.phone_last4 else ())


def member_documents(since):
    query = _query()
    if since is not None:
        query = query.where(Member.joined_at >= since)
    for member in query.iterator():
        yield _document(member)


def member_documents_by_key(keys):
    ids = [int(k) for k in keys if str(k).isdigit()]
    for member in _query().where(Member.id.in_(ids)):
        yield _document(member)


def member_count() -> int:
    return (Member.select().where(Member.merged_into.is_null() & Member.erased_at.is_null())
            .count())


def search_sources() -> list[SearchSource]:
    return [SearchSource(name="members.members", title=_l("Members"),
                         documents=member_documents, fetch=member_documents_by_key,
                         count=member_count, permission="can_list on MemberView")]
