"""Store scope of the loyalty API: which members and stores a caller may reach.

The rule is the member 360° view's and the POS API's (``zhanggui.console.scope``):
a store-scoped caller (Store manager, Store staff, a till's key bound to a store)
reaches a member only when the member's home store is one of the caller's stores,
and books points only at those stores.  A member out of reach is answered exactly
like a member that does not exist (404 ``member_not_found``), so the sequential ids
of other stores' members reveal nothing; a store out of reach is 403, an unknown
store 422 with a field message.  ``codes`` is the caller's store codes, ``None``
for every store.
"""
from __future__ import annotations

from zhanggui import _, plugins
from zhanggui.console.audit import record
from zhanggui.console.scope import known_stores, member_reachable

from .ledger.redemption import LoyaltyError


def _not_found() -> LoyaltyError:
    return LoyaltyError(404, "member_not_found", _("No member has this phone or card."))


def reachable_member(member_id, codes: set[str] | None) -> int:
    """``member_id`` when it names a member within ``codes``; 404 otherwise."""
    if not member_reachable(member_id, codes):
        raise _not_found()
    return int(member_id)


def find_reachable_member(phone: str | None, card: str | None,
                          codes: set[str] | None) -> int:
    """The id of the member with this phone or card, within ``codes``; 404 otherwise."""
    member_id = plugins().call_first("zhanggui_find_member", phone=phone, card=card)
    if member_id is None:
        raise _not_found()
    return reachable_member(member_id, codes)


def check_store(code: str, codes: set[str] | None) -> str:
    """``code`` when it is a store of the chain within ``codes``: 422 for an unknown
    store, 403 for another store's."""
    if code not in known_stores():
        raise LoyaltyError(422, "invalid", {"store": [  # type: ignore[arg-type]
            _("No store has the code %(code)s.", code=code)]})
    if codes is not None and code not in codes:
        raise LoyaltyError(403, "store_forbidden",
                           _("You may not book points for store %(code)s.", code=code))
    return code


#: the fields of a member's points a read shows (audited by name, never by value)
POINTS_FIELDS = ("balance", "pending", "lifetime_earned", "tier", "next_tier",
                 "expiring", "entries")


def audit_points_read(member_id: int) -> None:
    """Write that the signed-in user read the member's balance and ledger."""
    record("view", "loyalty_member_balance", pk=member_id, fields=POINTS_FIELDS)
