"""Licence and contract expiry reminders fire once per item and threshold, to the
supplier's responsible role in the console and by e-mail (a real SMTP server)."""
import datetime as dt
import socket

import pytest
from aiosmtpd.controller import Controller

from zhanggui_suppliers.tests.helpers import contract_for


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.content.decode("utf-8", "replace")))
        return "250 OK"


@pytest.fixture
def smtp():
    inbox = Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture
def mall(make_app, smtp):
    _inbox, port = smtp
    app = make_app(plugins=["suppliers"], config={
        "SUPPLIERS_SMTP_HOST": "127.0.0.1", "SUPPLIERS_SMTP_PORT": port,
        "SUPPLIERS_REMINDER_DAYS": [60, 30, 7]})
    with app.app_context():
        from zhanggui.users import create_user

        buyer = create_user("buyer1", "Buyer-password-1", role="Buyer")
        buyer_email = buyer.email
        yield app, buyer_email


def test_a_licence_reminder_fires_once_per_threshold_across_reruns(mall, smtp):
    from zhanggui_suppliers.directory.models import Licence, Supplier
    from zhanggui_suppliers.reminders.models import Reminder
    from zhanggui_suppliers.reminders.service import send_reminders

    _app, buyer_email = mall
    inbox, _port = smtp
    today = dt.date(2026, 5, 1)
    supplier = Supplier.create(code="S9", name="雪肌堂", owner_role="Buyer")
    Licence.create(supplier=supplier, kind="cosmetics_permit", number="粤妆20160012",
                   expires_on=today + dt.timedelta(days=45))
    Licence.create(supplier=supplier, kind="business_licence", number="91310000X",
                   expires_on=today + dt.timedelta(days=400))

    assert send_reminders(today) == 1                    # 45 days: the 60-day threshold
    assert send_reminders(today) == 0                    # the rerun sends nothing
    assert send_reminders(today + dt.timedelta(days=1)) == 0
    assert send_reminders(today + dt.timedelta(days=15)) == 1     # 30 days left
    assert [(r.threshold, r.role) for r in Reminder.select().order_by(Reminder.threshold)] \
        == [(30, "Buyer"), (60, "Buyer")]
    assert len(inbox.messages) == 2
    recipients, content = inbox.messages[0]
    assert recipients == [buyer_email] and "粤妆20160012" in content


def test_a_contract_ending_soon_is_reminded_with_its_store(mall, smtp):
    from zhanggui_suppliers.reminders.models import Reminder
    from zhanggui_suppliers.reminders.service import send_reminders

    contract_for(ends_on=dt.date(2026, 6, 5))
    # the job was down: 5 days left crosses 60, 30 and 7 at once — one mail, three rows
    assert send_reminders(dt.date(2026, 5, 31)) == 3
    assert send_reminders(dt.date(2026, 6, 1)) == 0
    assert {r.store_code for r in Reminder.select()} == {"SH01"}
    assert len(smtp[0].messages) == 1


def test_a_mail_server_that_is_down_leaves_the_reminder_for_the_next_run(make_app):
    app = make_app(plugins=["suppliers"], config={"SUPPLIERS_SMTP_HOST": "127.0.0.1",
                                                  "SUPPLIERS_SMTP_PORT": 9})
    with app.app_context():
        from zhanggui.users import create_user
        from zhanggui_suppliers.directory.models import Licence, Supplier
        from zhanggui_suppliers.reminders.models import Reminder
        from zhanggui_suppliers.reminders.service import send_reminders

        create_user("buyer2", "Buyer-password-1", role="Buyer")
        supplier = Supplier.create(code="S8", name="花漾", owner_role="Buyer")
        Licence.create(supplier=supplier, kind="food_permit", number="JY131",
                       expires_on=dt.date(2026, 5, 3))
        assert send_reminders(dt.date(2026, 5, 1)) == 0
        assert Reminder.select().count() == 0


def test_a_follow_up_of_the_communication_log_is_reminded_once_when_due(mall, smtp):
    from zhanggui_suppliers.directory.models import Communication, Supplier
    from zhanggui_suppliers.reminders.models import Reminder
    from zhanggui_suppliers.reminders.service import send_reminders

    supplier = Supplier.create(code="S7", name="云裳", owner_role="Buyer")
    talk = Communication.create(supplier=supplier, kind="visit", subject="秋装进场",
                                follow_up_on=dt.date(2026, 5, 10))
    assert send_reminders(dt.date(2026, 5, 9)) == 0
    assert send_reminders(dt.date(2026, 5, 10)) == 1
    assert send_reminders(dt.date(2026, 5, 12)) == 0
    assert Reminder.get().kind == "follow_up"
    talk.follow_up_done = True
    talk.save()
    assert "秋装进场" in smtp[0].messages[0][1]
