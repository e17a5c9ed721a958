"""Delegation while away: :class:`Delegate` records it, :func:`acting_for` says whom
a user may decide for now (one level: a delegate's own delegations are not
followed)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from zhanggui import _, utcnow, write_transaction

from .. import people
from .errors import KIND, ApprovalError
from .models import Delegation


def acting_for(user_id: int, kind: str, now: dt.datetime | None = None) -> set[int]:
    """The users ``user_id`` may decide for now: themselves and whoever delegated to
    them (one level: a delegate's own delegations are not followed)."""
    now = now or utcnow()
    rows = Delegation.select(Delegation.user_id).where(
        (Delegation.delegate_id == user_id) & (Delegation.starts_at <= now)
        & (Delegation.ends_at > now) & (Delegation.kind.is_null() | (Delegation.kind == kind)))
    return {int(user_id)} | {r.user_id for r in rows}


@dataclass
class Delegate:
    """``user_id`` lets ``delegate_id`` decide for them from ``starts_at`` to
    ``ends_at`` (at most a year), for every kind or only ``kind``."""

    user_id: Any
    delegate_id: Any
    starts_at: Any
    ends_at: Any
    kind: Any = None

    def validate(self):
        messages: dict[str, list[str]] = {}
        if not people.is_active(self.delegate_id):
            messages["delegate"] = [_("The delegate must be an active user.")]
        elif int(self.delegate_id) == int(self.user_id):
            messages["delegate"] = [_("You cannot delegate to yourself.")]
        if not isinstance(self.starts_at, dt.datetime) or self.starts_at.tzinfo is None:
            messages["starts_at"] = [_("Give a start time.")]
        if not isinstance(self.ends_at, dt.datetime) or self.ends_at.tzinfo is None:
            messages["ends_at"] = [_("Give an end time.")]
        elif isinstance(self.starts_at, dt.datetime) and (
                self.ends_at <= self.starts_at
                or self.ends_at - self.starts_at > dt.timedelta(days=366)):
            messages["ends_at"] = [_("The end must come after the start, within a year.")]
        if self.kind not in (None, "") and (not isinstance(self.kind, str)
                                            or not KIND.match(self.kind)):
            messages["kind"] = [_("A request kind is a dotted lower-case name such as "
                                  "suppliers.contract.")]
        if messages:
            raise ApprovalError(messages)

    def run(self) -> Delegation:
        self.validate()
        with write_transaction():
            return Delegation.create(user_id=int(self.user_id),
                                     delegate_id=int(self.delegate_id),
                                     starts_at=self.starts_at, ends_at=self.ends_at,
                                     kind=self.kind or None)
