"""The agent's workbench: the screen pop (polled with a cursor), the queue of the
agent's open tickets and callback tasks, and the inbox.

``GET /callcenter/console/pops?after=N`` answers the signed-in user's own pops only:
the agent is found from ``g.user``, never from the request, so no browser can read
another agent's pops.  Any worker on any host answers from the database table.
"""
from __future__ import annotations

from flask import g, request
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.security.decorators import permission_name

from zhanggui import _, format_local_datetime

from ..answers import json_answer
from ..calls.models import Agent
from ..escalation.models import Notice
from ..tickets.models import DONE, KINDS, PRIORITIES, STATUSES, Ticket
from .service import latest_cursor, pops_after


def current_agent() -> Agent | None:
    user = getattr(g, "user", None)
    if user is None or not getattr(user, "id", None):
        return None
    return Agent.get_or_none((Agent.user_id == user.id) & Agent.active)


class AgentConsoleView(BaseView):
    route_base = "/callcenter/console"
    default_view = "index"
    base_permissions = ["can_console"]

    @expose("/")
    @has_access
    @permission_name("console")
    def index(self):
        agent = current_agent()
        queue = notices = callbacks = []
        if agent is not None:
            queue = list(Ticket.select().where((Ticket.assignee == agent)
                                               & Ticket.status.not_in(DONE))
                         .order_by(Ticket.resolution_due_at.asc(nulls="LAST")).limit(50))
            notices = list(Notice.select().where(Notice.user_id == agent.user_id)
                           .order_by(Notice.id.desc()).limit(20))
            from ..callbacks.service import agent_tasks

            callbacks = agent_tasks(agent, limit=20)
        return self.render_template(
            "callcenter/console.html", agent=agent, queue=queue, notices=notices,
            callbacks=callbacks, cursor=latest_cursor(agent) if agent else 0,
            kinds=dict(KINDS), priorities=dict(PRIORITIES), statuses=dict(STATUSES),
            fmt_datetime=format_local_datetime, title=_("Agent workbench"))

    @expose("/pops")
    @has_access
    @permission_name("console")
    def pops(self):
        agent = current_agent()
        if agent is None:          # nothing can pop for a user without an extension
            return json_answer(200, {"pops": [], "message": _("You have no phone extension.")})
        try:
            cursor = max(0, min(int(request.args.get("after", 0)), 2 ** 62))
        except ValueError:
            return json_answer(422, {"message": {"after": [_("Not a number.")]}})
        return json_answer(200, {"pops": pops_after(agent, cursor)})
