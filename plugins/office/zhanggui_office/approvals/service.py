"""Opening and deciding approval requests: the rules, enforced under a row lock.

Every write runs in one :func:`zhanggui.write_transaction` that first locks the
request row (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite's ``BEGIN IMMEDIATE``
already holds the database's write lock), then checks everything again under the
lock.  So two approvers deciding the same request at the same moment are serialised
and the second one sees the first one's decision:

* **no skipped step**: only the request's current step can be decided, and the
  request is approved only when its last step is;
* **no self-approval**: the requester is never a candidate of a step, and cannot
  decide as a delegate, unless the step says ``allow_self_approval``;
* **no approving twice**: one person decides a step of a request at most once (also
  on behalf of someone, and a delegate never decides for someone who already did);
  ``office_decision`` has a unique key on ``(request, step, decided_by_id)`` too;
  a request that is no longer pending cannot be decided.

The decision event ``zhanggui_approval_decided`` fires inside the transaction of the
final decision, once per request.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import peewee

from zhanggui import _, database, emit, utcnow, write_transaction
from zhanggui.db import backend

from .. import people
from . import conditions
from .delegation import Delegate, acting_for  # noqa: F401  (part of this module's API)
from .errors import KIND, ApprovalError, _fail  # noqa: F401
from .models import (ApprovalRequest, ApproverSlot, Decision, RequestStep, SlotCandidate,
                     Workflow, WorkflowStep)

DEFAULT_APPROVER = "role:Head-office admin"
MAX_COMMENT = 2000
MAX_SNAPSHOT = 200_000


def _json_default(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def freeze(payload: dict) -> tuple[str, str]:
    """The snapshot text (sorted keys) and its SHA-256."""
    text = json.dumps(payload, default=_json_default, ensure_ascii=False, sort_keys=True)
    return text, hashlib.sha256(text.encode("utf-8")).hexdigest()


def parse_approvers(text: str | None) -> list[str]:
    """``role:<name>`` / ``user:<name>`` lines, checked against the security tables."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if not lines:
        _fail("approvers", _("Name at least one approver."))
    for line in lines:
        kind, _sep, name = line.partition(":")
        name = name.strip()
        if kind == "role" and name and people.role_exists(name):
            continue
        if kind == "user" and name and people.find_user_id(name) is not None:
            continue
        _fail("approvers", _("“%(line)s” is not an approver: write role:<role name> or "
                             "user:<user name> of an existing role or user.",
                             line=line[:80]))
    return [f"{k}:{n.strip()}" for k, _s, n in (line.partition(":") for line in lines)]


def lock_request(request_id: int) -> ApprovalRequest:
    assert database.in_transaction(), "lock_request needs a write_transaction"
    query = ApprovalRequest.select().where(ApprovalRequest.id == request_id)
    if backend(database) != "sqlite":   # SQLite: BEGIN IMMEDIATE already holds the lock
        query = query.for_update()
    request = query.first()
    if request is None:
        _fail("request", _("No such approval request."))
    return request


# ------------------------------------------------------------------ choosing a path
def choose_workflow(kind: str, data: dict) -> Workflow | None:
    for workflow in (Workflow.select().where((Workflow.kind == kind) & Workflow.active)
                     .order_by(Workflow.priority, Workflow.id)):
        try:
            if conditions.holds(workflow.condition, data):
                return workflow
        except conditions.ConditionError:
            continue       # refused when saved; an unreadable one never matches
    return None


def path_of(workflow: Workflow | None, data: dict) -> list[dict]:
    """The steps a request follows: the workflow's steps whose condition holds, or
    one head-office step when no workflow of the kind matches."""
    if workflow is None:
        return [{"name": str(_("Head-office approval")), "mode": "any",
                 "approvers": DEFAULT_APPROVER, "deadline_hours": None,
                 "escalate_to": None, "allow_self_approval": False}]
    steps = []
    for step in workflow.steps.order_by(WorkflowStep.position):
        try:
            if not conditions.holds(step.condition, data):
                continue
        except conditions.ConditionError:
            pass           # an unreadable step condition keeps the step: never skip one
        steps.append({"name": step.name, "mode": step.mode, "approvers": step.approvers,
                      "deadline_hours": step.deadline_hours, "escalate_to": step.escalate_to,
                      "allow_self_approval": step.allow_self_approval})
    return steps or path_of(None, data)


def _candidates(request: ApprovalRequest, step: RequestStep, approver: str) -> list[int]:
    found = []
    for user_id in people.resolve(approver):
        if user_id == request.requested_by_id and not step.allow_self_approval:
            continue
        if not people.may_reach_store(user_id, request.store_code):
            continue
        found.append(user_id)
    return found


def escalation_candidates(request: ApprovalRequest, step: RequestStep) -> list[int]:
    target = step.escalate_to or DEFAULT_APPROVER
    return [u for u in people.resolve(target) if u != request.requested_by_id]


def start_step(request: ApprovalRequest, step: RequestStep, now: dt.datetime) -> list[int]:
    """Open ``step``: its slots and their candidates.  A slot nobody can decide goes
    to the escalation approver at once.  Returns the users to tell."""
    due = now + dt.timedelta(hours=step.deadline_hours) if step.deadline_hours else None
    RequestStep.update(status="active", started_at=now, due_at=due) \
        .where(RequestStep.id == step.id).execute()
    ApprovalRequest.update(current_position=step.position) \
        .where(ApprovalRequest.id == request.id).execute()
    told: list[int] = []
    for approver in step.approvers.splitlines():
        if not approver.strip():
            continue
        slot = ApproverSlot.create(step=step, approver=approver.strip())
        users = _candidates(request, step, approver.strip())
        escalated = not users
        if escalated:
            users = escalation_candidates(request, step)
        for user_id in users:
            SlotCandidate.insert(slot=slot, user_id=user_id, escalated=escalated) \
                .on_conflict_ignore().execute()
        told.extend(users)
    return sorted(set(told))


# ------------------------------------------------------------------ opening
@dataclass
class OpenRequest:
    """Open a request of ``kind`` for ``requested_by`` (a user id) with the
    ``payload`` frozen as its snapshot."""

    kind: Any
    subject: Any
    requested_by: Any
    payload: Any

    def validate(self) -> dict:
        messages: dict[str, list[str]] = {}
        if not isinstance(self.kind, str) or len(self.kind) > 80 or not KIND.match(self.kind):
            messages["kind"] = [_("A request kind is a dotted lower-case name such as "
                                  "suppliers.contract.")]
        if not isinstance(self.subject, str) or not self.subject.strip() \
                or len(self.subject) > 300 or "\x00" in self.subject:
            messages["subject"] = [_("Give a subject of at most 300 characters.")]
        if isinstance(self.requested_by, bool) or not people.is_active(self.requested_by):
            messages["requested_by"] = [_("The requester must be an active user.")]
        if not isinstance(self.payload, dict):
            messages["payload"] = [_("The details must be an object.")]
        else:
            try:
                text, _hash = freeze(self.payload)
            except (TypeError, ValueError):
                messages["payload"] = [_("The details must be plain values (text, numbers, "
                                         "lists, objects).")]
            else:
                if len(text) > MAX_SNAPSHOT or "\\u0000" in text:
                    messages["payload"] = [_("The details are too large or hold control "
                                             "characters.")]
        if messages:
            raise ApprovalError(messages)
        return json.loads(freeze(self.payload)[0])

    def run(self) -> ApprovalRequest:
        self.validate()
        return self.create(int(self.requested_by), people.user_name(self.requested_by))

    def create(self, requester_id: int, requester_name: str) -> ApprovalRequest:
        """Write the request (checked by :meth:`validate`) and start its first step."""
        data = json.loads(freeze(self.payload)[0])
        text, digest = freeze(self.payload)
        now = utcnow()
        store = data.get("store")
        with write_transaction():
            workflow = choose_workflow(self.kind, data)
            request = ApprovalRequest.create(
                reference=uuid.uuid4().hex, kind=self.kind, subject=self.subject.strip(),
                requested_by_id=requester_id, requested_by_name=requester_name,
                store_code=str(store)[:32] if store not in (None, "") else None,
                snapshot=text, snapshot_hash=digest, workflow=workflow,
                workflow_name=workflow.name if workflow else "", created_at=now)
            steps = [RequestStep.create(request=request, position=i, **step)
                     for i, step in enumerate(path_of(workflow, data), start=1)]
            told = start_step(request, steps[0], now)
            _tell_approvers(request, told)
        return ApprovalRequest.get_by_id(request.id)


# ------------------------------------------------------------------ deciding
@dataclass
class Outcome:
    request: ApprovalRequest
    decision: Decision
    finished: bool


@dataclass
class Decide:
    """``user_id`` approves or rejects the current step of request ``request_id``."""

    request_id: Any
    user_id: Any
    verdict: Any
    comment: Any = ""
    channel: str = "console"
    slot_id: Any = None
    link_token_id: str | None = None

    def _check_input(self):
        messages: dict[str, list[str]] = {}
        if self.verdict not in ("approve", "reject"):
            messages["verdict"] = [_("Choose approve or reject.")]
        if not isinstance(self.comment, str) or len(self.comment) > MAX_COMMENT \
                or "\x00" in self.comment:
            messages["comment"] = [_("A comment may have at most %(n)s characters.",
                                     n=MAX_COMMENT)]
        elif self.verdict == "reject" and not self.comment.strip():
            messages["comment"] = [_("Say why the request is rejected.")]
        try:
            self.request_id = int(self.request_id)
            if isinstance(self.request_id, bool) or not 0 < self.request_id < 2 ** 62:
                raise ValueError
        except (TypeError, ValueError):
            messages["request"] = [_("No such approval request.")]
        if messages:
            raise ApprovalError(messages)

    def validate(self, request: ApprovalRequest) -> tuple[RequestStep, ApproverSlot, int | None]:
        """The step, the slot decided and on whose behalf; refused with a message."""
        if request.status != "pending":
            _fail("request", _("This request was already decided."))
        step = RequestStep.get_or_none((RequestStep.request == request.id)
                                       & (RequestStep.position == request.current_position)
                                       & (RequestStep.status == "active"))
        if step is None:
            _fail("request", _("This request has no step waiting for a decision."))
        user_id = int(self.user_id)
        if user_id == request.requested_by_id and not step.allow_self_approval:
            _fail("request", _("You cannot decide your own request."))
        already = Decision.select().where(
            (Decision.request == request.id) & (Decision.position == step.position)
            & ((Decision.decided_by_id == user_id) | (Decision.on_behalf_of_id == user_id)))
        if already.exists():
            _fail("request", _("You already decided this step."))
        principals = acting_for(user_id, request.kind)
        if request.requested_by_id in principals - {user_id} and not step.allow_self_approval:
            principals.discard(request.requested_by_id)
        open_slots = (ApproverSlot.select(ApproverSlot, SlotCandidate.user_id)
                      .join(SlotCandidate)
                      .where((ApproverSlot.step == step.id) & (ApproverSlot.status == "open")
                             & SlotCandidate.user_id.in_(sorted(principals)))
                      .order_by(ApproverSlot.id).objects())
        choices = []
        for slot in open_slots:
            principal = slot.user_id
            if principal != user_id:
                done = Decision.select().where(
                    (Decision.request == request.id) & (Decision.position == step.position)
                    & ((Decision.decided_by_id == principal)
                       | (Decision.on_behalf_of_id == principal)))
                if done.exists():
                    continue
            choices.append((slot, None if principal == user_id else principal))
        if self.slot_id not in (None, ""):
            choices = [c for c in choices if str(c[0].id) == str(self.slot_id)]
        if not choices:
            _fail("request", _("You are not an approver of this step."))
        choices.sort(key=lambda c: c[1] is not None)     # one's own slot first
        slot, on_behalf = choices[0]
        return step, ApproverSlot.get_by_id(slot.id), on_behalf

    def run(self) -> Outcome:
        self._check_input()
        now = utcnow()
        with write_transaction():
            request = lock_request(self.request_id)
            step, slot, on_behalf = self.validate(request)
            if self.link_token_id is not None:
                from .models import UsedLink

                try:
                    with database.atomic():
                        UsedLink.create(token_id=self.link_token_id, used_at=now)
                except peewee.IntegrityError:
                    _fail("request", _("This link was used already."))
            try:
                with database.atomic():
                    decision = Decision.create(
                        request=request, position=step.position, slot=slot,
                        decided_by_id=int(self.user_id),
                        decided_by_name=people.user_name(self.user_id),
                        on_behalf_of_id=on_behalf, verdict=self.verdict,
                        comment=self.comment.strip(), channel=self.channel, decided_at=now)
            except peewee.IntegrityError:
                _fail("request", _("You already decided this step."))
            finished = _apply(request, step, slot, decision, now)
        return Outcome(ApprovalRequest.get_by_id(request.id), decision, finished)


def _apply(request, step, slot, decision, now) -> bool:
    """Move the request on after ``decision``; ``True`` when the request is decided."""
    approved = decision.verdict == "approve"
    ApproverSlot.update(status="approved" if approved else "rejected",
                        decided_by_id=decision.decided_by_id) \
        .where(ApproverSlot.id == slot.id).execute()
    open_left = ApproverSlot.select().where((ApproverSlot.step == step.id)
                                            & (ApproverSlot.status == "open")).count()
    if approved and step.mode == "all" and open_left:
        return False
    ApproverSlot.update(status="closed").where((ApproverSlot.step == step.id)
                                               & (ApproverSlot.status == "open")).execute()
    RequestStep.update(status="approved" if approved else "rejected", finished_at=now) \
        .where(RequestStep.id == step.id).execute()
    if approved:
        following = (RequestStep.select().where((RequestStep.request == request.id)
                                                & (RequestStep.position > step.position))
                     .order_by(RequestStep.position).first())
        if following is not None:
            _tell_approvers(request, start_step(request, following, now))
            return False
    else:
        RequestStep.update(status="cancelled").where(
            (RequestStep.request == request.id) & (RequestStep.status == "waiting")).execute()
    status = "approved" if approved else "rejected"
    ApprovalRequest.update(status=status, decided_at=now) \
        .where(ApprovalRequest.id == request.id).execute()
    emit("approval_decided", kind=request.kind, reference=request.reference,
         approved=approved, decided_by=decision.decided_by_id, comment=decision.comment)
    _tell_requester(request, status)
    return True


@dataclass
class CancelRequest:
    """The requester (or head office) withdraws a pending request."""

    request_id: Any
    user_id: Any

    def run(self) -> ApprovalRequest:
        now = utcnow()
        with write_transaction():
            request = lock_request(int(self.request_id))
            if request.requested_by_id != int(self.user_id):
                _fail("request", _("Only the requester can withdraw a request."))
            if request.status != "pending":
                _fail("request", _("This request was already decided."))
            ApprovalRequest.update(status="cancelled", decided_at=now) \
                .where(ApprovalRequest.id == request.id).execute()
            steps = RequestStep.select(RequestStep.id).where(RequestStep.request == request.id)
            RequestStep.update(status="cancelled").where(
                (RequestStep.request == request.id)
                & RequestStep.status.in_(["waiting", "active"])).execute()
            ApproverSlot.update(status="closed").where(
                ApproverSlot.step.in_(steps) & (ApproverSlot.status == "open")).execute()
            emit("approval_decided", kind=request.kind, reference=request.reference,
                 approved=False, decided_by=int(self.user_id),
                 comment=str(_("Withdrawn by the requester.")))
        return ApprovalRequest.get_by_id(request.id)


from .reading import inbox, summary  # noqa: E402,F401  (part of this module's API)


# ------------------------------------------------------------------ telling people
def _tell_approvers(request: ApprovalRequest, user_ids: list[int]) -> None:
    from .notify import approval_waiting

    approval_waiting(request, user_ids)


def _tell_requester(request: ApprovalRequest, status: str) -> None:
    from .notify import approval_finished

    approval_finished(request, status)
