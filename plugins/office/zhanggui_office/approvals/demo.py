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


# store, amount, what the demo store manager does: approve / reject / None (pending)
DEMO_CLAIMS = (("SH01", "860.00", "approve"), ("SH01", "9200.00", "approve"),
               ("SH01", "420.00", None), ("BJ01", "1250.00", "reject"),
               ("BJ01", "300.00", None), ("HZ01", "640.00", "approve"))
# The demo's requester and store manager are not console users (demo data runs
# before anyone is created, inside a database transaction that console users cannot
# join on SQLite): ids below zero that no user has, named on the records.
DEMO_REQUESTER = (-1, "演示店员")
DEMO_MANAGER = (-2, "演示店长")


def build_demo_requests(ctx) -> None:
    """Expense approvals in every state, in three stores, decided through the
    service's own rules by the demo store manager."""
    from .models import ApprovalRequest, ApproverSlot, Decision, RequestStep, SlotCandidate
    from .service import Decide, OpenRequest

    if ApprovalRequest.select().exists():
        return
    with write_transaction():
        for number, (store, amount, verdict) in enumerate(DEMO_CLAIMS, 1):
            request = OpenRequest("office.expense", f"费用报销 {store}-{number:03d}",
                                  DEMO_REQUESTER[0],
                                  {"store": store, "amount": amount, "currency": "CNY",
                                   "category": "办公用品"}).create(*DEMO_REQUESTER)
            for slot in (ApproverSlot.select().join(RequestStep)
                         .where(RequestStep.request == request.id)):
                SlotCandidate.insert(slot=slot, user_id=DEMO_MANAGER[0]) \
                    .on_conflict_ignore().execute()
            if verdict is not None:
                Decide(request.id, DEMO_MANAGER[0], verdict,
                       "" if verdict == "approve" else "缺少发票", channel="service").run()
        Decision.update(decided_by_name=DEMO_MANAGER[1]).where(
            Decision.decided_by_id == DEMO_MANAGER[0]).execute()
    ctx.count("approval requests", len(DEMO_CLAIMS))
