"""Builders for the call-center tests."""
from __future__ import annotations

import datetime as dt

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def local(*args) -> dt.datetime:
    """A Shanghai wall-clock time as an aware datetime (converted to UTC by callers)."""
    return dt.datetime(*args, tzinfo=SHANGHAI).astimezone(dt.timezone.utc)


def office_hours_policy(name="标准", response=120, resolution=16 * 60, rank=100, **conds):
    """Monday to Friday 09:00-18:00 Shanghai time, mainland holidays."""
    from zhanggui_callcenter.sla.models import SlaPolicy, WorkingHours

    policy = SlaPolicy.create(name=name, rank=rank, first_response_minutes=response,
                              resolution_minutes=resolution, region="CN",
                              timezone="Asia/Shanghai", **conds)
    for day in range(5):
        WorkingHours.create(policy=policy, weekday=day, starts="09:00", ends="18:00")
    return policy
