"""A till's requests stay within their statement budget (issue: the till path at chain
scale).  Counted at the driver (:mod:`zhanggui.sqlcount`), every statement of peewee
and of the console's security session alike, with pooling and the caches on, after
one warm-up request (a worker's first request fills its caches; every later one is
what a till sees).

* a member sale through ``POST /api/v1/pos/transactions`` with loyalty's award and
  the points in the answer: at most 12 statements in one transaction;
* a look-up by phone: at most 3 statements (the security stamp among them), plus
  the 3 of its audit entry (who viewed which member, a PIPL duty the look-up
  must not skip).
"""
from __future__ import annotations

import pytest

from zhanggui.sqlcount import count_statements, install

SALE_BUDGET = 12
LOOKUP_BUDGET = 3
AUDIT_BUDGET = 3

install()  # before any app opens its pooled connections


@pytest.fixture
def till_app(make_app):
    from zhanggui_members.tests.helpers import make_store

    app = make_app(plugins=["members", "loyalty"])
    with app.app_context():
        from zhanggui_loyalty.tests.helpers import setup_program

        make_store("SH01")
        setup_program()
        app.extensions["zhanggui"].db.close()
    return app


def _api_key(app, username="pos-sh01", role="POS terminal", stores=("SH01",)) -> dict:
    from zhanggui.console.scope import UserStore
    from zhanggui.testing import ADMIN_PASSWORD
    from zhanggui.users import create_user

    with app.app_context():
        user = create_user(username, ADMIN_PASSWORD, role=role)
        for code in stores:
            UserStore.create(user_id=user.id, store_code=code)
        created = app.appbuilder.sm.create_api_key(user, f"key of {username}")
        app.extensions["zhanggui"].db.close()
    return {"Authorization": f"Bearer {created['key']}"}


def _sale(number: int, phone: str = "13800138000") -> dict:
    from zhanggui_members.tests.helpers import sale_body

    return sale_body(pos_id=f"SH01-20251111-{number:04d}", member={"phone": phone})


def test_a_member_sale_with_points_is_one_transaction_of_at_most_a_dozen_statements(till_app):
    client, headers = till_app.test_client(), _api_key(till_app)
    first = client.post("/api/v1/pos/transactions", json=_sale(1), headers=headers)
    assert first.status_code == 201, first.get_json()
    with count_statements() as sent:
        answer = client.post("/api/v1/pos/transactions", json=_sale(2), headers=headers)
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["loyalty"]["earned"] > 0
    print(sent.report())
    assert len(sent) <= SALE_BUDGET, sent.report()
    assert sent.transactions == 1, sent.report()


def test_a_look_up_by_phone_is_at_most_three_statements(till_app):
    client = till_app.test_client()
    headers = _api_key(till_app, "agent", role="Call-center agent", stores=())
    assert client.post("/api/v1/pos/transactions", json=_sale(1),
                       headers=_api_key(till_app)).status_code == 201
    client.get("/api/v1/members/lookup?phone=13800138000", headers=headers)
    with count_statements() as sent:
        answer = client.get("/api/v1/members/lookup?phone=%2B86%20138%200013%208000",
                            headers=headers)
    assert answer.status_code == 200, answer.get_json()
    print(sent.report())
    # the look-up itself: the security stamp, the member, their purchase summary
    looked_up = [sql for sql in sent.statements if "zhanggui_audit_" not in sql]
    assert len(looked_up) <= LOOKUP_BUDGET, sent.report()
    # and the audit entry of who viewed whom (PIPL), in its own short transaction:
    # the chain head locked, the entry, the head moved
    audited = [sql for sql in sent.statements if "zhanggui_audit_" in sql]
    assert any(sql.lstrip().upper().startswith("INSERT") for sql in audited), sent.report()
    assert len(audited) <= AUDIT_BUDGET, sent.report()


def test_a_batch_writes_its_sales_lines_and_payments_in_one_statement_each(till_app):
    client, headers = till_app.test_client(), _api_key(till_app)
    assert client.post("/api/v1/pos/transactions", json=_sale(1),
                       headers=headers).status_code == 201
    batch = [_sale(n, phone=f"139{n:08d}") for n in range(2, 22)]
    with count_statements() as sent:
        answer = client.post("/api/v1/pos/transactions/batch", json={"transactions": batch},
                             headers=headers)
    assert answer.status_code == 200, answer.get_json()
    assert {r["status"] for r in answer.get_json()["results"]} == {201}
    print(sent.report())

    def inserts(table: str) -> int:
        return sum(1 for sql in sent.statements
                   if " ".join(sql.split()).startswith(f'INSERT INTO "{table}" '))

    assert (inserts("members_purchase"), inserts("members_purchase_line"),
            inserts("members_payment")) == (1, 1, 1), sent.report()
    assert sent.transactions == 1, sent.report()
