"""The console screen and the REST API of gift cards (thin: rules are in models)."""
from decimal import Decimal

from marshmallow import Schema, fields, validate

from zhanggui import _l, api_action
from zhanggui.console.datamodel import ModelRestApi, ModelView, PeeweeInterface

from .models import GiftCard, find_card, redeem


class GiftCardView(ModelView):
    datamodel = PeeweeInterface(GiftCard)
    list_title = _l("Gift cards")
    list_columns = ["code", "member", "balance", "currency", "issued_at"]
    add_columns = edit_columns = ["code", "member", "balance", "currency"]


class AmountIn(Schema):
    amount = fields.Decimal(required=True, places=2, as_string=True,
                            validate=validate.Range(min=Decimal("0.01"), max=Decimal("100000")))


class CardOut(Schema):
    code = fields.String()
    balance = fields.Decimal(as_string=True)
    currency = fields.String()


class GiftCardApi(ModelRestApi):
    resource_name = "giftcards"
    datamodel = PeeweeInterface(GiftCard)
    list_columns = show_columns = ["code", "member_id", "balance", "currency", "issued_at"]

    @api_action("/<code>/balance", methods=["GET"], response=CardOut, permission="get",
                errors={404: "No gift card has this code"})
    def balance(self, code):
        """A gift card's balance."""
        return find_card(code)

    @api_action("/<code>/redeem", request=AmountIn, response=CardOut,
                errors={404: "No gift card has this code", 409: "The balance is too low"})
    def redeem(self, code, data):
        """Spend an amount from a gift card."""
        return redeem(code, data["amount"])
