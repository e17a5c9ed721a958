"""Helpers of the loyalty tests: purchases and refunds as the members plugin sends them."""
from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from zhanggui import PaymentEvent, PurchaseEvent, PurchaseLineEvent, RefundEvent, utcnow

_ids = itertools.count(1)
D = Decimal


def setup_program(**settings):
    """One base rule (1 point per 1.00, gift cards and coupons excluded) and settings."""
    from zhanggui_loyalty.models import EarningRule, LoyaltySettings

    if not EarningRule.select().where(EarningRule.code == "BASE").exists():
        EarningRule.create(code="BASE", name="基础积分", kind="base", sequence=10)
    values = {"pending_days": 0, "expiry_policy": "never", "refund_policy": "negative"}
    values.update(settings)
    LoyaltySettings.update(**values).where(LoyaltySettings.id == 1).execute()


def purchase(member_id, *amounts, purchase_id=None, when=None, categories=None,
             payments=None, store="SH01", skus=None, counters=None):
    """A PurchaseEvent with one line per amount (strings), paid by WeChat Pay."""
    purchase_id = purchase_id if purchase_id is not None else next(_ids) + 100000
    amounts = [D(str(a)) for a in amounts] or [D("100.00")]
    lines = tuple(PurchaseLineEvent(
        line_id=purchase_id * 100 + i, sku=(skus or {}).get(i, f"SKU{i}"), name=f"商品{i}",
        category=(categories or {}).get(i, "服装"), counter=(counters or {}).get(i, "C01"),
        quantity=D("1"), amount=amount) for i, amount in enumerate(amounts))
    total = sum(amounts, D("0"))
    pays = tuple(PaymentEvent(m, D(str(a))) for m, a in (payments or [("wechat_pay", total)]))
    return PurchaseEvent(purchase_id=purchase_id, pos_id=f"POS-{purchase_id}",
                         member_id=member_id, store_code=store, currency="CNY",
                         occurred_at=when or utcnow(), channel="pos", total=total,
                         lines=lines, payments=pays)


def refund(p, refund_id, amount=None, lines=None, when=None):
    """A RefundEvent against purchase ``p``: by ``lines`` [(index, amount)] or ``amount``."""
    pairs = tuple((p.lines[i].line_id, D(str(a))) for i, a in (lines or []))
    total = sum((a for _, a in pairs), D("0")) if pairs else D(str(amount))
    return RefundEvent(refund_id=refund_id, purchase_id=p.purchase_id, pos_id=p.pos_id,
                       member_id=p.member_id, amount=total, fraction=total / p.total,
                       lines=pairs, occurred_at=when or utcnow())


def emit_purchase(p):
    """What the members plugin does: announce the purchase inside its transaction."""
    from zhanggui import emit, write_transaction

    with write_transaction():
        emit("purchase_recorded", purchase=p)


def balance_of(member_id):
    from zhanggui_loyalty.models import MemberBalance

    row = MemberBalance.get_or_none(MemberBalance.member_id == member_id)
    return row.balance if row else 0


def make_member(phone="13800138000", card=None, birthday=None):
    """A real member of the members plugin (tests only)."""
    from zhanggui_members.profile.services import register_member

    return register_member(name="王芳", phone=phone, card_no=card, birthday=birthday).id


def days_ago(n):
    return utcnow() - dt.timedelta(days=n)
