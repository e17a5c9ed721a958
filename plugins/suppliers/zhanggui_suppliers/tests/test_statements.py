"""Monthly statements from real POS sales: generated once per counter and month,
rerun-safe, refunds counted in the month they are recorded."""
import datetime as dt
from decimal import Decimal as D

import pytest

from zhanggui_suppliers.tests.helpers import add_store, contract_for, till_client

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def mall(make_app):
    app = make_app(plugins=["members", "suppliers"])
    with app.app_context():
        add_store("SH01")
        yield app


def _months():
    this = dt.date.today().replace(day=1)
    last = (this - dt.timedelta(days=1)).replace(day=1)
    return last, this


def test_a_month_is_settled_from_the_tills_and_a_rerun_changes_nothing(mall):
    from zhanggui_suppliers.settlement.models import Statement, StatementLine
    from zhanggui_suppliers.settlement.service import GenerateStatements

    last, this = _months()
    sale, refund = till_client(mall)
    when = dt.datetime.combine(last, dt.time(12), SHANGHAI)
    sale("T1", when, [("COS1", "化妆品", "SH01-COS01", "60000.00"),
                      ("FRS1", "超市生鲜", None, "99.00")])
    # the last local minute of the month is still that month
    sale("T2", dt.datetime.combine(this, dt.time(0), SHANGHAI) - dt.timedelta(minutes=1),
         [("COS2", "化妆品", "SH01-COS01", "40000.00")])
    contract_for(guarantee="25000.00", fees=(("management", "1000.00", "monthly"),))

    assert GenerateStatements(last).run() == 1
    statement = Statement.get()
    assert (statement.gross_sales, statement.net_sales) == (D("100000.00"), D("100000.00"))
    assert statement.mall_income == D("26000.00")     # 20% = 20,000 → 25,000 + fee 1,000
    assert statement.payable == D("74000.00")
    before = [(ln.kind, ln.amount) for ln in StatementLine.select().order_by(StatementLine.id)]

    # a late refund of last month's sale, then the job again: nothing changes there
    refund("T1", "R1", "COS1")
    assert GenerateStatements(last).run() == 0
    assert Statement.select().count() == 1
    after = [(ln.kind, ln.amount) for ln in StatementLine.select().order_by(StatementLine.id)]
    assert after == before

    # ...the refund lowers this month instead
    assert GenerateStatements(this).run() == 1
    now = Statement.get(Statement.month == this)
    assert (now.gross_sales, now.refunds, now.net_sales) == (D("0.00"), D("60000.00"),
                                                             D("-60000.00"))
    deduction = [ln.amount for ln in now.lines if ln.kind == "deduction"]
    assert deduction == [D("-12000.00")]


def test_a_statement_is_reviewed_then_approved_by_someone_else(mall):
    from zhanggui_suppliers.errors import SupplierError
    from zhanggui_suppliers.settlement.models import Statement
    from zhanggui_suppliers.settlement.service import (DecideStatement, GenerateStatements,
                                                        RecalculateStatement, ReviewStatement)

    last, _this = _months()
    contract_for(kind="lease", tiers=(), rent="8000.00")
    GenerateStatements(last).run()
    statement = Statement.get()
    assert statement.payable == D("-8000.00")          # no sales: the supplier owes the rent
    ReviewStatement(statement.id, user_id=5).run()
    with pytest.raises(SupplierError):
        DecideStatement(statement.id, True, user_id=5).run()      # not the reviewer
    with pytest.raises(SupplierError):
        RecalculateStatement(statement.id).run()                 # no longer a draft
    DecideStatement(statement.id, True, user_id=6).run()
    assert Statement.get().status == "approved"


def test_the_office_decides_when_it_answers_the_approval_request(make_app, make_plugin):
    asked = []

    def request(kind, subject, requested_by, payload):
        asked.append((kind, payload))
        return f"APR-{len(asked)}"

    office = make_plugin("fake_office", zhanggui_request_approval=request)
    app = make_app(plugins=["suppliers"], extra_plugins=[office])
    with app.app_context():
        from zhanggui import emit
        from zhanggui_suppliers.contracts.models import Contract
        from zhanggui_suppliers.contracts.service import DecideContract, SubmitContract
        from zhanggui_suppliers.errors import SupplierError

        contract = contract_for(sign=False)
        SubmitContract(contract.id, user_id=1).run()
        assert asked[0][0] == "suppliers.contract"
        with pytest.raises(SupplierError):     # not in the console: the office decides
            DecideContract(contract.id, True, user_id=2).run()
        emit("approval_decided", kind="suppliers.contract", reference="APR-1",
             approved=True, decided_by=2, comment="ok")
        assert Contract.get_by_id(contract.id).status == "approved"


def test_counter_cost_shares_from_other_plugins_are_charged(make_app, make_plugin):
    campaigns = make_plugin("fake_campaigns", zhanggui_counter_cost_shares=lambda counter_code, month: [
        {"reference": "CAMP-618", "amount": D("1234.565")}])
    app = make_app(plugins=["suppliers"], extra_plugins=[campaigns])
    with app.app_context():
        from zhanggui_suppliers.settlement.models import Statement
        from zhanggui_suppliers.settlement.service import GenerateStatements

        contract_for()
        GenerateStatements(dt.date(2026, 3, 1)).run()
        line = [ln for ln in Statement.get().lines if ln.kind == "cost_share"][0]
        assert (line.detail, line.amount) == ("CAMP-618", D("1234.57"))
        assert Statement.get().payable == D("-1234.57")


def test_a_statement_sent_to_the_office_is_approved_by_its_decision(make_app, make_plugin):
    office = make_plugin("fake_office", zhanggui_request_approval=lambda kind, subject,
                         requested_by, payload: f"{kind}:{payload.get('statement_id')}")
    app = make_app(plugins=["suppliers"], extra_plugins=[office])
    with app.app_context():
        from zhanggui import emit
        from zhanggui_suppliers.errors import SupplierError
        from zhanggui_suppliers.settlement.models import Statement
        from zhanggui_suppliers.settlement.service import (DecideStatement, GenerateStatements,
                                                            ReviewStatement)

        from zhanggui_suppliers.contracts.service import SignContract, SubmitContract

        contract = contract_for(kind="lease", tiers=(), rent="5000.00", sign=False)
        contract = SubmitContract(contract.id, user_id=1).run()
        emit("approval_decided", kind="suppliers.contract",
             reference=contract.approval_reference, approved=True, decided_by=2, comment="")
        SignContract(contract.id, contract.starts_on).run()
        GenerateStatements(dt.date(2026, 3, 1)).run()
        statement = ReviewStatement(Statement.get().id, user_id=1).run()
        assert statement.approval_reference == f"suppliers.statement:{statement.id}"
        with pytest.raises(SupplierError):
            DecideStatement(statement.id, True, user_id=2).run()
        emit("approval_decided", kind="suppliers.statement",
             reference=statement.approval_reference, approved=False, decided_by=2,
             comment="rent wrong")
        assert Statement.get().status == "rejected"
