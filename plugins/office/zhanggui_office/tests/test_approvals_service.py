"""Approvals through the service: paths, conditions, all-of / any-of steps,
self-approval, delegation, the snapshot and the decision event."""
import datetime as dt

import pytest

from zhanggui import _, utcnow
from zhanggui_office.approvals.models import ApprovalRequest, Decision, RequestStep
from zhanggui_office.approvals.service import (ApprovalError, CancelRequest, Decide, Delegate,
                                               OpenRequest, inbox)

from .conftest import workflow


def open_request(who, payload=None, kind="office.expense", subject="Printer paper"):
    return OpenRequest(kind, subject, who, payload or {"store": "SH01",
                                                       "amount": "120.00"}).run()


def test_a_two_step_request_is_approved_only_after_both_steps(office_app, staff):
    workflow("office.expense", [("any", "role:Store manager"),
                                ("any", "role:Head-office admin")])
    request = open_request(staff.alice)
    assert [i["request"].id for i in inbox(staff.bob)] == [request.id]
    assert inbox(staff.dave) == []                      # step 2 is not open yet
    first = Decide(request.id, staff.bob, "approve").run()
    assert not first.finished and first.request.status == "pending"
    with pytest.raises(ApprovalError):                  # bob cannot decide step 2
        Decide(request.id, staff.bob, "approve").run()
    assert inbox(staff.carol) == []                     # any-of: step 1 is done
    final = Decide(request.id, staff.dave, "approve").run()
    assert final.finished and final.request.status == "approved"


def test_the_requester_never_approves_their_own_request(office_app, staff):
    workflow("office.expense", [("any", "role:Store manager")])
    request = open_request(staff.bob)                   # bob is a store manager himself
    assert inbox(staff.bob) == []
    with pytest.raises(ApprovalError) as exc:
        Decide(request.id, staff.bob, "approve").run()
    assert exc.value.messages == {"request": [_("You cannot decide your own request.")]}
    assert Decide(request.id, staff.carol, "approve").run().finished


def test_a_step_may_allow_the_requester_to_approve(office_app, staff):
    workflow("office.expense", [("any", "role:Store manager",
                                 {"allow_self_approval": True})])
    request = open_request(staff.bob)
    assert Decide(request.id, staff.bob, "approve").run().finished


def test_an_all_of_step_needs_every_approver_and_one_person_counts_once(office_app, staff):
    workflow("office.expense", [("all", "role:Store manager\nrole:Head-office admin")])
    request = open_request(staff.alice)
    assert not Decide(request.id, staff.bob, "approve").run().finished
    with pytest.raises(ApprovalError):
        Decide(request.id, staff.bob, "approve").run()
    with pytest.raises(ApprovalError):                  # carol's role's slot is taken
        Decide(request.id, staff.carol, "approve").run()
    assert Decide(request.id, staff.dave, "approve").run().request.status == "approved"


def test_conditions_on_the_fields_choose_the_path(office_app, staff):
    workflow("office.expense", [("any", "role:Store manager")], condition="amount < 5000",
             priority=1, name="small")
    big = workflow("office.expense", [("any", "role:Store manager"),
                                      ("any", "role:Head-office admin",
                                       {"condition": "amount >= 20000"})],
                   priority=2, name="large")
    small = open_request(staff.alice, {"store": "SH01", "amount": "4999.99"})
    medium = open_request(staff.alice, {"store": "SH01", "amount": "6000"})
    large = open_request(staff.alice, {"store": "SH01", "amount": "25000"})
    assert small.workflow_name == "small"
    assert medium.workflow_id == big.id and medium.steps.count() == 1
    assert large.steps.count() == 2


def test_store_approvers_are_the_requests_stores_managers(office_app, staff):
    workflow("office.expense", [("any", "role:Store manager")])
    request = open_request(staff.alice, {"store": "SH01", "amount": "10"})
    assert inbox(staff.frank) == []                     # BJ01's manager
    with pytest.raises(ApprovalError):
        Decide(request.id, staff.frank, "approve").run()


def test_a_rejection_ends_the_request_and_needs_a_reason(office_app, staff):
    workflow("office.expense", [("any", "role:Store manager"),
                                ("any", "role:Head-office admin")])
    request = open_request(staff.alice)
    with pytest.raises(ApprovalError) as exc:
        Decide(request.id, staff.bob, "reject", "").run()
    assert "comment" in exc.value.messages
    outcome = Decide(request.id, staff.bob, "reject", "No budget left").run()
    assert outcome.finished and outcome.request.status == "rejected"
    assert [s.status for s in RequestStep.select().order_by(RequestStep.position)] == \
        ["rejected", "cancelled"]
    with pytest.raises(ApprovalError):
        Decide(request.id, staff.carol, "approve").run()


def test_a_delegate_decides_while_the_approver_is_away(office_app, staff):
    workflow("office.expense", [("any", "user:dave")])
    request = open_request(staff.alice)
    now = utcnow()
    Delegate(staff.dave, staff.erin, now - dt.timedelta(hours=1),
             now + dt.timedelta(days=3)).run()
    assert [i["on_behalf_of"] for i in inbox(staff.erin)] == [staff.dave]
    outcome = Decide(request.id, staff.erin, "approve").run()
    assert outcome.finished
    decision = Decision.get()
    assert (decision.decided_by_id, decision.on_behalf_of_id) == (staff.erin, staff.dave)


def test_a_requester_cannot_approve_as_someone_elses_delegate(office_app, staff):
    workflow("office.expense", [("any", "user:dave")])
    now = utcnow()
    Delegate(staff.dave, staff.alice, now - dt.timedelta(hours=1),
             now + dt.timedelta(days=3)).run()
    request = open_request(staff.alice)
    assert inbox(staff.alice) == []
    with pytest.raises(ApprovalError):
        Decide(request.id, staff.alice, "approve").run()


def test_a_delegation_that_ended_gives_nothing(office_app, staff):
    workflow("office.expense", [("any", "user:dave")])
    now = utcnow()
    Delegate(staff.dave, staff.erin, now - dt.timedelta(days=3),
             now - dt.timedelta(days=1)).run()
    request = open_request(staff.alice)
    with pytest.raises(ApprovalError):
        Decide(request.id, staff.erin, "approve").run()


def test_delegation_input_is_checked(office_app, staff):
    now = utcnow()
    with pytest.raises(ApprovalError) as exc:
        Delegate(staff.dave, staff.dave, now, now - dt.timedelta(days=1)).run()
    assert set(exc.value.messages) == {"delegate", "ends_at"}


def test_later_edits_of_the_record_do_not_change_the_snapshot(office_app, staff):
    workflow("office.expense", [("any", "role:Store manager")])
    payload = {"store": "SH01", "amount": "100.00", "lines": [{"what": "paper"}]}
    request = open_request(staff.alice, payload)
    payload["amount"] = "99999.00"
    payload["lines"].append({"what": "a car"})
    stored = ApprovalRequest.get_by_id(request.id)
    assert stored.data() == {"store": "SH01", "amount": "100.00", "lines": [{"what": "paper"}]}


def test_a_workflow_edited_later_keeps_the_path_of_requests_in_flight(office_app, staff):
    from zhanggui_office.approvals.models import WorkflowStep

    flow = workflow("office.expense", [("any", "role:Store manager"),
                                       ("any", "role:Head-office admin")])
    request = open_request(staff.alice)
    WorkflowStep.delete().where((WorkflowStep.workflow == flow)
                                & (WorkflowStep.position == 2)).execute()
    Decide(request.id, staff.bob, "approve").run()
    assert ApprovalRequest.get_by_id(request.id).status == "pending"
    assert Decide(request.id, staff.dave, "approve").run().finished


def test_with_no_workflow_head_office_decides(office_app, staff):
    request = open_request(staff.alice, kind="members.erasure")
    assert inbox(staff.bob) == []
    assert [i["request"].id for i in inbox(staff.dave)] == [request.id]


def test_bad_requests_are_refused_with_field_messages(office_app, staff):
    with pytest.raises(ApprovalError) as exc:
        OpenRequest("Not A Kind", "", 987654, ["x"]).run()
    assert set(exc.value.messages) == {"kind", "subject", "requested_by", "payload"}
    with pytest.raises(ApprovalError) as exc:
        OpenRequest("office.expense", "x\x00", staff.alice, {"a": "\x00"}).run()
    assert set(exc.value.messages) == {"subject", "payload"}
    assert ApprovalRequest.select().count() == 0


def test_the_decision_event_fires_once_with_the_reference(make_app, make_plugin):
    seen = []
    listener = make_plugin("listener", zhanggui_approval_decided=lambda kind, reference,
                           approved, decided_by, comment: seen.append((kind, reference,
                                                                       approved)))
    app = make_app(plugins=["office"], extra_plugins=[listener])
    with app.app_context():
        from zhanggui import plugins
        from zhanggui.users import create_user

        asker = create_user("asker", "x" * 12, role="Store staff").id
        boss = create_user("boss", "x" * 12, role="Head-office admin").id
        reference = plugins().call_first("zhanggui_request_approval", kind="suppliers.contract",
                                         subject="Contract 7", requested_by=asker,
                                         payload={"amount": "1"})
        request = ApprovalRequest.get(ApprovalRequest.reference == reference)
        Decide(request.id, boss, "approve").run()
        with pytest.raises(ApprovalError):
            Decide(request.id, boss, "approve").run()
    assert seen == [("suppliers.contract", reference, True)]


def test_the_requester_withdraws_a_pending_request(office_app, staff):
    workflow("office.expense", [("any", "role:Store manager")])
    request = open_request(staff.alice)
    assert CancelRequest(request.id, staff.alice).run().status == "cancelled"
    assert inbox(staff.bob) == []
    with pytest.raises(ApprovalError):
        Decide(request.id, staff.bob, "approve").run()


def test_approvers_read_the_summary_the_requesting_plugin_renders(make_app, make_plugin):
    from zhanggui_office.approvals.service import summary

    def render(kind, reference, snapshot):
        if kind != "suppliers.contract":
            return None
        return [("Deduction rate", f"{snapshot['rate']}%"), ("Counter", snapshot["counter"])]

    suppliers = make_plugin("fake_suppliers", zhanggui_approval_summary=render)
    app = make_app(plugins=["office"], extra_plugins=[suppliers])
    with app.app_context():
        from zhanggui.users import create_user

        asker = create_user("asker", "x" * 12, role="Buyer").id
        contract = OpenRequest("suppliers.contract", "Counter 12", asker,
                               {"rate": "18.5", "counter": "花漾美妆"}).run()
        other = OpenRequest("campaigns.activity", "Spring fair", asker, {"budget": "100"}).run()
        assert summary(contract) == [("Deduction rate", "18.5%"), ("Counter", "花漾美妆")]
        assert [value for _label, value in summary(other)] == ["100"]


def test_deadlines_remind_then_escalate_once_however_often_the_job_runs(office_app, staff):
    from zhanggui.notifications.models import Notification
    from zhanggui_office.approvals.jobs import run_deadlines

    workflow("office.expense", [("any", "user:bob", {"deadline_hours": 4,
                                                     "escalate_to": "user:dave"})])
    request = open_request(staff.alice)
    start = utcnow()
    assert run_deadlines(start + dt.timedelta(hours=1))["reminded"] == 0
    late = start + dt.timedelta(hours=5)
    assert run_deadlines(late)["reminded"] == 1
    assert run_deadlines(late)["reminded"] == 0
    reminders = Notification.select().where((Notification.user_id == staff.bob)
                                            & Notification.urgent)
    assert reminders.count() == 1
    assert inbox(staff.dave) == []
    later = start + dt.timedelta(hours=7)
    assert run_deadlines(later)["escalated"] == 1
    assert run_deadlines(later)["escalated"] == 0
    assert [i["request"].id for i in inbox(staff.dave)] == [request.id]
    assert Decide(request.id, staff.dave, "approve").run().finished


def test_someone_given_the_approving_role_later_can_decide_after_the_job_ran(
        office_app, staff):
    from zhanggui.users import create_user
    from zhanggui_office.approvals.jobs import run_deadlines

    workflow("office.expense", [("any", "role:Buyer")])
    request = open_request(staff.alice)
    newcomer = create_user("gina", "x" * 12, role="Buyer").id
    assert inbox(newcomer) == []
    assert run_deadlines()["joined"] == 1
    assert Decide(request.id, newcomer, "approve").run().finished
