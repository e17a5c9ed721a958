"""A campaign's effect: response and revenue of the members sent to, against the
control group held out at launch.

Definitions (README, "Campaigns: evaluation"):

* the **target** group is the members the campaign was sent to (status ``sent``);
  the **control** group the members held out who could have been sent to;
* a **responder** bought at least once within ``response_days`` after launch;
* **response rate** = responders / group size; **uplift** = target rate − control
  rate, with a 95% confidence interval from the normal approximation
  (±1.96·√(p₁(1−p₁)/n₁ + p₀(1−p₀)/n₀));
* **attributed revenue** = (target revenue per member − control revenue per member)
  × target size: the revenue the campaign added, not all revenue of the target;
* **ROI** = (attributed revenue − cost) / cost (none when the cost is 0).
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from zhanggui import plugins

from ..sending.models import Campaign, Recipient

CENT = Decimal("0.01")


@dataclass(frozen=True)
class GroupResult:
    size: int
    responders: int
    revenue: Decimal

    @property
    def rate(self) -> float:
        return self.responders / self.size if self.size else 0.0

    @property
    def revenue_per_member(self) -> Decimal:
        return (self.revenue / self.size).quantize(CENT, ROUND_HALF_UP) if self.size \
            else Decimal("0.00")


@dataclass(frozen=True)
class Evaluation:
    target: GroupResult
    control: GroupResult
    uplift: float
    uplift_low: float
    uplift_high: float
    attributed_revenue: Decimal
    cost: Decimal
    roi: float | None
    opened: int
    clicked: int
    unsubscribed: int


def _group(campaign: Campaign, where, start: dt.datetime, end: dt.datetime) -> GroupResult:
    ids = [r[0] for r in Recipient.select(Recipient.member_id)
           .where((Recipient.campaign == campaign.id) & where).tuples()]
    spend: dict[Any, tuple] = {}
    for offset in range(0, len(ids), 5000):
        chunk = ids[offset:offset + 5000]
        spend.update(plugins().call_first("zhanggui_member_spend", member_ids=chunk,
                                          start=start, end=end) or {})
    responders = sum(1 for count, _amount in spend.values() if count > 0)
    revenue = sum((Decimal(str(amount)) for _count, amount in spend.values()), Decimal("0"))
    return GroupResult(size=len(ids), responders=responders, revenue=revenue.quantize(CENT))


def evaluate(campaign_id: Any) -> Evaluation:
    campaign = Campaign.get_by_id(campaign_id)
    start = campaign.launched_at
    if start is None:
        raise ValueError("the campaign has not been launched")
    end = start + dt.timedelta(days=campaign.response_days)
    target = _group(campaign, (Recipient.group == "target") & (Recipient.status == "sent"),
                    start, end)
    control = _group(campaign, Recipient.status == "control", start, end)
    uplift = target.rate - control.rate
    spread = 1.96 * math.sqrt(
        (target.rate * (1 - target.rate) / target.size if target.size else 0)
        + (control.rate * (1 - control.rate) / control.size if control.size else 0))
    attributed = ((target.revenue_per_member - control.revenue_per_member)
                  * target.size).quantize(CENT) if control.size else target.revenue
    cost = Decimal(campaign.cost or 0)
    roi = float((attributed - cost) / cost) if cost > 0 else None
    stats = Recipient.select().where((Recipient.campaign == campaign.id)
                                     & (Recipient.group == "target"))
    return Evaluation(
        target=target, control=control, uplift=uplift, uplift_low=uplift - spread,
        uplift_high=uplift + spread, attributed_revenue=attributed, cost=cost, roi=roi,
        opened=stats.where(Recipient.opened_at.is_null(False)).count(),
        clicked=stats.where(Recipient.clicks > 0).count(),
        unsubscribed=stats.where(Recipient.unsubscribed_at.is_null(False)).count())
