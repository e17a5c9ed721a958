"""The escalation ladder notifies each level once: 50% the agent, 80% the team lead
(and the ticket moves to the lead), 100% the manager; run twice or on two workers at
once, nobody hears twice.  A ticket that reads angry goes to the lead at once."""
import threading

import pytest

from zhanggui import hookimpl
from zhanggui_callcenter.calls.models import Agent, Team
from zhanggui_callcenter.escalation.models import EscalationSent, Notice
from zhanggui_callcenter.escalation.service import run_escalations
from zhanggui_callcenter.tickets.models import Ticket
from zhanggui_callcenter.tickets.service import OpenTicket
from zhanggui_callcenter.tests.conftest import PLUGINS, make_agent
from zhanggui_callcenter.tests.helpers import local, office_hours_policy


@pytest.fixture
def smtp():
    """A real SMTP server on loopback collecting the messages it receives."""
    from aiosmtpd.controller import Controller

    class Inbox:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append((envelope.rcpt_tos, envelope.content.decode("utf-8")))
            return "250 OK"

    import socket

    with socket.socket() as probe:          # a free port (the controller checks its own)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    inbox.port = port
    yield inbox
    controller.stop()


@pytest.fixture
def escalated(make_plugin):
    seen = []
    plugin = make_plugin("escalation_listener",
                         zhanggui_ticket_escalated=lambda ticket, level: seen.append(
                             (ticket.id, level)))
    return plugin, seen


@pytest.fixture
def ladder_app(make_app, smtp, escalated):
    app = make_app(plugins=PLUGINS, extra_plugins=[escalated[0]],
                   config={"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp.port,
                           "MAIL_DEFAULT_SENDER": "callcenter@example.com"})
    lead = make_agent(app, "lead", "8000")
    agent = make_agent(app, "wang", "8001")
    with app.app_context():
        team = Team.create(name="售后一组", lead_user_id=Agent.get_by_id(lead).user_id,
                           manager_email="manager@example.com")
        Agent.update(team=team).execute()
        office_hours_policy(resolution=10 * 60)            # 10 business hours
        ticket = OpenTicket(now=local(2026, 3, 9, 9, 0), kind="complaint",
                            subject="The coat's zip broke", assignee=Agent.get_by_id(agent)).run()
    app.ticket_id = ticket.id
    return app


def _levels(app):
    with app.app_context():
        return sorted((e.ticket_id, e.level) for e in EscalationSent.select())


def test_each_level_fires_once_at_its_share_of_the_sla(ladder_app, smtp, escalated):
    app, (_plugin, seen) = ladder_app, escalated
    with app.app_context():
        assert run_escalations(local(2026, 3, 9, 13, 0)) == 0          # 40%
        assert run_escalations(local(2026, 3, 9, 14, 0)) == 1          # 50%: agent
        assert run_escalations(local(2026, 3, 9, 14, 30)) == 0         # again: nothing
        assert run_escalations(local(2026, 3, 9, 17, 0)) == 1          # 80%: lead
        assert Ticket.get_by_id(app.ticket_id).assignee.extension == "8000"   # reassigned
        assert run_escalations(local(2026, 3, 10, 10, 0)) == 1         # 100%: manager
        assert run_escalations(local(2026, 3, 11, 10, 0)) == 0
        assert [n.email for n in Notice.select().order_by(Notice.id)] == [
            "wang@example.com", "lead@example.com", "manager@example.com"]
    assert seen == [(app.ticket_id, 1), (app.ticket_id, 2), (app.ticket_id, 3)]
    assert sorted(rcpt[0] for rcpt, _body in smtp.messages) == [
        "lead@example.com", "manager@example.com", "wang@example.com"]


def test_two_workers_at_once_notify_each_level_once(ladder_app, smtp):
    app = ladder_app
    errors, barrier = [], threading.Barrier(2)

    def worker():
        try:
            with app.app_context():
                barrier.wait()
                run_escalations(local(2026, 3, 10, 10, 0))            # past 100%
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert _levels(app) == [(app.ticket_id, 1), (app.ticket_id, 2), (app.ticket_id, 3)]
    with app.app_context():
        assert Notice.select().count() == 3
    assert len(smtp.messages) == 3


def test_an_angry_ticket_goes_to_the_team_lead_at_once(ladder_app, escalated):
    app, (_plugin, seen) = ladder_app, escalated
    with app.app_context():
        angry = OpenTicket(now=local(2026, 3, 9, 9, 0), kind="complaint",
                           subject="太失望了，店员态度恶劣",
                           description="东西坏了，你们不处理我就投诉到消协",
                           team=None).run()
        calm = OpenTicket(now=local(2026, 3, 9, 9, 0), kind="consultation",
                          subject="我想咨询一下会员积分怎么用").run()
        assert Ticket.get_by_id(angry.id).sentiment < 0.03
        assert Ticket.get_by_id(calm.id).sentiment > 0.03
    assert (angry.id, 2) in seen and not any(t == calm.id for t, _ in seen)
    assert (angry.id, 2) in _levels(app)
