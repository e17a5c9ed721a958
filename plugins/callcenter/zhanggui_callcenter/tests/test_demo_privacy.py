"""The demo chain has calls, tickets across SLA states and a callback list; a member's
call-center data is exported, erased and moved with a merge."""
import datetime as dt

from zhanggui import DemoContext
from zhanggui_callcenter.callbacks.models import CallbackList, CallbackTask
from zhanggui_callcenter.calls.models import Call
from zhanggui_callcenter.tickets.models import Ticket, TicketMessage
from zhanggui_callcenter.tickets.service import AddMessage, OpenTicket


def test_the_demo_has_calls_tickets_in_every_state_and_a_callback_list(cc_app):
    from zhanggui_callcenter.tests.conftest import make_user

    make_user(cc_app, "agent01", "Call-center agent")
    with cc_app.app_context():
        ctx = DemoContext(seed=7, members=300, quiet=True, as_of=dt.date(2026, 3, 1))
        cc_app.extensions["zhanggui"].plugins.demo_data(ctx)
        assert Call.select().count() == 120
        statuses = {t.status for t in Ticket.select()}
        assert {"open", "waiting_customer", "resolved", "closed"} <= statuses
        assert Ticket.select().where(Ticket.resolution_breached_at.is_null(False)).exists()
        assert {t.store_code for t in Ticket.select()} == {"SH01", "BJ01"}
        assert CallbackList.select().count() == 1
        from zhanggui_callcenter.callbacks.service import refresh_callback_lists

        assert refresh_callback_lists(now=dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc)) > 0
        assert CallbackTask.select().exists()
        assert refresh_callback_lists(now=dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc)) == 0
        assert ctx.created["calls"] == 120


def test_export_erase_and_merge_cover_calls_and_tickets(cc_app, pbx, member):
    from zhanggui import plugins
    from zhanggui_members.profile.services import register_member

    pbx.event("c-1", "started", caller="13800138000", notes="投诉")
    with cc_app.app_context():
        ticket = OpenTicket(kind="complaint", subject="面霜过敏", member_id=member).run()
        AddMessage(ticket, "reply", "请到专柜退货").run()
        host = plugins()
        sections = {s.name: s.rows for s in host.export_member(member)
                    if s.name.startswith("callcenter")}
        assert sections["callcenter.calls"][0]["phone"] == "+8613800138000"
        assert sections["callcenter.tickets"][0]["messages"][0]["body"] == "请到专柜退货"

        other = register_member(name="另一个", phone="13900139000")
        host.pm.hook.zhanggui_merge_members(source_id=member, target_id=other.id)
        assert Call.get().member_id == other.id and Ticket.get().member_id == other.id

        done = host.erase_member(other.id)
        assert any("callcenter: 1 calls" == d for d in done)
        call, erased = Call.get(), Ticket.get()
        assert call.phone is None and call.notes is None and call.member_id is None
        assert erased.subject == "[erased]" and erased.member_id is None
        assert erased.kind == "complaint"                       # statistics stay
        assert TicketMessage.get().body == "[erased]"
