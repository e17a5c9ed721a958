"""The core's notification service: the inbox at once, e-mail through a real SMTP
server (aiosmtpd), SMS through the gateway hook, preferences and quiet hours, and an
outbox that never sends a row twice."""
import datetime as dt
import socket

import pytest
from aiosmtpd.controller import Controller


class Mailbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.content.decode("utf-8", "replace")))
        return "250 OK"


@pytest.fixture
def smtp():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    box.url = f"smtp://127.0.0.1:{port}"
    yield box
    controller.stop()


@pytest.fixture
def notify_app(make_app, make_plugin, smtp):
    sent = []
    import types

    carrier = types.SimpleNamespace(
        send=lambda mobile, text, reference: sent.append((mobile, text)) or reference)
    gateway = make_plugin("fake_sms_gateway", zhanggui_sms_gateway=lambda: carrier)
    app = make_app(plugins=[], extra_plugins=[gateway],
                   config={"MAIL_URL": smtp.url, "MAIL_FROM": "crm@example.com",
                           "QUEUE_URL": "memory://"})
    with app.app_context():
        from zhanggui.users import create_user

        user = create_user("ling", "x" * 12, role="Store staff", email="ling@example.com")
        yield app, user.id, sent


def test_a_notification_lands_in_the_inbox_and_goes_by_e_mail_once(notify_app, smtp):
    from zhanggui.notifications import notify, send_due, unread

    app, user_id, _sms = notify_app
    notify([user_id], "office.approval", "Approval waiting: paint", "Please decide.")
    assert [n.title for n in unread(user_id)] == ["Approval waiting: paint"]
    assert send_due() == {"sent": 1, "failed": 0, "skipped": 0}
    assert send_due() == {"sent": 0, "failed": 0, "skipped": 0}    # never twice
    [(to, content)] = smtp.messages
    assert to == ["ling@example.com"] and "Please decide." in content


def test_sms_goes_through_the_gateway_when_the_user_chose_it(notify_app, smtp):
    from zhanggui.notifications import notify, send_due, set_channels
    from zhanggui.notifications.models import NotificationProfile

    app, user_id, sms = notify_app
    NotificationProfile.create(user_id=user_id, mobile="13800000000")
    set_channels(user_id, "office.approval", ["sms"])
    notify([user_id], "office.approval", "Urgent: contract", urgent=True)
    notify([user_id], "office.bulletin", "Store meeting")          # default: e-mail
    assert send_due() == {"sent": 2, "failed": 0, "skipped": 0}
    assert sms == [("13800000000", "Urgent: contract")]
    assert len(smtp.messages) == 1


def test_without_a_gateway_sms_is_skipped_and_the_rest_still_goes(make_app, smtp):
    app = make_app(plugins=[], config={"MAIL_URL": smtp.url, "QUEUE_URL": "memory://"})
    with app.app_context():
        from zhanggui.notifications import notify, send_due, set_channels
        from zhanggui.notifications.models import NotificationDelivery, NotificationProfile
        from zhanggui.users import create_user

        user_id = create_user("ming", "x" * 12, role="Store staff", email="m@example.com").id
        NotificationProfile.create(user_id=user_id, mobile="13800000001")
        set_channels(user_id, "*", ["email", "sms"])
        notify([user_id], "office.task", "Task due")
        assert send_due() == {"sent": 1, "failed": 0, "skipped": 1}
        assert {d.channel: d.status for d in NotificationDelivery.select()} == \
            {"email": "sent", "sms": "skipped"}


def test_quiet_hours_hold_e_mail_until_they_end_but_not_urgent_ones(notify_app, smtp):
    from zhanggui.notifications import notify, send_due
    from zhanggui.notifications.models import NotificationProfile

    app, user_id, _sms = notify_app
    NotificationProfile.create(user_id=user_id, quiet_start=dt.time(22, 0),
                               quiet_end=dt.time(8, 0), timezone="Asia/Shanghai")
    night = dt.datetime(2026, 3, 2, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    notify([user_id], "office.task", "Tomorrow's task", now=night)
    notify([user_id], "office.approval", "Urgent approval", urgent=True, now=night)
    assert send_due(now=night) == {"sent": 1, "failed": 0, "skipped": 0}
    assert "Urgent approval" in smtp.messages[0][1]
    morning = night.replace(hour=8, minute=1) + dt.timedelta(days=1)
    assert send_due(now=morning) == {"sent": 1, "failed": 0, "skipped": 0}


def test_an_unreachable_smtp_server_is_retried_later_not_lost(make_app):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()[1]
    app = make_app(plugins=[], config={"MAIL_URL": f"smtp://127.0.0.1:{dead}",
                                       "QUEUE_URL": "memory://"})
    with app.app_context():
        from zhanggui.notifications import notify, send_due
        from zhanggui.notifications.models import NotificationDelivery
        from zhanggui.users import create_user

        user_id = create_user("hua", "x" * 12, role="Store staff", email="h@example.com").id
        notify([user_id], "office.task", "Task due")
        assert send_due()["failed"] == 1
        row = NotificationDelivery.get()
        assert (row.status, row.attempts) == ("pending", 1) and row.error


def test_a_malformed_mail_url_stops_start_up(make_app):
    from zhanggui.config import ConfigError

    with pytest.raises(ConfigError, match="MAIL_URL"):
        make_app(plugins=[], config={"MAIL_URL": "http://example.com"}, migrate=False)


def test_the_console_inbox_shows_ones_own_notifications_and_marks_them_read(
        app, create_user, login):
    from zhanggui.testing import ADMIN_PASSWORD, _csrf_token

    with app.app_context():
        from zhanggui.notifications import notify
        from zhanggui.notifications.models import Notification

        me = create_user("qiang", "Store staff").id
        other = create_user("wei", "Store staff").id
        notify([me], "office.task", "Count the stockroom")
        notify([other], "office.task", "Someone else's task")
    client = app.test_client()
    login(client, "qiang", ADMIN_PASSWORD)
    page = client.get("/notifications/").get_data(as_text=True)
    assert "Count the stockroom" in page and "Someone else's task" not in page
    with app.app_context():
        mine = Notification.get(Notification.user_id == me)
        theirs = Notification.get(Notification.user_id == other)
    token = _csrf_token(page)
    client.post(f"/notifications/read/{theirs.id}", data={"csrf_token": token})
    client.post(f"/notifications/read/{mine.id}", data={"csrf_token": token})
    with app.app_context():
        assert Notification.get_by_id(mine.id).read_at is not None
        assert Notification.get_by_id(theirs.id).read_at is None
