"""Schema history of the office plugin (frozen copies of the tables, per step)."""
from __future__ import annotations

import peewee

from zhanggui import Migration, Model, UTCDateTimeField


def _approvals(ctx) -> None:
    class Workflow(Model):
        kind = peewee.CharField(max_length=80, index=True)
        name = peewee.CharField(max_length=120)
        priority = peewee.IntegerField(default=100)
        condition = peewee.TextField(null=True)
        active = peewee.BooleanField(default=True)
        created_at = UTCDateTimeField()

        class Meta:
            table_name = "office_workflow"

    class WorkflowStep(Model):
        workflow = peewee.ForeignKeyField(Workflow, on_delete="CASCADE")
        position = peewee.IntegerField()
        name = peewee.CharField(max_length=120)
        mode = peewee.CharField(max_length=3, default="any")
        approvers = peewee.TextField()
        condition = peewee.TextField(null=True)
        deadline_hours = peewee.IntegerField(null=True)
        escalate_to = peewee.CharField(max_length=120, null=True)
        allow_self_approval = peewee.BooleanField(default=False)

        class Meta:
            table_name = "office_workflow_step"
            indexes = ((("workflow", "position"), True),)

    class ApprovalRequest(Model):
        reference = peewee.CharField(max_length=40, unique=True)
        kind = peewee.CharField(max_length=80, index=True)
        subject = peewee.CharField(max_length=300)
        requested_by_id = peewee.IntegerField(index=True)
        requested_by_name = peewee.CharField(max_length=120, default="")
        store_code = peewee.CharField(max_length=32, null=True, index=True)
        snapshot = peewee.TextField()
        snapshot_hash = peewee.CharField(max_length=64)
        workflow = peewee.ForeignKeyField(Workflow, null=True, on_delete="SET NULL")
        workflow_name = peewee.CharField(max_length=120, default="")
        status = peewee.CharField(max_length=10, default="pending", index=True)
        current_position = peewee.IntegerField(null=True)
        created_at = UTCDateTimeField()
        decided_at = UTCDateTimeField(null=True)

        class Meta:
            table_name = "office_approval_request"

    class RequestStep(Model):
        request = peewee.ForeignKeyField(ApprovalRequest, on_delete="CASCADE")
        position = peewee.IntegerField()
        name = peewee.CharField(max_length=120)
        mode = peewee.CharField(max_length=3)
        approvers = peewee.TextField()
        deadline_hours = peewee.IntegerField(null=True)
        escalate_to = peewee.CharField(max_length=120, null=True)
        allow_self_approval = peewee.BooleanField(default=False)
        status = peewee.CharField(max_length=10, default="waiting")
        started_at = UTCDateTimeField(null=True)
        due_at = UTCDateTimeField(null=True)
        reminded_at = UTCDateTimeField(null=True)
        escalated_at = UTCDateTimeField(null=True)
        finished_at = UTCDateTimeField(null=True)

        class Meta:
            table_name = "office_request_step"
            indexes = ((("request", "position"), True),)

    class ApproverSlot(Model):
        step = peewee.ForeignKeyField(RequestStep, on_delete="CASCADE")
        approver = peewee.CharField(max_length=130)
        status = peewee.CharField(max_length=10, default="open")
        decided_by_id = peewee.IntegerField(null=True)

        class Meta:
            table_name = "office_approver_slot"

    class SlotCandidate(Model):
        slot = peewee.ForeignKeyField(ApproverSlot, on_delete="CASCADE")
        user_id = peewee.IntegerField(index=True)
        escalated = peewee.BooleanField(default=False)

        class Meta:
            table_name = "office_slot_candidate"
            indexes = ((("slot", "user_id"), True),)

    class Decision(Model):
        request = peewee.ForeignKeyField(ApprovalRequest, on_delete="CASCADE")
        position = peewee.IntegerField()
        slot = peewee.ForeignKeyField(ApproverSlot, on_delete="CASCADE")
        decided_by_id = peewee.IntegerField()
        decided_by_name = peewee.CharField(max_length=120, default="")
        on_behalf_of_id = peewee.IntegerField(null=True)
        verdict = peewee.CharField(max_length=8)
        comment = peewee.TextField(default="")
        channel = peewee.CharField(max_length=8)
        decided_at = UTCDateTimeField()

        class Meta:
            table_name = "office_decision"
            indexes = ((("request", "position", "decided_by_id"), True),)

    class Delegation(Model):
        user_id = peewee.IntegerField(index=True)
        delegate_id = peewee.IntegerField(index=True)
        kind = peewee.CharField(max_length=80, null=True)
        starts_at = UTCDateTimeField()
        ends_at = UTCDateTimeField()
        created_at = UTCDateTimeField()

        class Meta:
            table_name = "office_delegation"

    class UsedLink(Model):
        token_id = peewee.CharField(max_length=40, unique=True)
        used_at = UTCDateTimeField()

        class Meta:
            table_name = "office_used_link"

    ctx.create_tables([Workflow, WorkflowStep, ApprovalRequest, RequestStep, ApproverSlot,
                       SlotCandidate, Decision, Delegation, UsedLink])


def _expenses(ctx) -> None:
    from .expenses.models import migrate_expenses

    migrate_expenses(ctx)


def _bulletins(ctx) -> None:
    from .bulletins.models import migrate_bulletins

    migrate_bulletins(ctx)


def _tasks(ctx) -> None:
    from .tasks.models import migrate_tasks

    migrate_tasks(ctx)


def _routing(ctx) -> None:
    from .routing.models import migrate_routing

    migrate_routing(ctx)


MIGRATIONS = [Migration(name="0001_approvals", apply=_approvals,
                        description="approval workflows, requests, decisions, delegations"),
              Migration(name="0002_expenses", apply=_expenses,
                        description="expense claims, lines, receipts, budgets, recurring"),
              Migration(name="0003_bulletins", apply=_bulletins,
                        description="bulletins and read receipts"),
              Migration(name="0004_tasks", apply=_tasks,
                        description="tasks, assignees and comments"),
              Migration(name="0005_routing", apply=_routing,
                        description="routed documents, their stops and trail")]
