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


DEMO_USERS = (("demo.requester", "Store staff", ("SH01", "BJ01", "HZ01")),
              ("demo.manager", "Store manager", ("SH01", "BJ01", "HZ01")))

# store, amount, what the demo manager does: approve / reject / None (left pending)
DEMO_CLAIMS = (("SH01", "860.00", "approve"), ("SH01", "9200.00", "approve"),
               ("SH01", "420.00", None), ("BJ01", "1250.00", "reject"),
               ("BJ01", "300.00", None), ("HZ01", "640.00", "approve"))


def _demo_user(username: str, role: str, stores) -> int:
    """A demo console user with an unguessable password nobody is told (the demo's
    requests need a requester and an approver; sign in as admin to act)."""
    import secrets

    from flask import current_app

    from zhanggui.console.scope import UserStore
    from zhanggui.users import create_user

    sm = current_app.appbuilder.sm
    user = sm.find_user(username=username) or create_user(
        username, secrets.token_urlsafe(24), role=role, first_name=username)
    for code in stores:
        UserStore.insert(user_id=user.id, store_code=code).on_conflict_ignore().execute()
    return user.id


def build_demo_requests(ctx) -> None:
    """Expense approvals in every state, in three stores."""
    from .models import ApprovalRequest
    from .service import Decide, OpenRequest

    if ApprovalRequest.select().exists():
        return
    requester, manager = (_demo_user(*u) for u in DEMO_USERS)
    for number, (store, amount, verdict) in enumerate(DEMO_CLAIMS, 1):
        request = OpenRequest("office.expense", f"费用报销 {store}-{number:03d}",
                              requester, {"store": store, "amount": amount,
                                          "currency": "CNY", "category": "supplies"}).run()
        if verdict is not None:
            Decide(request.id, manager, verdict,
                   "" if verdict == "approve" else "缺少发票", channel="service").run()
    ctx.count("approval requests", len(DEMO_CLAIMS))
