"""Loyalty's answers to the members plugin's personal-data hooks: export, erase, merge.

Loyalty stores no names or phone numbers: members are integer ids.  What can carry
personal data is free text staff type (an adjustment's or a redemption's reason) and
event sign-ups (who went where and when).

* **Export** (``zhanggui_export_member``): the balance, every ledger entry, the tier
  history and the event sign-ups.
* **Erase** (``zhanggui_erase_member``): ledger amounts stay (the books must add up),
  de-identified: the free-text reasons of the member's ledger entries and
  redemptions are replaced by a marker; the member's sign-ups lose their member id
  and channel (the place stays counted, nobody can tell whose it was).
* **Merge** (``zhanggui_merge_members``), inside the members plugin's merge
  transaction: both balance rows are locked (lowest id first, so two merges never
  deadlock); the source's ledger entries, open lots, pending points, redemptions,
  refund reviews, expiry notices, tier history and sign-ups move to the target; the
  target's cached balance, pending and lifetime figures become the sums; a debt of
  one member is settled from the other's open points, as a new credit would be;
  the tier is re-evaluated (never below the better of the two tiers held).
"""
from __future__ import annotations

from typing import Any

from peewee import JOIN, fn

from zhanggui import ExportSection, _l, utcnow, write_transaction

from .ledger.postings import lock_balance
from .ledger.queries import entry_dict
from .models import (EventSignup, ExpiryNotice, MemberBalance, MemberTier, PointsAllocation,
                     PointsLedgerEntry, PointsLot, Redemption, RefundReview, TierHistory)
from .tiers import service as tiers

ERASED = "[erased]"


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def export_member(member_id: int) -> list[ExportSection]:
    """The member's loyalty data as plain JSON-able rows (empty if there is none)."""
    balance = MemberBalance.get_or_none(MemberBalance.member_id == member_id)
    entries = [entry_dict(e) for e in PointsLedgerEntry.select()
               .where(PointsLedgerEntry.member_id == member_id).order_by(PointsLedgerEntry.id)]
    history = [{"from_tier": h.from_tier, "to_tier": h.to_tier, "reason": h.reason,
                "qualifying_value": str(h.qualifying_value), "changed_at": _iso(h.changed_at)}
               for h in TierHistory.select().where(TierHistory.member_id == member_id)
               .order_by(TierHistory.id)]
    signups = [{"event": s.event.title, "starts_at": _iso(s.event.starts_at),
                "store": s.event.store_code, "channel": s.channel,
                "signed_up_at": _iso(s.signed_up_at), "attended_at": _iso(s.attended_at)}
               for s in EventSignup.select().where(EventSignup.member_id == member_id)
               .order_by(EventSignup.id)]
    if balance is None and not entries and not history and not signups:
        return []
    summary = {"balance": balance.balance if balance else 0,
               "pending": balance.pending if balance else 0,
               "lifetime_earned": balance.lifetime_earned if balance else 0,
               "tier": getattr(tiers.current_tier(member_id), "code", None)}
    return [ExportSection(name="loyalty.points", title=_l("Points and tier"), rows=[summary]),
            ExportSection(name="loyalty.ledger", title=_l("Points ledger"), rows=entries),
            ExportSection(name="loyalty.tier_history", title=_l("Tier history"), rows=history),
            ExportSection(name="loyalty.event_signups", title=_l("Event sign-ups"),
                          rows=signups)]


def erase_member(member_id: int) -> list[str]:
    """De-identify the member's loyalty data (see module doc); safe to run twice."""
    with write_transaction():
        reasons = (PointsLedgerEntry.update(reason=ERASED)
                   .where((PointsLedgerEntry.member_id == member_id) &
                          PointsLedgerEntry.reason.is_null(False) &
                          (PointsLedgerEntry.source_type != "event")).execute())
        redemptions = (Redemption.update(reason=ERASED)
                       .where((Redemption.member_id == member_id) &
                              Redemption.reason.is_null(False)).execute())
        signups = (EventSignup.update(member_id=None, channel="console")
                   .where(EventSignup.member_id == member_id).execute())
    return [f"{reasons} ledger reason(s) and {redemptions} redemption reason(s) removed",
            f"{signups} event sign-up(s) de-identified"]


def _uncovered_debts(member_id: int) -> list[tuple[int, int]]:
    """(debit id, points still owed) of the member's debts, oldest first."""
    E, A = PointsLedgerEntry, PointsAllocation
    covered = fn.COALESCE(fn.SUM(A.points), 0)
    rows = (E.select(E.id, E.points, covered.alias("covered"))
            .join(A, JOIN.LEFT_OUTER, on=(A.debit == E.id))
            .where((E.member_id == member_id) & (E.points < 0))
            .group_by(E.id, E.points).having((E.points + covered) < 0).order_by(E.id))
    return [(row.id, -row.points - int(row.covered)) for row in rows]


def _settle(member_id: int) -> None:
    """Pay the member's open debts from open lots, closest to expiry first: after a
    merge one side may owe points the other side holds."""
    debts = _uncovered_debts(member_id)
    if not debts:
        return
    lots = list(PointsLot.select().where(PointsLot.member_id == member_id)
                .order_by(PointsLot.expires_at.is_null(), PointsLot.expires_at, PointsLot.credit))
    for debit_id, owed in debts:
        while owed > 0 and lots:
            lot = lots[0]
            take = min(owed, lot.remaining)
            PointsAllocation.create(debit=debit_id, credit=lot.credit_id, points=take)
            owed -= take
            lot.remaining -= take
            if lot.remaining == 0:
                PointsLot.delete().where(PointsLot.credit == lot.credit_id).execute()
                lots.pop(0)
            else:
                (PointsLot.update(remaining=lot.remaining)
                 .where(PointsLot.credit == lot.credit_id).execute())


def _move_signups(source_id: int, target_id: int) -> None:
    """Move sign-ups; where both had a place at one event keep one, attended if either
    attended (so the person cannot check in, and earn, a second time)."""
    for signup in list(EventSignup.select().where(EventSignup.member_id == source_id)):
        twin = EventSignup.get_or_none((EventSignup.event == signup.event_id) &
                                       (EventSignup.member_id == target_id))
        if twin is None:
            EventSignup.update(member_id=target_id).where(EventSignup.id == signup.id).execute()
        elif twin.attended_at is None and signup.attended_at is not None:
            EventSignup.delete().where(EventSignup.id == twin.id).execute()
            EventSignup.update(member_id=target_id).where(EventSignup.id == signup.id).execute()
        else:
            EventSignup.delete().where(EventSignup.id == signup.id).execute()


def merge_members(source_id: int, target_id: int) -> None:
    """Move everything of ``source_id`` to ``target_id`` (see module doc)."""
    source_id, target_id = int(source_id), int(target_id)
    if source_id == target_id:
        return
    with write_transaction():
        first, second = sorted((source_id, target_id))
        locked = {first: lock_balance(first), second: lock_balance(second)}
        source, target = locked[source_id], locked[target_id]
        for model in (PointsLedgerEntry, PointsLot, Redemption, RefundReview, TierHistory):
            model.update(member_id=target_id).where(model.member_id == source_id).execute()
        target_days = ExpiryNotice.select(ExpiryNotice.expires_on) \
            .where(ExpiryNotice.member_id == target_id)
        ExpiryNotice.delete().where((ExpiryNotice.member_id == source_id) &
                                    ExpiryNotice.expires_on.in_(target_days)).execute()
        ExpiryNotice.update(member_id=target_id).where(ExpiryNotice.member_id == source_id) \
            .execute()
        _move_signups(source_id, target_id)
        (MemberBalance.update(balance=target.balance + source.balance,
                              pending=target.pending + source.pending,
                              lifetime_earned=target.lifetime_earned + source.lifetime_earned,
                              updated_at=utcnow())
         .where(MemberBalance.member_id == target_id).execute())
        MemberBalance.delete().where(MemberBalance.member_id == source_id).execute()
        _settle(target_id)
        _merge_tier(source_id, target_id)


def _merge_tier(source_id: int, target_id: int) -> None:
    states = {s.member_id: s for s in MemberTier.select()
              .where(MemberTier.member_id.in_([source_id, target_id]))}
    held = [s.tier for s in states.values() if s.tier_id is not None]
    last = max((s.last_purchase_at for s in states.values() if s.last_purchase_at),
               default=None)
    target_state = states.get(target_id)
    if source_id in states:
        MemberTier.delete().where(MemberTier.member_id == source_id).execute()
    if target_state is None:
        target_state = MemberTier.create(member_id=target_id, tier=None, since=utcnow(),
                                         last_purchase_at=last)
    else:
        (MemberTier.update(last_purchase_at=last)
         .where(MemberTier.member_id == target_id).execute())
    best, value = tiers.best_tier(target_id, utcnow())
    candidates = held + ([best] if best is not None else [])
    chosen = max(candidates, key=lambda t: t.rank, default=None)
    current = target_state.tier if target_state.tier_id is not None else None
    if chosen is not None and (current is None or chosen.rank != current.rank):
        target_state = MemberTier.get(MemberTier.member_id == target_id)
        tiers.move(target_id, target_state, chosen, "merge", value, f"member:{source_id}",
                   utcnow())
