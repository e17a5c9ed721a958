"""Acme gift cards: declared registrations, two hooks for events and search."""
from flask import render_template_string

from zhanggui import (MemberPanel, RoleGrant, SearchDocument, SearchSource, _l,
                      has_permission, hookimpl)

from .models import GiftCard, issue_for_purchase
from .web import GiftCardApi, GiftCardView

title = _l("Gift cards")
requires = ("members",)
models = [GiftCard]
admin_views = [GiftCardView]
api = [GiftCardApi]
default_roles = [RoleGrant("Store staff", ("can_get on GiftCardApi", "can_redeem on GiftCardApi")),
                 RoleGrant("POS terminal", ("can_get on GiftCardApi", "can_redeem on GiftCardApi"))]

PANEL = ("<ul>{% for c in cards %}<li>{{ c.code }}: {{ c.balance|money(c.currency) }}</li>"
         "{% endfor %}</ul>")


def cards_panel(member_id):
    cards = list(GiftCard.select().where(GiftCard.member == member_id))
    if cards and has_permission("can_list on GiftCardView"):
        return MemberPanel(name="acme_giftcards.cards", title=_l("Gift cards"),
                           html=render_template_string(PANEL, cards=cards), order=70)


member_panels = [cards_panel]


def card_documents(since):
    query = GiftCard.select()
    for card in query if since is None else query.where(GiftCard.issued_at >= since):
        yield SearchDocument(key=card.code, title=card.code, keywords=(card.code,),
                             url=f"/giftcardview/show/{card.id}")


search_sources = [SearchSource(name="acme_giftcards.cards", title=_l("Gift cards"),
                               documents=card_documents, permission="can_list on GiftCardView")]


@hookimpl
def zhanggui_purchase_recorded(purchase):
    issue_for_purchase(purchase)
