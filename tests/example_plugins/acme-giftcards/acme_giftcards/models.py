"""Gift cards and the rules that change their balance (no Flask request in sight)."""
import secrets
from decimal import Decimal

import peewee

from zhanggui import (ApiError, MemberRef, Model, MoneyField, UTCDateTimeField, _, _l,
                      utcnow, write_transaction)

ISSUE_FROM = Decimal("1000.00")  # a POS sale of at least this earns the member a card
CARD_VALUE = Decimal("50.00")


class GiftCard(Model):
    code = peewee.CharField(max_length=20, unique=True, verbose_name=_l("Card code"))
    member = MemberRef(null=True, verbose_name=_l("Card holder"))
    balance = MoneyField(verbose_name=_l("Card balance"))
    currency = peewee.CharField(max_length=3, default="CNY", verbose_name=_l("Card currency"))
    source = peewee.CharField(max_length=64, null=True, unique=True, verbose_name=_l("Issued for"))
    issued_at = UTCDateTimeField(default=utcnow, verbose_name=_l("Issued at"))

    class Meta:
        table_name = "acme_giftcards_card"
        verbose_name = _l("Gift cards")

    def __str__(self):
        return self.code


def issue_for_purchase(purchase) -> None:
    """One card per qualifying sale: the sale's id makes a replayed event harmless."""
    if purchase.member_id is not None and purchase.total >= ISSUE_FROM:
        GiftCard.insert(code=secrets.token_hex(6).upper(), member=purchase.member_id,
                        balance=CARD_VALUE, currency=purchase.currency,
                        source=f"purchase:{purchase.purchase_id}").on_conflict_ignore().execute()


def find_card(code: str) -> GiftCard:
    card = GiftCard.get_or_none(GiftCard.code == code)
    if card is None:
        raise ApiError(404, "card_not_found", _("No gift card has this code."))
    return card


def redeem(code: str, amount: Decimal) -> GiftCard:
    """Spend ``amount`` in one conditional UPDATE, so two tills never overspend."""
    with write_transaction():
        card = find_card(code)
        spent = (GiftCard.update(balance=GiftCard.balance - amount)
                 .where(GiftCard.id == card.id, GiftCard.balance >= amount).execute())
        if not spent:
            raise ApiError(409, "insufficient_balance",
                           _("The card holds only %(balance)s.", balance=card.balance))
        return GiftCard.get_by_id(card.id)
