"""Member events (会员活动): sign-ups and attendance check-in with points.

* **Sign-up** is refused (``LoyaltyError`` 409) when the event is closed or over
  (``event_closed``), full (``event_full``), when the member's current tier is not
  among the event's tiers allowed (``tier_not_allowed``; an event with no tiers
  listed is open to every member), or when the member already has a place
  (``already_signed_up``).  The event row is locked first (``SELECT ... FOR UPDATE``
  on PostgreSQL, the immediate transaction on SQLite), so simultaneous sign-ups
  never take more places than there are; the unique index on (event, member) is the
  last guard against a double place.
* **Check-in** needs a place (``not_signed_up``) and is open from two hours before
  the start until twelve hours after the end (``check_in_closed``).  It awards the
  event's attendance points through the ledger under the idempotency key
  ``event:<event id>:member:<member id>:attend`` and stamps the sign-up, in one
  transaction under the member's balance lock: checking in twice awards once and
  answers the first check-in again.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import IntegrityError

from zhanggui import _, database, utcnow, write_transaction

from ..ledger.expiry import expires_at_for
from ..ledger.postings import (entry_key, find_entry, lock_balance, post_credit, post_zero,
                               program_settings)
from ..ledger.redemption import LoyaltyError
from ..models import SIGNUP_CHANNELS, EventSignup, MemberEvent
from ..rules.calculation import split_codes
from ..tiers import service as tiers

CHECK_IN_OPENS = dt.timedelta(hours=2)
CHECK_IN_CLOSES = dt.timedelta(hours=12)
CHANNELS = {code for code, _label in SIGNUP_CHANNELS}


def attendance_key(event_id: int, member_id: int) -> str:
    return entry_key("event", event_id, "member", member_id, "attend")


@dataclass(frozen=True)
class CheckIn:
    signup: EventSignup
    points: int
    balance: int
    entry_id: int | None
    repeated: bool

    def as_dict(self) -> dict:
        return {"event": self.signup.event_id, "member": self.signup.member_id,
                "signup": self.signup.id, "points": self.points, "balance": self.balance,
                "entry": self.entry_id, "already_checked_in": self.repeated,
                "attended_at": self.signup.attended_at.isoformat()}


def signup_dict(signup: EventSignup) -> dict:
    return {"id": signup.id, "event": signup.event_id, "member": signup.member_id,
            "channel": signup.channel, "signed_up_at": signup.signed_up_at.isoformat(),
            "attended_at": signup.attended_at.isoformat() if signup.attended_at else None}


def _locked_event(event_id: int) -> MemberEvent:
    query = MemberEvent.select().where(MemberEvent.id == event_id)
    if getattr(database.obj, "for_update", False):
        query = query.for_update()
    event = query.first()
    if event is None:
        raise LoyaltyError(404, "event_not_found", _("There is no such member event."))
    return event


def allowed(event: MemberEvent, member_id: int) -> bool:
    codes = split_codes(event.allowed_tiers)
    if not codes:
        return True
    tier = tiers.current_tier(member_id)
    return tier is not None and tier.code in codes


def sign_up(event_id: int, member_id: int, channel: str = "console",
            now: dt.datetime | None = None) -> EventSignup:
    """Give ``member_id`` a place at the event (see module doc for the refusals)."""
    if channel not in CHANNELS:
        errors = {"channel": [_("Unknown sign-up channel.")]}
        raise LoyaltyError(422, "invalid", errors)  # type: ignore[arg-type]
    now = now or utcnow()
    try:
        with write_transaction():
            event = _locked_event(event_id)
            if not event.active or event.ends_at <= now:
                raise LoyaltyError(409, "event_closed",
                                   _("This event no longer takes sign-ups."))
            if EventSignup.select().where((EventSignup.event == event.id) &
                                          (EventSignup.member_id == member_id)).exists():
                raise LoyaltyError(409, "already_signed_up",
                                   _("This member already has a place at this event."))
            if not allowed(event, member_id):
                raise LoyaltyError(409, "tier_not_allowed",
                                   _("This event is for members of the tiers %(tiers)s only.",
                                     tiers=", ".join(sorted(split_codes(event.allowed_tiers)))))
            taken = EventSignup.select().where(EventSignup.event == event.id).count()
            if taken >= event.capacity:
                raise LoyaltyError(409, "event_full", _("All places of this event are taken."))
            return EventSignup.create(event=event.id, member_id=member_id, channel=channel,
                                      signed_up_at=now)
    except IntegrityError:  # the same member signing up twice at the same moment
        raise LoyaltyError(409, "already_signed_up",
                           _("This member already has a place at this event.")) from None


def check_in(event_id: int, member_id: int, now: dt.datetime | None = None) -> CheckIn:
    """Mark the member present and award the attendance points once."""
    now = now or utcnow()
    with write_transaction():
        balance = lock_balance(member_id)
        event = MemberEvent.get_or_none(MemberEvent.id == event_id)
        if event is None:
            raise LoyaltyError(404, "event_not_found", _("There is no such member event."))
        signup = EventSignup.get_or_none((EventSignup.event == event.id) &
                                         (EventSignup.member_id == member_id))
        if signup is None:
            raise LoyaltyError(409, "not_signed_up",
                               _("This member has no place at this event."))
        key = attendance_key(event.id, member_id)
        if signup.attended_at is not None:
            entry = find_entry(key)
            return CheckIn(signup, entry.points if entry else 0, balance.balance,
                           entry.id if entry else signup.attendance_entry, True)
        if not event.starts_at - CHECK_IN_OPENS <= now <= event.ends_at + CHECK_IN_CLOSES:
            raise LoyaltyError(409, "check_in_closed",
                               _("Check-in is open from two hours before the event until "
                                 "twelve hours after it ends."))
        fields = dict(source_type="event", source_id=str(event.id), occurred_at=now,
                      store_code=event.store_code, reason=event.title[:200])
        existing = find_entry(key)
        if existing is not None:  # a merge moved an attended place here
            entry = existing
        elif event.attendance_points > 0:
            entry = post_credit(balance, "earn", key, int(event.attendance_points),
                                earned=True,
                                expires_at=expires_at_for(now, program_settings()), **fields)
        else:
            entry = post_zero(balance, "earn", key, **fields)
        (EventSignup.update(attended_at=now, attendance_entry=entry.id)
         .where(EventSignup.id == signup.id).execute())
        signup.attended_at, signup.attendance_entry = now, entry.id
        return CheckIn(signup, entry.points, balance.balance, entry.id, False)


def upcoming_events(member_id: int | None = None, store_codes: set[str] | None = None,
                    now: dt.datetime | None = None, limit: int = 100) -> list[dict]:
    """Open events not over yet, soonest first, with the places left and, for
    ``member_id``, whether that member may sign up (tier allowed, a place left, not
    signed up yet).  ``store_codes`` (``None``: every store) limits the stores."""
    from peewee import fn

    now = now or utcnow()
    query = (MemberEvent.select().where(MemberEvent.active & (MemberEvent.ends_at > now))
             .order_by(MemberEvent.starts_at, MemberEvent.id).limit(limit))
    if store_codes is not None:
        query = query.where(MemberEvent.store_code.in_(sorted(store_codes) or [""]))
    events = list(query)
    ids = [e.id for e in events]
    taken = dict(EventSignup.select(EventSignup.event, fn.COUNT(EventSignup.id))
                 .where(EventSignup.event.in_(ids or [0])).group_by(EventSignup.event).tuples())
    mine = set()
    if member_id is not None:
        mine = {e for (e,) in EventSignup.select(EventSignup.event).where(
            EventSignup.event.in_(ids or [0]) & (EventSignup.member_id == member_id)).tuples()}
    out = []
    for event in events:
        left = max(0, event.capacity - int(taken.get(event.id, 0)))
        row = {"id": event.id, "title": event.title, "store": event.store_code,
               "starts_at": event.starts_at.isoformat(), "ends_at": event.ends_at.isoformat(),
               "capacity": event.capacity, "places_left": left,
               "tiers_allowed": sorted(split_codes(event.allowed_tiers)),
               "attendance_points": event.attendance_points}
        if member_id is not None:
            row["signed_up"] = event.id in mine
            row["may_sign_up"] = event.id not in mine and left > 0 and allowed(event, member_id)
        out.append(row)
    return out
