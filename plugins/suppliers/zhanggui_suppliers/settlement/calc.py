"""The arithmetic of a monthly settlement statement (结算单), free of the database.

One statement covers one counter and one calendar month.  Each contract valid for
some of the month contributes a *section* (usually one; two when a renewal starts
mid-month).  The rules, which ``docs/suppliers.md`` states for users:

* **Window.** A section covers the days of the month inside the contract's validity
  (both ends included).  Sales and refunds are those recorded in that window.
* **Net sales** per category = sales − refunds *recorded* in the window: a refund of
  an earlier month's sale lowers the month in which it is refunded.
* **Deduction (扣点, concession) / margin (经销/购销, distribution)** per category:
  the tiers of that category, else the contract's default tiers (blank category).
  ``marginal`` tiers charge each band of the month's net sales at its own rate (like
  income tax, no jump at a boundary); ``whole`` tiers charge all of it at the rate of
  the highest band reached.  Thresholds are monthly and are not pro-rated.  Negative
  net sales (more refunded than sold) are charged at the first band's rate.
* **Minimum guarantee (保底, concession only)**: when the deductions of a section are
  below its guarantee, a top-up line makes up the difference.
* **Pro-rating.** The guarantee, the rent (租赁) and monthly fees are multiplied by
  days in the window ÷ days in the month.  Quarterly, annual and one-off fees are
  charged whole in the month they fall due (counted from the fee's first month).
* **Rounding.** Every line is rounded to the fen (0.01) with ROUND_HALF_UP; totals are
  sums of rounded lines, so the printed lines always add up to the printed total.
* **Totals.** mall income = deductions + top-ups + rent + fees + cost shares;
  payable to the supplier = net sales − mall income (negative: the supplier owes).
"""
from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

FEN = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)
PERIOD_MONTHS = {"monthly": 1, "quarterly": 3, "annual": 12}


def fen(value: Decimal) -> Decimal:
    """Round to the fen, half up (0.005 → 0.01)."""
    return Decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    first = month.replace(day=1)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    return first, last


def months_between(a: dt.date, b: dt.date) -> int:
    return (b.year - a.year) * 12 + b.month - a.month


@dataclass(frozen=True)
class Tier:
    category: str          # "" = every category without tiers of its own
    sales_from: Decimal
    rate: Decimal          # percent, e.g. Decimal("18.00")


@dataclass(frozen=True)
class Fee:
    kind: str              # management, promotion, utilities, other
    amount: Decimal
    frequency: str = "monthly"   # monthly, quarterly, annual, once
    first_month: dt.date | None = None


@dataclass
class Terms:
    """What the calculation needs of one contract."""

    contract_id: int | None
    kind: str              # concession, lease, distribution
    starts_on: dt.date
    ends_on: dt.date
    tier_mode: str = "marginal"
    tiers: list[Tier] = field(default_factory=list)
    guarantee: Decimal = ZERO
    rent: Decimal = ZERO
    fees: list[Fee] = field(default_factory=list)

    def window(self, month: dt.date) -> tuple[dt.date, dt.date] | None:
        first, last = month_bounds(month)
        start, end = max(first, self.starts_on), min(last, self.ends_on)
        return (start, end) if start <= end else None


@dataclass(frozen=True)
class Line:
    kind: str              # sales, refunds, deduction, margin, guarantee_topup, rent, fee, cost_share
    amount: Decimal
    contract_id: int | None = None
    category: str = ""
    base: Decimal | None = None
    rate: Decimal | None = None
    detail: str = ""       # fee kind, cost-share reference


@dataclass
class Section:
    terms: Terms
    sales: dict[str, Decimal]
    refunds: dict[str, Decimal]


@dataclass
class Result:
    lines: list[Line]
    gross_sales: Decimal
    refunds: Decimal
    net_sales: Decimal
    mall_income: Decimal
    payable: Decimal


def tiers_for(terms: Terms, category: str) -> list[Tier]:
    own = [t for t in terms.tiers if t.category == category]
    chosen = own or [t for t in terms.tiers if t.category == ""]
    return sorted(chosen, key=lambda t: t.sales_from)


def tiered_charge(net: Decimal, tiers: list[Tier], mode: str) -> Decimal:
    """Exact (unrounded) charge on ``net`` sales under ``tiers``."""
    if not tiers:
        return Decimal(0)
    if net <= 0:
        return net * tiers[0].rate / HUNDRED
    if mode == "whole":
        reached = [t for t in tiers if t.sales_from <= net] or tiers[:1]
        return net * reached[-1].rate / HUNDRED
    charge = Decimal(0)
    for i, tier in enumerate(tiers):
        upper = tiers[i + 1].sales_from if i + 1 < len(tiers) else None
        low = tier.sales_from if i else Decimal(0)
        if net <= low:
            break
        band = (min(net, upper) if upper is not None else net) - low
        charge += band * tier.rate / HUNDRED
    return charge


def fee_due(fee: Fee, terms: Terms, month: dt.date) -> bool:
    first = (fee.first_month or terms.starts_on).replace(day=1)
    since = months_between(first, month.replace(day=1))
    if since < 0:
        return False
    if fee.frequency == "once":
        return since == 0
    return since % PERIOD_MONTHS.get(fee.frequency, 1) == 0


def settle_section(section: Section, month: dt.date) -> list[Line]:
    terms = section.terms
    window = terms.window(month)
    if window is None:
        return []
    first, last = month_bounds(month)
    share = Decimal((window[1] - window[0]).days + 1) / Decimal((last - first).days + 1)
    cid = terms.contract_id
    lines: list[Line] = []
    categories = sorted(set(section.sales) | set(section.refunds))
    charged = Decimal(0)
    for category in categories:
        sold = fen(section.sales.get(category, ZERO))
        back = fen(section.refunds.get(category, ZERO))
        lines.append(Line("sales", sold, cid, category))
        if back:
            lines.append(Line("refunds", -back, cid, category))
        if terms.kind in ("concession", "distribution"):
            net = sold - back
            tiers = tiers_for(terms, category)
            amount = fen(tiered_charge(net, tiers, terms.tier_mode))
            rate = tiers[0].rate if len(tiers) == 1 else None
            kind = "deduction" if terms.kind == "concession" else "margin"
            lines.append(Line(kind, amount, cid, category, base=net, rate=rate))
            charged += amount
    if terms.kind == "concession" and terms.guarantee > 0:
        guarantee = fen(terms.guarantee * share)
        if charged < guarantee:
            lines.append(Line("guarantee_topup", guarantee - charged, cid, base=guarantee))
    if terms.kind == "lease" and terms.rent > 0:
        lines.append(Line("rent", fen(terms.rent * share), cid, base=terms.rent))
    for fee in terms.fees:
        if not fee_due(fee, terms, month):
            continue
        amount = fee.amount * share if fee.frequency == "monthly" else fee.amount
        lines.append(Line("fee", fen(amount), cid, base=fee.amount, detail=fee.kind))
    return lines


INCOME_KINDS = ("deduction", "margin", "guarantee_topup", "rent", "fee", "cost_share")


def settle(month: dt.date, sections: list[Section],
           cost_shares: list[tuple[str, Decimal]] = ()) -> Result:
    """The statement of one counter and month: every section, then the cost shares
    (``(reference, amount)``), charged to the section of the latest contract."""
    lines: list[Line] = []
    for section in sorted(sections, key=lambda s: s.terms.starts_on):
        lines.extend(settle_section(section, month))
    last_id = max(sections, key=lambda s: s.terms.starts_on).terms.contract_id \
        if sections else None
    for reference, amount in cost_shares:
        lines.append(Line("cost_share", fen(amount), last_id, detail=str(reference)[:100]))
    gross = sum((ln.amount for ln in lines if ln.kind == "sales"), ZERO)
    refunds = -sum((ln.amount for ln in lines if ln.kind == "refunds"), ZERO)
    income = sum((ln.amount for ln in lines if ln.kind in INCOME_KINDS), ZERO)
    net = gross - refunds
    return Result(lines, gross, refunds, net, income, net - income)
