"""Demo workflows for every request kind the chain's plugins ask about, and a few
requests in every state (pending, approved, rejected) in two stores."""
from __future__ import annotations

from zhanggui import write_transaction

from .models import Workflow, WorkflowStep

WORKFLOWS = [
    # kind, name, priority, condition, [(name, mode, approvers, condition, hours)]
    ("suppliers.contract", "Supplier contract", 10, "", [
        ("Buyer review", "any", "role:Buyer", "", 48),
        ("Head office sign-off", "any", "role:Head-office admin", "", 72)]),
    ("campaigns.activity", "Large campaign activity", 10, "budget >= 50000", [
        ("Marketing and finance", "all", "role:Marketing\nrole:Head-office admin", "", 48)]),
    ("campaigns.activity", "Campaign activity", 20, "", [
        ("Marketing review", "any", "role:Marketing", "", 48)]),
    ("office.expense", "Expense claim", 10, "", [
        ("Store manager", "any", "role:Store manager", "", 24),
        ("Head office over 5,000", "any", "role:Head-office admin", "amount > 5000", 48)]),
    ("members.erasure", "Member data erasure", 10, "", [
        ("Head office", "any", "role:Head-office admin", "", 72)]),
]


def build_demo_workflows(ctx) -> None:
    with write_transaction():
        for kind, name, priority, condition, steps in WORKFLOWS:
            if Workflow.select().where((Workflow.kind == kind) & (Workflow.name == name)).exists():
                continue
            workflow = Workflow.create(kind=kind, name=name, priority=priority,
                                       condition=condition or None)
            for position, (step, mode, approvers, cond, hours) in enumerate(steps, 1):
                WorkflowStep.create(workflow=workflow, position=position, name=step, mode=mode,
                                    approvers=approvers, condition=cond or None,
                                    deadline_hours=hours)
        ctx.count("approval workflows", len(WORKFLOWS))


# The demo's requester and store manager are not console users (demo data runs
# before anyone is created, inside a database transaction that console users cannot
# join on SQLite): ids below zero that no user has, named on the records.
DEMO_REQUESTER = (-1, "演示店员")
DEMO_MANAGER = (-2, "演示店长")


def open_as_demo_requester(kind: str, subject: str, payload: dict):
    """A request opened through the service for the demo requester; the demo store
    manager becomes an approver of its first step."""
    from .service import OpenRequest

    request = OpenRequest(kind, subject, DEMO_REQUESTER[0], payload).create(*DEMO_REQUESTER)
    _add_demo_manager(request)
    return request


def _add_demo_manager(request) -> None:
    from .models import ApproverSlot, RequestStep, SlotCandidate

    for slot in (ApproverSlot.select().join(RequestStep)
                 .where((RequestStep.request == request.id) & (RequestStep.status == "active"))):
        SlotCandidate.insert(slot=slot, user_id=DEMO_MANAGER[0]).on_conflict_ignore().execute()


def decide_as_demo_manager(request, verdict: str) -> None:
    """The demo manager decides the open step, under the service's own rules."""
    from .models import Decision
    from .service import Decide

    Decide(request.id, DEMO_MANAGER[0], verdict,
           "" if verdict == "approve" else "缺少发票", channel="service").run()
    Decision.update(decided_by_name=DEMO_MANAGER[1]).where(
        Decision.decided_by_id == DEMO_MANAGER[0]).execute()
