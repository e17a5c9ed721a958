"""Statement arithmetic against hand-computed cases (amounts in yuan, two places)."""
import datetime as dt
from decimal import Decimal as D

from zhanggui_suppliers.settlement.calc import Fee, Section, Terms, Tier, settle

JAN, FEB, APR = dt.date(2026, 1, 1), dt.date(2026, 2, 1), dt.date(2026, 4, 1)
YEAR = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))


def terms(kind="concession", tiers=(("", "0", "20"),), **kw):
    start, end = kw.pop("period", YEAR)
    return Terms(contract_id=1, kind=kind, starts_on=start, ends_on=end,
                 tiers=[Tier(c, D(f), D(r)) for c, f, r in tiers], **kw)


def one(t, month, sales, refunds=None, shares=()):
    return settle(month, [Section(t, {k: D(v) for k, v in sales.items()},
                                  {k: D(v) for k, v in (refunds or {}).items()})], shares)


def amounts(result, kind):
    return [ln.amount for ln in result.lines if ln.kind == kind]


def test_a_concession_pays_the_supplier_sales_less_the_deduction():
    r = one(terms(), JAN, {"女装": "100000.00"})
    assert amounts(r, "deduction") == [D("20000.00")]
    assert (r.net_sales, r.mall_income, r.payable) == (D("100000.00"), D("20000.00"),
                                                         D("80000.00"))


MARGINAL = (("", "0", "18"), ("", "100000", "15"))


def test_marginal_tiers_charge_each_band_at_its_rate_without_a_jump_at_the_boundary():
    assert amounts(one(terms(tiers=MARGINAL), JAN, {"x": "100000.00"}), "deduction") \
        == [D("18000.00")]
    # 100,000 × 18% + 0.01 × 15% = 18,000.0015 → 18,000.00
    assert amounts(one(terms(tiers=MARGINAL), JAN, {"x": "100000.01"}), "deduction") \
        == [D("18000.00")]
    assert amounts(one(terms(tiers=MARGINAL), JAN, {"x": "150000.00"}), "deduction") \
        == [D("25500.00")]


def test_whole_tiers_charge_everything_at_the_rate_of_the_band_reached():
    t = terms(tiers=MARGINAL, tier_mode="whole")
    # 99,999.99 × 18% = 17,999.9982 → 18,000.00; at the boundary the lower rate applies
    assert amounts(one(t, JAN, {"x": "99999.99"}), "deduction") == [D("18000.00")]
    assert amounts(one(t, JAN, {"x": "100000.00"}), "deduction") == [D("15000.00")]
    assert amounts(one(t, JAN, {"x": "150000.00"}), "deduction") == [D("22500.00")]


def test_a_category_with_its_own_tiers_uses_them_and_the_rest_use_the_default():
    t = terms(tiers=(("", "0", "18"), ("化妆品", "0", "22")))
    r = one(t, JAN, {"化妆品": "10000.00", "女装": "20000.00"})
    assert sorted(amounts(r, "deduction")) == [D("2200.00"), D("3600.00")]
    assert r.mall_income == D("5800.00")


def test_a_month_below_the_guarantee_is_topped_up_to_it():
    r = one(terms(guarantee=D("30000.00")), JAN, {"x": "100000.00"})
    assert amounts(r, "guarantee_topup") == [D("10000.00")]
    assert (r.mall_income, r.payable) == (D("30000.00"), D("70000.00"))
    above = one(terms(guarantee=D("30000.00")), JAN, {"x": "200000.00"})
    assert amounts(above, "guarantee_topup") == []


def test_a_lease_charges_rent_and_fees_whatever_the_sales():
    t = terms(kind="lease", tiers=(), rent=D("12000.00"),
              fees=[Fee("management", D("1500.00")), Fee("utilities", D("800.00"))])
    r = one(t, JAN, {"x": "50000.00"})
    assert amounts(r, "deduction") == []
    assert amounts(r, "rent") == [D("12000.00")]
    assert (r.mall_income, r.payable) == (D("14300.00"), D("35700.00"))


def test_a_distribution_contract_keeps_its_margin_and_has_no_guarantee():
    t = terms(kind="distribution", tiers=(("", "0", "25"),), guarantee=D("99999.00"))
    r = one(t, JAN, {"x": "40000.00"})
    assert amounts(r, "margin") == [D("10000.00")]
    assert amounts(r, "guarantee_topup") == []
    assert r.payable == D("30000.00")


def test_a_partial_month_pro_rates_guarantee_and_monthly_fees_but_not_quarterly_ones():
    # from 11 February 2026: 18 of 28 days
    t = terms(period=(dt.date(2026, 2, 11), dt.date(2027, 2, 10)), guarantee=D("28000.00"),
              fees=[Fee("management", D("1000.00")),
                    Fee("promotion", D("3000.00"), "quarterly")])
    r = one(t, FEB, {"x": "50000.00"})
    assert amounts(r, "deduction") == [D("10000.00")]
    assert amounts(r, "guarantee_topup") == [D("8000.00")]        # 28,000 × 18/28 − 10,000
    assert sorted(amounts(r, "fee")) == [D("642.86"), D("3000.00")]   # 1,000 × 18/28
    assert (r.mall_income, r.payable) == (D("21642.86"), D("28357.14"))


def test_quarterly_fees_fall_due_every_third_month_from_their_first():
    t = terms(fees=[Fee("promotion", D("3000.00"), "quarterly")])
    assert amounts(one(t, JAN, {}), "fee") == [D("3000.00")]
    assert amounts(one(t, FEB, {}), "fee") == []
    assert amounts(one(t, APR, {}), "fee") == [D("3000.00")]


def test_a_refund_lowers_the_month_it_is_refunded_in():
    jan = one(terms(), JAN, {"x": "10000.00"})
    feb = one(terms(), FEB, {"x": "5000.00"}, {"x": "2000.00"})
    assert jan.payable == D("8000.00")
    assert amounts(feb, "refunds") == [D("-2000.00")]
    assert amounts(feb, "deduction") == [D("600.00")]
    assert (feb.gross_sales, feb.refunds, feb.net_sales, feb.payable) == (
        D("5000.00"), D("2000.00"), D("3000.00"), D("2400.00"))


def test_a_month_of_only_refunds_gives_the_deduction_back():
    r = one(terms(), FEB, {}, {"x": "1000.00"})
    assert amounts(r, "deduction") == [D("-200.00")]
    assert r.payable == D("-800.00")


def test_each_line_is_rounded_half_up_before_the_lines_are_summed():
    t = terms(tiers=(("", "0", "15"),))
    r = one(t, JAN, {"a": "0.03", "b": "0.03", "c": "0.05"})
    # 0.0045 → 0.00 twice, 0.0075 → 0.01: the lines sum to 0.01 (not round(0.0165) = 0.02)
    assert sorted(amounts(r, "deduction")) == [D("0.00"), D("0.00"), D("0.01")]
    assert r.mall_income == D("0.01")


def test_a_renewal_mid_month_settles_each_contract_for_its_own_days():
    old = Terms(1, "concession", dt.date(2025, 1, 16), dt.date(2026, 1, 15),
                tiers=[Tier("", D(0), D(20))], guarantee=D("31000.00"))
    new = Terms(2, "concession", dt.date(2026, 1, 16), dt.date(2027, 1, 15),
                tiers=[Tier("", D(0), D(18))], guarantee=D("31000.00"))
    r = settle(JAN, [Section(old, {"x": D("100000.00")}, {}),
                     Section(new, {"x": D("200000.00")}, {})], [("CAMP-7", D("500.00"))])
    by_contract = {(ln.contract_id, ln.kind): ln.amount for ln in r.lines}
    assert by_contract[(1, "deduction")] == D("20000.00")
    assert (1, "guarantee_topup") not in by_contract             # 15/31 of 31,000 = 15,000
    assert by_contract[(2, "deduction")] == D("36000.00")
    assert by_contract[(2, "cost_share")] == D("500.00")
    assert r.mall_income == D("56500.00")
