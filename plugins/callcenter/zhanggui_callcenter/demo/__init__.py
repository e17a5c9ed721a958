"""The call center's part of the demo chain: SLA policies with office hours, the
escalation ladder, a team, agents for the console users already there, a fortnight
of calls, tickets in every SLA state and a callback list of top-tier members.
Deterministic: every choice comes from a generator seeded with ``ctx.seed``, and
``ctx.as_of``."""
from __future__ import annotations

import datetime as dt
import random

from zhanggui import utcnow

from ..callbacks.models import CallbackList
from ..callbacks.service import fill_tasks
from ..calls.models import Agent, Call, Team
from ..escalation.models import EscalationLevel
from ..members import find_member_id
from ..phones import normalize_caller
from ..sla.models import SlaPolicy, WorkingHours
from ..sla.service import record_breaches, start_clock
from ..tickets.models import Ticket, TicketMessage

SUBJECTS = {"consultation": ["会员积分怎么兑换停车券？", "周年庆活动几号开始？"],
            "complaint": ["羽绒服拉链坏了，专柜不给换", "收银员态度差", "积分没有到账"],
            "return": ["买的面霜过敏，要求退货", "尺码不合适想换货"],
            "suggestion": ["希望增加母婴室", "停车场指示牌不清楚"]}
COUNTERS = ("COS", "WOM", "SHB", "KID")
CALLS = 120


def _policies():
    for name, rank, kinds, priorities, response, resolution in (
            ("紧急投诉", 10, "complaint", "urgent,high", 30, 8 * 60),
            ("标准服务", 100, "", "", 4 * 60, 3 * 9 * 60)):
        policy = SlaPolicy.create(name=name, rank=rank, kinds=kinds, priorities=priorities,
                                  first_response_minutes=response,
                                  resolution_minutes=resolution)
        for day in range(7):          # stores open every day; the call center 09:00-21:00
            WorkingHours.create(policy=policy, weekday=day, starts="09:00",
                                ends="21:00")
    for level, percent, target, reassign in ((1, 50, "agent", False), (2, 80, "lead", True),
                                             (3, 100, "manager", False)):
        EscalationLevel.create(level=level, percent=percent, notify=target,
                               reassign_to_lead=reassign)


def _agents(team):
    from flask import current_app

    sm = current_app.appbuilder.sm
    users = sorted(sm.get_all_users(), key=lambda u: u.id)[:4]
    return [Agent.create(user_id=u.id, display_name=u.username, extension=str(8001 + i),
                         email=None if (u.email or "").endswith(".invalid") else u.email,
                         team=team) for i, u in enumerate(users)]


def build_demo_callcenter(ctx) -> None:
    # a generator of our own, derived from the seed: drawing from ctx.rng here would
    # change what every plugin after this one generates
    rng = random.Random(f"callcenter-{ctx.seed}")
    end = dt.datetime.combine(ctx.as_of or (utcnow().date() - dt.timedelta(days=1)),
                              dt.time(10), dt.timezone.utc)
    _policies()
    team = Team.create(name="客服一组", store_code="SH01", manager_email=None)
    agents = _agents(team)
    if agents:
        Team.update(lead_user_id=agents[0].user_id).where(Team.id == team.id).execute()
    progress = ctx.progress("call center", CALLS)
    calls = []
    for i in range(CALLS):
        number = normalize_caller(rng.choice(("138", "139", "135", "186", "158")) + "".join(
            rng.choice("0123456789") for _ in range(8)))
        started = end - dt.timedelta(days=rng.randint(0, 13), minutes=rng.randint(0, 600))
        answered = rng.random() > 0.1
        agent = rng.choice(agents) if agents and answered else None
        talk = rng.randint(30, 900)
        calls.append(Call.create(
            connector="demo-pbx", call_id=f"DEMO-{i:05d}", phone=number.e164,
            region=number.region, member_id=find_member_id(number), agent=agent,
            extension=agent.extension if agent else None, state="ended",
            started_at=started, answered_at=started + dt.timedelta(seconds=8) if answered else None,
            ended_at=started + dt.timedelta(seconds=talk), duration_seconds=talk if answered else 0,
            outcome=rng.choice(["resolved", "ticket", "callback"]) if answered else "missed"))
        progress.advance()
    progress.close()
    top = _top_members(ctx)
    for i in range(24):
        kind = rng.choice(list(SUBJECTS))
        priority = rng.choice(["urgent", "high", "normal", "normal", "low"])
        opened = end - dt.timedelta(hours=rng.randint(1, 24 * 10))
        store = rng.choice(["SH01", "BJ01"])
        ticket = Ticket(kind=kind, priority=priority, channel="phone",
                        subject=rng.choice(SUBJECTS[kind]), member_id=top[i % len(top)] if top else None,
                        store_code=store, counter_code=f"{store}-{rng.choice(COUNTERS)}",
                        assignee=rng.choice(agents) if agents else None, team=team,
                        created_at=opened, updated_at=opened,
                        call=rng.choice(calls) if i % 2 else None)
        start_clock(ticket, opened)
        state = i % 4       # open / waiting / resolved / closed
        if state >= 1:
            ticket.first_responded_at = opened + dt.timedelta(minutes=rng.randint(5, 300))
        if state == 1:
            ticket.status, ticket.paused_at = "waiting_customer", ticket.first_responded_at
        elif state >= 2:
            ticket.status = "resolved" if state == 2 else "closed"
            ticket.resolved_at = opened + dt.timedelta(hours=rng.randint(2, 60))
            ticket.closed_at = ticket.resolved_at if state == 3 else None
        else:
            ticket.status = "open"
        record_breaches(ticket, end)
        ticket.save(force_insert=True)
        if ticket.first_responded_at:
            TicketMessage.create(ticket=ticket, kind="reply", body="您好，我们已收到，正在处理。",
                                 created_at=ticket.first_responded_at, author_name="demo")
    cb = CallbackList.create(name="周年庆前回访高等级会员", event_name="周年庆",
                             tiers=",".join(_top_tier_codes()), store_codes="",
                             script="您好，我是掌柜百货客服，周年庆活动即将开始……",
                             due_at=end + dt.timedelta(days=7))
    # tiers are computed by loyalty's part of the demo, after this one: the list's
    # tasks come from the periodic refresh (callcenter.refresh_callback_lists)
    fill_tasks(cb)
    ctx.count("calls", CALLS)
    ctx.count("service tickets", 24)


def _top_tier_codes() -> list[str]:
    return ["DIAMOND", "GOLD"]


def _top_members(ctx) -> list:
    from zhanggui import plugins

    ids = plugins().call_first("zhanggui_tier_members", tier_codes=_top_tier_codes()) or []
    return ids[:24]
