"""A hypothesis state machine over requests, steps, decisions, delegations and edits
(of the requested record and of the workflows).  Whatever the order, no request is
ever approved with a step skipped, self-approved, or approved twice, and each
decided request is announced exactly once.  Runs on SQLite, and on PostgreSQL when
``ZHANGGUI_TEST_DATABASE_URL`` names one."""
from __future__ import annotations

import copy
import datetime as dt
from collections import Counter

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule

from zhanggui import utcnow
from zhanggui_office.approvals.models import (ApprovalRequest, ApproverSlot, Decision,
                                              Delegation, RequestStep, SlotCandidate,
                                              UsedLink, Workflow, WorkflowStep)
from zhanggui_office.approvals.service import (ApprovalError, CancelRequest, Decide, Delegate,
                                               OpenRequest, freeze)

USERS = (("sm_alice", "Store staff", ("SH01",)), ("sm_bob", "Store manager", ("SH01",)),
         ("sm_carol", "Store manager", ("SH01", "BJ01")), ("sm_dave", "Head-office admin", ()),
         ("sm_erin", "Marketing", ()), ("sm_frank", "Store manager", ("BJ01",)))
FLOWS = {
    "office.expense": [("any", "role:Store manager", None, False),
                       ("all", "role:Head-office admin\nrole:Marketing", "amount >= 5000", False)],
    "suppliers.contract": [("all", "role:Store manager\nrole:Head-office admin", None, False),
                           ("any", "user:sm_erin", None, True)],
}


@pytest.fixture
def machine_app(make_app, make_plugin):
    events = Counter()
    listener = make_plugin(
        "listener", zhanggui_approval_decided=lambda kind, reference, approved, decided_by,
        comment: events.update([reference]))
    app = make_app(plugins=["office"], extra_plugins=[listener])
    with app.app_context():
        from zhanggui.console.scope import UserStore
        from zhanggui.users import create_user

        ids = {}
        for name, role, stores in USERS:
            ids[name] = create_user(name, "x" * 12, role=role).id
            for code in stores:
                UserStore.create(user_id=ids[name], store_code=code)
        yield app, ids, events


def _reset():
    for model in (UsedLink, Decision, SlotCandidate, ApproverSlot, RequestStep,
                  ApprovalRequest, Delegation, WorkflowStep, Workflow):
        model.delete().execute()
    for kind, steps in FLOWS.items():
        flow = Workflow.create(kind=kind, name=kind)
        for position, (mode, approvers, condition, self_ok) in enumerate(steps, 1):
            WorkflowStep.create(workflow=flow, position=position, name=f"s{position}",
                                mode=mode, approvers=approvers, condition=condition,
                                allow_self_approval=self_ok)


def check_invariants(events: Counter, payloads: dict) -> None:
    for request in ApprovalRequest.select():
        steps = list(RequestStep.select().where(RequestStep.request == request.id)
                     .order_by(RequestStep.position))
        decisions = list(Decision.select().where(Decision.request == request.id)
                         .order_by(Decision.id))
        by_step = {s.position: s for s in steps}
        # the snapshot is what was asked, whatever happened to the record since
        assert request.snapshot_hash == freeze(payloads[request.reference])[1]
        seen = set()
        for d in decisions:
            step = by_step[d.position]
            # no self-approval
            if not step.allow_self_approval:
                assert request.requested_by_id not in (d.decided_by_id, d.on_behalf_of_id)
            # one person decides a step once (in person or through a delegate)
            for person in {d.decided_by_id, d.on_behalf_of_id} - {None}:
                assert (d.position, person) not in seen, "approved twice"
                seen.add((d.position, person))
            # decisions follow the path: nothing on a later step before this one ended
            earlier = [s for s in steps if s.position < d.position]
            assert all(s.status == "approved" for s in earlier), "a step was skipped"
            # the decider was an approver of the slot (or a delegate of one)
            candidates = {c.user_id for c in SlotCandidate.select()
                          .where(SlotCandidate.slot == d.slot_id)}
            assert (d.on_behalf_of_id or d.decided_by_id) in candidates
        positions = [d.position for d in decisions]
        assert positions == sorted(positions), "a later step was decided first"
        if request.status == "approved":
            assert steps and all(s.status == "approved" for s in steps), "a step was skipped"
            for step in steps:
                approvals = [d for d in decisions if d.position == step.position
                             and d.verdict == "approve"]
                slots = list(ApproverSlot.select().where(ApproverSlot.step == step.id))
                if step.mode == "all":
                    assert all(s.status == "approved" for s in slots)
                    assert len(approvals) == len(slots)
                else:
                    assert len(approvals) == 1
        if request.status == "pending":
            assert sum(s.status == "active" for s in steps) == 1
            assert events[request.reference] == 0
        else:
            assert events[request.reference] == 1, "announced more or less than once"
            assert request.decided_at is not None
            assert all(d.decided_at <= request.decided_at for d in decisions)


class ApprovalMachine(RuleBasedStateMachine):
    requests = Bundle("requests")
    app = ids = events = None

    def __init__(self):
        super().__init__()
        _reset()
        self.events.clear()
        self.payloads: dict[str, dict] = {}
        self.originals: dict[str, dict] = {}

    @rule(target=requests, requester=st.sampled_from([u[0] for u in USERS]),
          kind=st.sampled_from(sorted(FLOWS) + ["members.erasure"]),
          amount=st.integers(min_value=0, max_value=20000),
          store=st.sampled_from(["SH01", "BJ01"]))
    def open(self, requester, kind, amount, store):
        payload = {"store": store, "amount": f"{amount}.00", "lines": [amount % 7]}
        request = OpenRequest(kind, f"req {amount}", self.ids[requester], payload).run()
        self.payloads[request.reference] = copy.deepcopy(payload)
        self.originals[request.reference] = payload
        return request.id

    @rule(request_id=requests, user=st.sampled_from([u[0] for u in USERS]),
          verdict=st.sampled_from(["approve", "approve", "approve", "reject"]))
    def decide(self, request_id, user, verdict):
        try:
            Decide(request_id, self.ids[user], verdict, "no" if verdict == "reject" else "",
                   channel="service").run()
        except ApprovalError:
            pass

    @rule(request_id=requests, pick=st.integers(min_value=0, max_value=50),
          verdict=st.sampled_from(["approve", "approve", "reject"]),
          through_delegate=st.booleans())
    def decide_as_an_approver(self, request_id, pick, verdict, through_delegate):
        """Someone who is an approver of the open step (or their delegate) decides."""
        open_ = sorted({c.user_id for c in SlotCandidate.select().join(ApproverSlot)
                        .join(RequestStep).where((RequestStep.request == request_id)
                                                 & (RequestStep.status == "active")
                                                 & (ApproverSlot.status == "open"))})
        if not open_:
            return
        user = open_[pick % len(open_)]
        if through_delegate:
            row = Delegation.select().where(Delegation.user_id == user).first()
            user = row.delegate_id if row is not None else user
        try:
            Decide(request_id, user, verdict, "no" if verdict == "reject" else "",
                   channel="service").run()
        except ApprovalError:
            pass

    @rule(request_id=requests, user=st.sampled_from([u[0] for u in USERS]))
    def cancel(self, request_id, user):
        try:
            CancelRequest(request_id, self.ids[user]).run()
        except ApprovalError:
            pass

    @rule(user=st.sampled_from([u[0] for u in USERS]),
          delegate=st.sampled_from([u[0] for u in USERS]), active=st.booleans(),
          kind=st.sampled_from([None, "office.expense"]))
    def delegate(self, user, delegate, active, kind):
        now = utcnow()
        start = now - dt.timedelta(days=1) if active else now + dt.timedelta(days=1)
        try:
            Delegate(self.ids[user], self.ids[delegate], start, start + dt.timedelta(days=3),
                     kind).run()
        except ApprovalError:
            pass

    @rule(request_id=requests, amount=st.integers(min_value=0, max_value=99999))
    def edit_the_record(self, request_id, amount):
        """The requesting plugin changes its record (and the dict it passed)."""
        request = ApprovalRequest.get_by_id(request_id)
        original = self.originals[request.reference]
        original["amount"] = f"{amount}.00"
        original["lines"].append(amount)

    @rule(kind=st.sampled_from(sorted(FLOWS)), mode=st.sampled_from(["all", "any"]),
          drop=st.booleans())
    def edit_the_workflow(self, kind, mode, drop):
        flow = Workflow.get(Workflow.kind == kind)
        last = flow.steps.order_by(WorkflowStep.position.desc()).first()
        if drop and last is not None and flow.steps.count() > 1:
            last.delete_instance()
        else:
            WorkflowStep.update(mode=mode).where(WorkflowStep.workflow == flow).execute()

    @invariant()
    def nothing_skipped_self_approved_or_approved_twice(self):
        check_invariants(self.events, self.payloads)

    def teardown(self):
        REACHED.update(r.status for r in ApprovalRequest.select())
        REACHED.update("via delegate" for _ in Decision.select().where(
            Decision.on_behalf_of_id.is_null(False)))


REACHED: Counter = Counter()


def test_no_order_of_actions_breaks_the_approval_rules(machine_app):
    app, ids, events = machine_app
    ApprovalMachine.app, ApprovalMachine.ids, ApprovalMachine.events = app, ids, events
    run = settings(max_examples=40, stateful_step_count=30, deadline=None,
                   derandomize=True, database=None,  # the same walk on every run
                   suppress_health_check=list(HealthCheck))(ApprovalMachine).TestCase
    REACHED.clear()
    run("runTest").runTest()
    # the machine got somewhere: requests were approved, rejected and withdrawn, and
    # delegates decided
    assert {"approved", "rejected", "cancelled", "pending", "via delegate"} <= set(REACHED)
