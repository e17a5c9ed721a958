"""SLA deadlines in business time, checked against hand-computed cases.

Working hours Monday-Friday 09:00-18:00 Shanghai time (9 hours a day); mainland
public holidays off.  2026-03-06 is a Friday; National Day 2026 makes 1-7 October
days off (1-3 National Day, 5 observed, 6-7 moved days off), 8 October is a Thursday.
"""
import datetime as dt

from zhanggui_callcenter.sla.calendar import BusinessCalendar
from zhanggui_callcenter.sla.service import earliest_deadline, elapsed_share
from zhanggui_callcenter.tickets.models import Ticket
from zhanggui_callcenter.tickets.service import AddMessage, ChangeStatus, OpenTicket
from zhanggui_callcenter.tests.helpers import local, office_hours_policy


def _open(now, **fields):
    fields = {"kind": "complaint", "subject": "退货没有处理", "priority": "high", **fields}
    return OpenTicket(now=now, **fields).run()


def test_a_deadline_on_friday_afternoon_runs_over_the_weekend(cc_app):
    with cc_app.app_context():
        office_hours_policy(response=120)
        ticket = _open(local(2026, 3, 6, 17, 0))
        # Friday 17:00-18:00 is one hour, Monday 09:00-10:00 the second
        assert ticket.response_due_at == local(2026, 3, 9, 10, 0)
        # 16 hours: Fri 1h, Mon 9h, Tue 6h -> Tuesday 15:00
        assert ticket.resolution_due_at == local(2026, 3, 10, 15, 0)
        assert earliest_deadline(ticket) == local(2026, 3, 9, 10, 0)


def test_a_ticket_opened_at_night_starts_counting_next_morning(cc_app):
    with cc_app.app_context():
        office_hours_policy(response=30)
        ticket = _open(local(2026, 3, 3, 22, 15))                 # Tuesday night
        assert ticket.response_due_at == local(2026, 3, 4, 9, 30)


def test_national_day_holidays_do_not_count(cc_app):
    with cc_app.app_context():
        office_hours_policy(response=120)
        ticket = _open(local(2026, 9, 30, 17, 0))                # Wednesday before
        # 30 Sep 17:00-18:00, then 1-7 October off (weekend inside), 8 Oct 09:00-10:00
        assert ticket.response_due_at == local(2026, 10, 8, 10, 0)


def test_the_clock_pauses_while_waiting_for_the_customer(cc_app):
    with cc_app.app_context():
        office_hours_policy(resolution=16 * 60)
        ticket = _open(local(2026, 3, 9, 9, 0))                   # Monday 09:00
        assert ticket.resolution_due_at == local(2026, 3, 10, 16, 0)
        AddMessage(ticket, "reply", "请提供小票照片", now=local(2026, 3, 9, 9, 30)).run()
        ChangeStatus(ticket, "waiting_customer", now=local(2026, 3, 9, 15, 0)).run()
        # 6 business hours used, 10 left; the customer answers Wednesday 10:00
        paused = Ticket.get_by_id(ticket.id)
        assert elapsed_share(paused, local(2026, 3, 11, 9, 0)) == 6 / 16   # stands still
        ChangeStatus(ticket, "open", now=local(2026, 3, 11, 10, 0)).run()
        resumed = Ticket.get_by_id(ticket.id)
        # Wednesday 10:00-18:00 is 8 hours, Thursday 09:00-11:00 the last 2
        assert resumed.resolution_due_at == local(2026, 3, 12, 11, 0)
        assert resumed.paused_at is None and resumed.resolution_breached_at is None


def test_a_pause_across_a_weekend_and_a_holiday(cc_app):
    with cc_app.app_context():
        office_hours_policy(resolution=4 * 60)
        ticket = _open(local(2026, 9, 30, 14, 0))   # due 30 Sep 18:00
        ChangeStatus(ticket, "waiting_third_party", now=local(2026, 9, 30, 16, 0)).run()
        ChangeStatus(ticket, "open", now=local(2026, 10, 8, 9, 0)).run()
        # 2 hours were left at the pause; resumed Thursday 8 Oct 09:00
        assert Ticket.get_by_id(ticket.id).resolution_due_at == local(2026, 10, 8, 11, 0)


def test_a_breach_stays_recorded_after_the_ticket_is_resolved(cc_app):
    with cc_app.app_context():
        office_hours_policy(response=60, resolution=120)
        ticket = _open(local(2026, 3, 9, 9, 0))
        AddMessage(ticket, "note", "内部：先查库存", now=local(2026, 3, 9, 9, 30)).run()
        late = AddMessage(ticket, "reply", "您好，已经处理", now=local(2026, 3, 9, 10, 30)).run()
        assert late.ticket.response_breached_at == local(2026, 3, 9, 10, 0)
        ChangeStatus(ticket, "resolved", now=local(2026, 3, 9, 10, 45)).run()
        done = Ticket.get_by_id(ticket.id)
        assert done.response_breached_at == local(2026, 3, 9, 10, 0)
        assert done.resolution_breached_at is None
        ChangeStatus(done, "open", now=local(2026, 3, 9, 12, 0)).run()   # reopened late
        ChangeStatus(done, "resolved", now=local(2026, 3, 9, 12, 30)).run()
        assert Ticket.get_by_id(ticket.id).resolution_breached_at == local(2026, 3, 9, 11, 0)


def test_the_first_matching_policy_by_rank_applies(cc_app):
    with cc_app.app_context():
        office_hours_policy(name="投诉加急", response=30, rank=1, kinds="complaint",
                            priorities="urgent,high")
        office_hours_policy(name="一般", response=240, rank=10)
        urgent = _open(local(2026, 3, 9, 9, 0))
        question = _open(local(2026, 3, 9, 9, 0), kind="consultation", priority="normal")
        assert urgent.sla_policy.name == "投诉加急"
        assert urgent.response_due_at == local(2026, 3, 9, 9, 30)
        assert question.sla_policy.name == "一般"
        assert question.response_due_at == local(2026, 3, 9, 13, 0)


def test_hours_in_taipei_with_taiwan_holidays():
    cal = BusinessCalendar({d: [(dt.time(10), dt.time(19))] for d in range(7)},
                           region="TW", timezone="Asia/Taipei")
    start = dt.datetime(2026, 10, 8, 18, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    # 8 Oct 18:00-19:00; 9 Oct (observed) and 10 Oct (National Day) off; 11 Oct 10:00-11:00
    due = cal.add(start, 2 * 3600)
    assert due == dt.datetime(2026, 10, 11, 11, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert cal.seconds_between(start, due) == 2 * 3600
