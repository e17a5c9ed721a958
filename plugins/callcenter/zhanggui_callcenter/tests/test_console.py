"""The agent's workbench gets only its own pops; tickets are handled in the console;
the member 360° view shows the member's tickets."""
import io

from zhanggui.testing import ADMIN_PASSWORD
from zhanggui_callcenter.tickets.models import Ticket, TicketAttachment, TicketMessage
from zhanggui_callcenter.tests.conftest import make_agent


def _signed_in(app, login, username):
    client = app.test_client()
    assert login(client, username, ADMIN_PASSWORD).status_code == 302
    return client


def _csrf(client, path):
    import re

    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)


def test_each_agent_polls_only_their_own_pops(cc_app, pbx, member, login):
    make_agent(cc_app, "li", "8001")
    make_agent(cc_app, "zhang", "8002")
    li, zhang = _signed_in(cc_app, login, "li"), _signed_in(cc_app, login, "zhang")
    page = li.get("/callcenter/console/").get_data(as_text=True)
    assert 'data-cursor="0"' in page and "8001" in page
    pbx.event("c-1", "started", caller="13800138000", extension="8001")
    pops = li.get("/callcenter/console/pops?after=0").get_json()["pops"]
    assert [p["call"]["call_id"] for p in pops] == ["c-1"]
    assert pops[0]["pop"]["member"]["name"] == "王芳"
    assert zhang.get("/callcenter/console/pops?after=0").get_json()["pops"] == []
    cursor = pops[0]["cursor"]
    assert li.get(f"/callcenter/console/pops?after={cursor}").get_json()["pops"] == []
    assert li.get("/callcenter/console/pops?after=x").status_code == 422


def test_a_user_without_an_extension_is_told_so(cc_app, login):
    from zhanggui_callcenter.tests.conftest import make_user

    make_user(cc_app, "newbie", "Call-center agent")
    client = _signed_in(cc_app, login, "newbie")
    page = client.get("/callcenter/console/").get_data(as_text=True)
    assert "zg-no-extension" in page and "您还没有分机号" in page        # zh_CN by default
    answer = client.get("/callcenter/console/pops?after=0").get_json()
    assert answer["pops"] == [] and answer["message"] == "您还没有分机号。"


def test_an_agent_opens_replies_attaches_and_closes_a_ticket(cc_app, member, login):
    make_agent(cc_app, "li", "8001")
    client = _signed_in(cc_app, login, "li")
    token = _csrf(client, "/ticketview/add")
    created = client.post("/ticketview/add", data={
        "csrf_token": token, "kind": "complaint", "priority": "high", "channel": "phone",
        "subject": "面霜过敏", "description": "用了三天脸红", "member_id": str(member),
        "store_code": "SH01", "counter_code": "SH01-COS01"})
    assert created.status_code == 302
    with cc_app.app_context():
        ticket = Ticket.get()
        assert ticket.member_id == member and ticket.status == "new"
    base = f"/callcenter/tickets/{ticket.id}"
    client.post(f"{base}/message", data={"csrf_token": token, "kind": "reply",
                                         "body": "您好，请到专柜退货"})
    client.post(f"{base}/message", data={"csrf_token": token, "kind": "note", "body": ""})
    client.post(f"{base}/attach", data={"csrf_token": token,
                                        "file": (io.BytesIO(b"%PDF-1.4 receipt"), "../../小票.pdf")},
                content_type="multipart/form-data")
    refused = client.post(f"{base}/attach", data={
        "csrf_token": token, "file": (io.BytesIO(b"<script>"), "x.html")},
        content_type="multipart/form-data", follow_redirects=True)
    assert "不能上传此类型的文件" in refused.get_data(as_text=True)      # zh_CN by default
    client.post(f"{base}/status", data={"csrf_token": token, "status": "closed"})
    with cc_app.app_context():
        done = Ticket.get_by_id(ticket.id)
        assert done.status == "closed" and done.first_responded_at is not None
        assert [m.kind for m in TicketMessage.select()] == ["reply"]   # the empty note refused
        [attachment] = TicketAttachment.select()
        assert attachment.filename == "小票.pdf" and ".." not in attachment.stored_name
    download = client.get(f"/callcenter/tickets/attachment/{attachment.id}")
    assert download.data == b"%PDF-1.4 receipt"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in download.headers["Content-Disposition"]
    show = client.get(f"/ticketview/show/{ticket.id}").get_data(as_text=True)
    assert "您好，请到专柜退货" in show and "小票.pdf" in show


def test_duplicates_merge_into_one_ticket(cc_app, login):
    from zhanggui_callcenter.tickets.service import MergeTickets, OpenTicket
    from zhanggui_callcenter.tickets.complaints import complaints_per_counter
    from zhanggui_callcenter.tests.helpers import local

    with cc_app.app_context():
        first = OpenTicket(kind="complaint", subject="拉链坏了", counter_code="SH01-WOM").run()
        second = OpenTicket(kind="complaint", subject="拉链坏了（重复）",
                            counter_code="SH01-WOM").run()
        MergeTickets(second, first).run()
        assert Ticket.get_by_id(second.id).status == "merged"
        assert Ticket.get_by_id(second.id).merged_into_id == first.id
        counts = complaints_per_counter(["SH01-WOM", "SH01-COS"], local(2000, 1, 1),
                                        local(2100, 1, 1))
        assert counts == {"SH01-WOM": 1}


def test_suppliers_can_ask_for_complaints_per_counter_through_the_hook(cc_app):
    from zhanggui import plugins
    from zhanggui_callcenter.tickets.service import OpenTicket
    from zhanggui_callcenter.tests.helpers import local

    with cc_app.app_context():
        OpenTicket(kind="complaint", subject="态度差", counter_code="BJ01-SHB").run()
        OpenTicket(kind="consultation", subject="营业时间", counter_code="BJ01-SHB").run()
        answers = plugins().pm.hook.zhanggui_counter_complaints(
            counter_codes=["BJ01-SHB"], start=local(2000, 1, 1), end=local(2100, 1, 1))
        assert {"BJ01-SHB": 1} in answers


def test_the_member_360_view_lists_the_members_tickets(app, admin_client):
    """The panel arrives through zhanggui_member_panels on the member's show page."""
    from zhanggui_callcenter.tickets.service import OpenTicket
    from zhanggui_members.profile.services import register_member

    with app.app_context():
        member = register_member(name="赵敏", phone="13600136000")
        OpenTicket(kind="return", subject="尺码不合适想换货", member_id=member.id).run()
    page = admin_client.get(f"/memberview/show/{member.id}").get_data(as_text=True)
    assert "zg-member-tickets" in page and "尺码不合适想换货" in page
