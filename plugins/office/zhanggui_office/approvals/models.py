"""Approval workflows, requests, approver slots, decisions and delegations.

A *workflow* belongs to one request kind (``suppliers.contract``) and has ordered
*steps*.  When a request is opened, the chosen workflow's steps are copied onto the
request (:class:`RequestStep`): editing the workflow later never changes the path of
a request already in flight.  Each step has one or more approver *slots*
(:class:`ApproverSlot`, a role or a user); mode ``all`` needs every slot approved,
``any`` one of them.  Each slot lists the users who may decide it
(:class:`SlotCandidate`), resolved when the step starts.  :class:`Decision` is the
append-only log; its unique ``(request, position, decided_by_id)`` is the database's
own guard against one person deciding a step twice.
"""
from __future__ import annotations

import json

import peewee

from zhanggui import Model, UTCDateTimeField, _l, utcnow

MODES = (("all", _l("All of the approvers")), ("any", _l("Any one approver")))
REQUEST_STATES = (("pending", _l("Pending")), ("approved", _l("Approved")),
                  ("rejected", _l("Rejected")), ("cancelled", _l("Cancelled")))
STEP_STATES = (("waiting", _l("Waiting")), ("active", _l("In progress")),
               ("approved", _l("Approved")), ("rejected", _l("Rejected")),
               ("cancelled", _l("Cancelled")))
SLOT_STATES = (("open", _l("Open")), ("approved", _l("Approved")),
               ("rejected", _l("Rejected")), ("closed", _l("Not needed")))
VERDICTS = (("approve", _l("Approve")), ("reject", _l("Reject")))
CHANNELS = (("console", _l("Console")), ("api", _l("API")), ("link", _l("E-mail link")),
            ("service", _l("Service")))


class Workflow(Model):
    """How requests of one kind are approved; the first active workflow of the kind
    (by ``priority``) whose condition holds is chosen."""

    kind = peewee.CharField(max_length=80, index=True, verbose_name=_l("Request kind"))
    name = peewee.CharField(max_length=120, verbose_name=_l("Workflow name"))
    priority = peewee.IntegerField(default=100, verbose_name=_l("Priority"))
    condition = peewee.TextField(null=True, verbose_name=_l("Condition"))
    active = peewee.BooleanField(default=True, verbose_name=_l("Active"))
    created_at = UTCDateTimeField(default=utcnow, verbose_name=_l("Created at"))

    class Meta:
        table_name = "office_workflow"

    def __str__(self):
        return f"{self.name} ({self.kind})"


class WorkflowStep(Model):
    """One step of a workflow.  ``approvers``: one approver per line, ``role:<role
    name>`` or ``user:<user name>``."""

    workflow = peewee.ForeignKeyField(Workflow, backref="steps", on_delete="CASCADE",
                                      verbose_name=_l("Workflow"))
    position = peewee.IntegerField(verbose_name=_l("Step number"))
    name = peewee.CharField(max_length=120, verbose_name=_l("Step name"))
    mode = peewee.CharField(max_length=3, choices=MODES, default="any",
                            verbose_name=_l("Who must approve"))
    approvers = peewee.TextField(verbose_name=_l("Approvers"))
    condition = peewee.TextField(null=True, verbose_name=_l("Step condition"))
    deadline_hours = peewee.IntegerField(null=True, verbose_name=_l("Deadline (hours)"))
    escalate_to = peewee.CharField(max_length=120, null=True,
                                   verbose_name=_l("Escalate to"))
    allow_self_approval = peewee.BooleanField(default=False,
                                              verbose_name=_l("Requester may approve"))

    class Meta:
        table_name = "office_workflow_step"
        indexes = ((("workflow", "position"), True),)

    def __str__(self):
        return f"{self.position}. {self.name}"


class ApprovalRequest(Model):
    """One request, its frozen snapshot and where it stands."""

    reference = peewee.CharField(max_length=40, unique=True, verbose_name=_l("Reference"))
    kind = peewee.CharField(max_length=80, index=True, verbose_name=_l("Request kind"))
    subject = peewee.CharField(max_length=300, verbose_name=_l("Subject"))
    requested_by_id = peewee.IntegerField(index=True, verbose_name=_l("Requested by"))
    requested_by_name = peewee.CharField(max_length=120, default="",
                                         verbose_name=_l("Requested by"))
    store_code = peewee.CharField(max_length=32, null=True, index=True,
                                  verbose_name=_l("Store"))
    snapshot = peewee.TextField(verbose_name=_l("Details as requested"))
    snapshot_hash = peewee.CharField(max_length=64, verbose_name=_l("Snapshot fingerprint"))
    workflow = peewee.ForeignKeyField(Workflow, null=True, on_delete="SET NULL",
                                      verbose_name=_l("Workflow"))
    workflow_name = peewee.CharField(max_length=120, default="",
                                     verbose_name=_l("Workflow name"))
    status = peewee.CharField(max_length=10, choices=REQUEST_STATES, default="pending",
                              index=True, verbose_name=_l("Status"))
    current_position = peewee.IntegerField(null=True, verbose_name=_l("Current step"))
    created_at = UTCDateTimeField(default=utcnow, verbose_name=_l("Requested at"))
    decided_at = UTCDateTimeField(null=True, verbose_name=_l("Decided at"))

    class Meta:
        table_name = "office_approval_request"

    def __str__(self):
        return f"{self.reference} {self.subject}"

    def data(self) -> dict:
        """The snapshot as it was requested."""
        return json.loads(self.snapshot)


class RequestStep(Model):
    """A workflow step as it was when the request was opened."""

    request = peewee.ForeignKeyField(ApprovalRequest, backref="steps", on_delete="CASCADE")
    position = peewee.IntegerField()
    name = peewee.CharField(max_length=120)
    mode = peewee.CharField(max_length=3, choices=MODES)
    approvers = peewee.TextField()
    deadline_hours = peewee.IntegerField(null=True)
    escalate_to = peewee.CharField(max_length=120, null=True)
    allow_self_approval = peewee.BooleanField(default=False)
    status = peewee.CharField(max_length=10, choices=STEP_STATES, default="waiting")
    started_at = UTCDateTimeField(null=True)
    due_at = UTCDateTimeField(null=True)
    reminded_at = UTCDateTimeField(null=True)
    escalated_at = UTCDateTimeField(null=True)
    finished_at = UTCDateTimeField(null=True)

    class Meta:
        table_name = "office_request_step"
        indexes = ((("request", "position"), True),)


class ApproverSlot(Model):
    """One approver a step needs (a role or a user) and how it was answered."""

    step = peewee.ForeignKeyField(RequestStep, backref="slots", on_delete="CASCADE")
    approver = peewee.CharField(max_length=130)       # role:<name> / user:<name>
    status = peewee.CharField(max_length=10, choices=SLOT_STATES, default="open")
    decided_by_id = peewee.IntegerField(null=True)

    class Meta:
        table_name = "office_approver_slot"


class SlotCandidate(Model):
    """A user who may decide a slot (the requester only when the step allows it)."""

    slot = peewee.ForeignKeyField(ApproverSlot, backref="candidates", on_delete="CASCADE")
    user_id = peewee.IntegerField(index=True)
    escalated = peewee.BooleanField(default=False)

    class Meta:
        table_name = "office_slot_candidate"
        indexes = ((("slot", "user_id"), True),)


class Decision(Model):
    """Append-only: who decided which step of which request, how and through what."""

    request = peewee.ForeignKeyField(ApprovalRequest, backref="decisions",
                                     on_delete="CASCADE", verbose_name=_l("Request"))
    position = peewee.IntegerField(verbose_name=_l("Step number"))
    slot = peewee.ForeignKeyField(ApproverSlot, on_delete="CASCADE")
    decided_by_id = peewee.IntegerField(verbose_name=_l("Decided by"))
    decided_by_name = peewee.CharField(max_length=120, default="",
                                       verbose_name=_l("Decided by"))
    on_behalf_of_id = peewee.IntegerField(null=True, verbose_name=_l("On behalf of"))
    verdict = peewee.CharField(max_length=8, choices=VERDICTS, verbose_name=_l("Decision"))
    comment = peewee.TextField(default="", verbose_name=_l("Comment"))
    channel = peewee.CharField(max_length=8, choices=CHANNELS, verbose_name=_l("Through"))
    decided_at = UTCDateTimeField(default=utcnow, verbose_name=_l("Decided at"))

    class Meta:
        table_name = "office_decision"
        indexes = ((("request", "position", "decided_by_id"), True),)


class Delegation(Model):
    """While ``user`` is away (``starts_at`` to ``ends_at``), ``delegate`` decides
    for them (every kind, or only ``kind``)."""

    user_id = peewee.IntegerField(index=True, verbose_name=_l("Away user"))
    delegate_id = peewee.IntegerField(index=True, verbose_name=_l("Delegate"))
    kind = peewee.CharField(max_length=80, null=True, verbose_name=_l("Request kind"))
    starts_at = UTCDateTimeField(verbose_name=_l("From"))
    ends_at = UTCDateTimeField(verbose_name=_l("Until"))
    created_at = UTCDateTimeField(default=utcnow, verbose_name=_l("Created at"))

    class Meta:
        table_name = "office_delegation"


class UsedLink(Model):
    """An e-mail decision link that was used (links are single use)."""

    token_id = peewee.CharField(max_length=40, unique=True)
    used_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "office_used_link"


MODELS = (Workflow, WorkflowStep, ApprovalRequest, RequestStep, ApproverSlot, SlotCandidate,
          Decision, Delegation, UsedLink)
