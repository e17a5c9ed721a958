"""The supervisor board: open, breached and at-risk tickets, per agent; calls per day
and CSAT per agent as charts (the vendored Chart.js)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.security.decorators import permission_name
from peewee import JOIN, fn

from zhanggui import _, format_local_date, utcnow

from ..calls.models import Agent, Call
from ..satisfaction.service import results_by_agent, results_by_team
from ..sla.service import elapsed_share
from ..tickets.models import DONE, Ticket

AT_RISK = 0.8


def board_figures(now: dt.datetime | None = None) -> dict[str, Any]:
    now = now or utcnow()
    open_tickets = list(Ticket.select(Ticket, Agent).join(Agent, on=(Ticket.assignee == Agent.id),
                                                          join_type=JOIN.LEFT_OUTER)
                        .where(Ticket.status.not_in(DONE)))
    per_agent: dict[str, dict[str, int]] = {}
    breached = at_risk = 0
    for t in open_tickets:
        name = t.assignee.display_name if t.assignee_id else _("Unassigned")
        row = per_agent.setdefault(name, {"open": 0, "breached": 0, "at_risk": 0})
        row["open"] += 1
        if t.resolution_breached_at or t.response_breached_at or (
                t.resolution_due_at and t.resolution_due_at < now and not t.paused_at):
            breached += 1
            row["breached"] += 1
            continue
        share = elapsed_share(t, now)
        if share is not None and share >= AT_RISK:
            at_risk += 1
            row["at_risk"] += 1
    since = now - dt.timedelta(days=14)
    day = fn.DATE(Call.started_at)
    calls = {str(d): n for d, n in Call.select(day, fn.COUNT(Call.id))
             .where(Call.started_at >= since).group_by(day).tuples()}
    days = [(since + dt.timedelta(days=i + 1)).date() for i in range(14)]
    return {"open": len(open_tickets), "breached": breached, "at_risk": at_risk,
            "per_agent": sorted(per_agent.items()),
            "call_days": [format_local_date(d) for d in days],
            "call_counts": [calls.get(str(d), 0) for d in days],
            "csat_agents": results_by_agent(), "csat_teams": results_by_team()}


class SupervisorBoardView(BaseView):
    route_base = "/callcenter/board"
    default_view = "index"
    base_permissions = ["can_board"]

    @expose("/")
    @has_access
    @permission_name("board")
    def index(self):
        return self.render_template("callcenter/board.html", f=board_figures(),
                                    title=_("Supervisor board"))
