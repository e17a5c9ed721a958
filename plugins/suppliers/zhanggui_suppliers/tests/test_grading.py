"""Counters are graded per month by the scorecard; a D blocks the contract's renewal."""
import datetime as dt
import json
from decimal import Decimal as D

import pytest

from zhanggui_suppliers.tests.helpers import add_store, contract_for, till_client

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
MARCH = dt.date(2026, 3, 1)


@pytest.fixture
def mall(make_app, make_plugin):
    callcenter = make_plugin("fake_callcenter", zhanggui_counter_score_variables=lambda
                             counter_code, start, end: {"complaints": 2, "sales": 10**9})
    app = make_app(plugins=["members", "suppliers"], extra_plugins=[callcenter])
    with app.app_context():
        add_store("SH01")
        yield app


def test_a_counter_is_graded_from_its_sales_and_the_other_plugins_variables(mall):
    from zhanggui_suppliers.counters.models import Counter, Promoter
    from zhanggui_suppliers.scoring.models import CounterScore
    from zhanggui_suppliers.scoring.service import grade_month

    sale, _refund = till_client(mall)
    contract_for()
    counter = Counter.get()
    counter.monthly_target = D("100000.00")
    counter.save()
    Promoter.create(counter=counter, name="小王", started_on=dt.date(2025, 1, 1))
    Promoter.create(counter=counter, name="小李", started_on=dt.date(2025, 1, 1),
                    left_on=dt.date(2026, 3, 20))
    sale("M1", dt.datetime(2026, 3, 5, 12, tzinfo=SHANGHAI),
         [("COS1", "化妆品", "SH01-COS01", "80000.00")])

    assert grade_month(MARCH) == 1
    score = CounterScore.get()
    variables = json.loads(score.variables)
    assert variables["sales"] == "80000.00"          # ours wins over the plugin's "sales"
    assert variables["complaints"] == "2"
    assert variables["staff_turnover"] == "0.5"
    # sales_vs_target 80 × 40, returns 100 × 20, complaints 60 × 15, staff 0 × 10,
    # statements 100 × 10; promotions_joined is missing: skipped, 95 weights scaled to 100
    # (3200 + 2000 + 900 + 0 + 1000) / 95 = 74.74
    assert score.score == D("74.74")
    assert (score.grade, score.consequence) == ("B", "none")
    skipped = [p["code"] for p in json.loads(score.details) if p.get("skipped")]
    assert skipped == ["promotions"]

    assert grade_month(MARCH) == 1                       # a rerun rewrites, never duplicates
    assert CounterScore.select().count() == 1


def test_a_block_renewal_grade_stops_the_renewal(mall):
    from zhanggui_suppliers.contracts.service import RenewContract
    from zhanggui_suppliers.errors import SupplierError
    from zhanggui_suppliers.scoring.models import CounterScore
    from zhanggui_suppliers.scoring.service import grade_month

    from zhanggui_suppliers.reminders.models import Reminder

    contract = contract_for(ends_on=dt.date(2026, 12, 31))
    grade_month(MARCH)                               # no target, no sales: a D
    assert CounterScore.get().grade == "D"
    grade_month(MARCH)
    notices = [(r.kind, r.role, r.store_code) for r in Reminder.select()]
    assert notices == [("grade", "Buyer", "SH01")]   # once, however often it is graded
    with pytest.raises(SupplierError) as refused:
        RenewContract(contract.id, dt.date(2027, 12, 31)).run()
    assert "D" in str(refused.value)
    CounterScore.update(consequence="warn", grade="C").execute()
    renewal = RenewContract(contract.id, dt.date(2027, 12, 31)).run()
    assert (renewal.starts_on, renewal.status) == (dt.date(2027, 1, 1), "draft")
    assert [t.rate for t in renewal.tiers] == [D("20.00")]


def test_weights_not_adding_up_to_100_or_gapped_grades_stop_grading(mall):
    from zhanggui_suppliers.errors import SupplierError
    from zhanggui_suppliers.scoring.models import Criterion, Standing
    from zhanggui_suppliers.scoring.service import grade_month

    Criterion.update(weight=D("30")).where(Criterion.code == "sales_vs_target").execute()
    with pytest.raises(SupplierError) as refused:
        grade_month(MARCH)
    assert "90" in str(refused.value)
    Criterion.update(weight=D("40")).where(Criterion.code == "sales_vs_target").execute()
    Standing.update(min_score=D("60")).where(Standing.grade == "C").execute()
    with pytest.raises(SupplierError):
        grade_month(MARCH)
