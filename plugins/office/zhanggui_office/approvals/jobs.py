"""Deadlines: reminders and escalation (the periodic job ``office.approval_deadlines``).

Each step with a deadline is reminded once when its deadline passes and escalated
once when it is still open a further half of its time later: the escalation
approver (``escalate_to``, else Head-office admin) becomes a candidate of every open
slot.  The job also adds users who took on an approving role since a step started to its
open slots (:func:`refresh_candidates`).  Each reminder and escalation is a conditional ``UPDATE ... WHERE reminded_at IS NULL`` (resp.
``escalated_at``) on the step, so running the job twice, or on two workers at once,
reminds and escalates exactly once.
"""
from __future__ import annotations

import datetime as dt

from zhanggui import utcnow, write_transaction

from .models import ApprovalRequest, ApproverSlot, RequestStep, SlotCandidate


def _open_candidates(step) -> list[int]:
    return sorted({c.user_id for c in SlotCandidate.select().join(ApproverSlot).where(
        (ApproverSlot.step == step.id) & (ApproverSlot.status == "open"))})


def refresh_candidates() -> int:
    """Users who took on an approving role (or a store) since a step started become
    candidates of its open slots too; returns how many were added."""
    from .service import _candidates

    added = 0
    open_slots = (ApproverSlot.select(ApproverSlot, RequestStep, ApprovalRequest)
                  .join(RequestStep).join(ApprovalRequest)
                  .where((ApproverSlot.status == "open") & (RequestStep.status == "active")
                         & (ApprovalRequest.status == "pending")))
    for slot in open_slots:
        known = {c.user_id for c in SlotCandidate.select().where(SlotCandidate.slot == slot.id)}
        fresh = [u for u in _candidates(slot.step.request, slot.step, slot.approver)
                 if u not in known]
        if fresh:
            with write_transaction():
                for user_id in fresh:
                    SlotCandidate.insert(slot=slot, user_id=user_id) \
                        .on_conflict_ignore().execute()
            added += len(fresh)
    return added


def run_deadlines(now: dt.datetime | None = None) -> dict:
    """Remind and escalate overdue steps; returns ``{"reminded": n, "escalated": n}``."""
    from .notify import approval_waiting
    from .service import escalation_candidates

    now = now or utcnow()
    counts = {"reminded": 0, "escalated": 0, "joined": refresh_candidates()}
    overdue = (RequestStep.select(RequestStep.id).join(ApprovalRequest)
               .where((RequestStep.status == "active") & (ApprovalRequest.status == "pending")
                      & RequestStep.due_at.is_null(False) & (RequestStep.due_at <= now)))
    for (step_id,) in overdue.tuples():
        with write_transaction():
            step = RequestStep.get_by_id(step_id)
            request = step.request
            if step.reminded_at is None and RequestStep.update(reminded_at=now).where(
                    (RequestStep.id == step.id) & RequestStep.reminded_at.is_null()).execute():
                approval_waiting(request, _open_candidates(step), reminder=True)
                counts["reminded"] += 1
            grace = dt.timedelta(hours=step.deadline_hours or 0) / 2
            if step.escalated_at is None and now >= step.due_at + grace and \
                    RequestStep.update(escalated_at=now).where(
                        (RequestStep.id == step.id) & RequestStep.escalated_at.is_null()
                    ).execute():
                users = escalation_candidates(request, step)
                for slot in ApproverSlot.select().where((ApproverSlot.step == step.id)
                                                        & (ApproverSlot.status == "open")):
                    for user_id in users:
                        SlotCandidate.insert(slot=slot, user_id=user_id, escalated=True) \
                            .on_conflict_ignore().execute()
                approval_waiting(request, users, reminder=True)
                counts["escalated"] += 1
    return counts
