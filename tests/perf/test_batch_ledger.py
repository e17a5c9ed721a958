"""A batch of sales leaves the same points ledger as the same sales posted one by one.

Two sets of members stand for two tills' worlds in one database: the sales of one
world go through ``POST /api/v1/pos/transactions`` one at a time, the same sales of
the other (same shapes, same order, their own phones and ids) in one
``POST /api/v1/pos/transactions/batch``.  Every sale's answer, every member's ledger
entries, balance and tier must then match, whatever mix of members, amounts,
repeated ids and bad sales hypothesis draws.
"""
from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

_examples = itertools.count(1)

sales = st.lists(
    st.tuples(st.integers(0, 2),                           # which member
              st.sampled_from(["12.00", "88.90", "299.00", "1299.00", "4800.00"]),
              st.sampled_from(["ok", "ok", "ok", "again", "bad"])),
    min_size=1, max_size=8)


@pytest.fixture
def world(make_app):
    # one app for every example hypothesis draws: each example has its own phones and ids
    app = make_app(plugins=["members", "loyalty"])
    with app.app_context():
        from zhanggui_loyalty.models import Tier
        from zhanggui_loyalty.tests.helpers import setup_program
        from zhanggui_members.tests.helpers import make_store

        make_store("SH01")
        setup_program()
        Tier.create(code="SILVER", name="银卡", rank=1, threshold=Decimal("1000"),
                    points_multiplier=Decimal("1.2"))
        Tier.create(code="GOLD", name="金卡", rank=2, threshold=Decimal("5000"),
                    points_multiplier=Decimal("1.5"))
    return app, _api_key(app)


def _api_key(app) -> dict:
    from zhanggui.console.scope import UserStore
    from zhanggui.testing import ADMIN_PASSWORD
    from zhanggui.users import create_user

    with app.app_context():
        user = create_user("pos-batch", ADMIN_PASSWORD, role="POS terminal")
        UserStore.create(user_id=user.id, store_code="SH01")
        created = app.appbuilder.sm.create_api_key(user, "batch till")
    return {"Authorization": f"Bearer {created['key']}"}


def _bodies(drawn, example: int, side: int) -> list[dict]:
    from zhanggui_members.tests.helpers import sale_body

    bodies, last = [], None
    for n, (who, amount, how) in enumerate(drawn):
        phone = f"139{example:04d}{side}{who:03d}"
        pos_id = f"E{example}-{side}-{n}"
        if how == "again" and last is not None:
            bodies.append(dict(last))  # the same sale sent twice: a replay
            continue
        body = sale_body(pos_id, member={"phone": phone},
                         lines=[{"sku": "COS011", "name": "精华液", "category": "化妆品",
                                 "counter": "SH01-COS01", "quantity": "1",
                                 "amount": amount}],
                         total=amount if how != "bad" else "0.01",
                         payments=[{"method": "cash", "amount": amount}])
        bodies.append(body)
        last = body
    return bodies


def _comparable(answer: dict) -> dict:
    """An answer without what differs between the two worlds by construction."""
    if "loyalty" not in answer:
        return {"keys": sorted(answer)}
    return {"total": answer["total"], "loyalty": answer["loyalty"],
            "member_new": answer["member"]["new"]}


def _ledger(app, example: int, side: int) -> dict:
    from zhanggui_loyalty.models import MemberBalance, MemberTier, PointsLedgerEntry
    from zhanggui_members.profile.services import find_member

    seen = {}
    with app.app_context():
        for who in range(3):
            member = find_member(phone=f"139{example:04d}{side}{who:03d}")
            if member is None:
                seen[who] = None
                continue
            entries = [(e.kind, e.points, e.pending_points, str(e.spend))
                       for e in PointsLedgerEntry.select()
                       .where(PointsLedgerEntry.member_id == member.id)
                       .order_by(PointsLedgerEntry.id)]
            balance = MemberBalance.get_or_none(MemberBalance.member_id == member.id)
            state = MemberTier.get_or_none(MemberTier.member_id == member.id)
            seen[who] = (entries,
                         None if balance is None else
                         (balance.balance, balance.pending, balance.lifetime_earned),
                         None if state is None or state.tier_id is None
                         else state.tier.code)
    return seen


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(drawn=sales)
def test_a_batch_leaves_the_ledger_and_answers_n_single_posts_leave(world, drawn):
    app, headers = world
    example = next(_examples)
    client = app.test_client()
    singles = []
    for body in _bodies(drawn, example, 1):
        answer = client.post("/api/v1/pos/transactions", json=body, headers=headers)
        singles.append((answer.status_code, answer.get_json()))
    batch = client.post("/api/v1/pos/transactions/batch",
                        json={"transactions": _bodies(drawn, example, 2)}, headers=headers)
    assert batch.status_code == 200, batch.get_json()
    results = batch.get_json()["results"]
    assert [r["status"] for r in results] == [status for status, _ in singles]
    for (status, single), item in zip(singles, results):
        if status in (200, 201):
            assert _comparable(item["body"]) == _comparable(single)
    assert _ledger(app, example, 2) == _ledger(app, example, 1)
    assert any(v is not None for v in _ledger(app, example, 1).values()) == \
        any(status == 201 for status, _ in singles)
