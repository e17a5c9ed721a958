"""Publishing bulletins, who their readers are, and read receipts.

A reader is an active console user holding one of the bulletin's roles (any role
when it names none) who works for one of its stores (users who reach every store
always qualify; when it names no store, everyone does).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import peewee

from zhanggui import _, utcnow, write_transaction

from .. import people
from .models import Bulletin, BulletinRead

KIND = "office.bulletin"


class BulletinError(ValueError):
    def __init__(self, messages: dict[str, list[str]]):
        super().__init__("; ".join(" ".join(v) for v in messages.values()))
        self.messages = messages


def _codes(values, limit=40) -> list[str] | None:
    items = [v.strip() for v in (values or []) if isinstance(v, str) and v.strip()]
    if len(items) > limit or any(len(v) > 60 or "," in v or "\x00" in v for v in items):
        return None
    return sorted(set(items))


def is_reader(bulletin: Bulletin, user_id: int) -> bool:
    roles, stores = bulletin.role_list(), bulletin.store_list()
    if roles and not (people.role_names(user_id) & set(roles)):
        return False
    if stores:
        reach = people.stores_of(user_id)
        return reach is None or bool(reach & set(stores))
    return True


def readers(bulletin: Bulletin) -> list[int]:
    from flask import current_app

    sm = current_app.appbuilder.sm
    ids = [u.id for u in sm.session.query(sm.user_model)
           .filter(sm.user_model.active.is_(True)).all()]
    return [uid for uid in ids if uid != bulletin.author_id and is_reader(bulletin, uid)]


@dataclass
class PublishBulletin:
    author_id: Any
    title: Any
    body: Any
    roles: Any = ()
    stores: Any = ()
    urgent: bool = False

    def validate(self):
        messages: dict[str, list[str]] = {}
        if not isinstance(self.title, str) or not self.title.strip() \
                or len(self.title) > 200 or "\x00" in self.title:
            messages["title"] = [_("Give a title of at most 200 characters.")]
        if not isinstance(self.body, str) or not self.body.strip() \
                or len(self.body) > 20000 or "\x00" in self.body:
            messages["body"] = [_("Give the text, at most 20,000 characters.")]
        roles = _codes(self.roles)
        if roles is None or any(not people.role_exists(r) for r in roles):
            messages["roles"] = [_("Choose existing roles.")]
        stores = _codes(self.stores)
        if stores is None:
            messages["stores"] = [_("Give store codes separated by commas.")]
        if messages:
            raise BulletinError(messages)
        return roles, stores

    def run(self) -> Bulletin:
        from zhanggui.notifications import notify

        roles, stores = self.validate()
        with write_transaction():
            bulletin = Bulletin.create(
                title=self.title.strip(), body=self.body.strip(),
                roles="," + ",".join(roles) + "," if roles else "",
                stores="," + ",".join(stores) + "," if stores else "",
                urgent=bool(self.urgent), author_id=int(self.author_id),
                author_name=people.user_name(self.author_id), published_at=utcnow())
            audience = readers(bulletin)
            Bulletin.update(audience_size=len(audience)).where(Bulletin.id == bulletin.id) \
                .execute()
            notify(audience, KIND, bulletin.title, bulletin.body[:500],
                   url=f"/office/bulletins/read/{bulletin.id}", urgent=bulletin.urgent)
        return Bulletin.get_by_id(bulletin.id)


def mark_read(bulletin: Bulletin, user_id: int) -> bool:
    """Record that ``user_id`` read it (once); ``False`` when they are no reader."""
    if not is_reader(bulletin, user_id) and bulletin.author_id != user_id:
        return False
    with write_transaction():
        try:
            BulletinRead.insert(bulletin=bulletin, user_id=user_id, read_at=utcnow()) \
                .on_conflict_ignore().execute()
        except peewee.IntegrityError:
            pass
    return True


def for_user(user_id: int, limit: int = 100) -> list[Bulletin]:
    rows = Bulletin.select().order_by(Bulletin.published_at.desc()).limit(500)
    return [b for b in rows if b.author_id == user_id or is_reader(b, user_id)][:limit]


def receipts(bulletin: Bulletin) -> list[tuple[str, Any]]:
    """Each reader's name and when they read it (``None``: not yet)."""
    read = {r.user_id: r.read_at for r in bulletin.reads}
    return sorted(((people.user_name(uid), read.get(uid)) for uid in readers(bulletin)),
                  key=lambda x: (x[1] is None, x[0]))
