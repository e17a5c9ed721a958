"""What approvers read: their inbox and the summary of a request."""
from __future__ import annotations

import datetime as dt
import json

from zhanggui import _, utcnow

from .models import ApprovalRequest, ApproverSlot, Decision, Delegation, RequestStep, \
    SlotCandidate


def inbox(user_id: int, now: dt.datetime | None = None) -> list[dict]:
    """Open slots ``user_id`` may decide now (their own and those delegated to them),
    oldest request first."""
    now = now or utcnow()
    delegations = list(Delegation.select().where(
        (Delegation.delegate_id == user_id) & (Delegation.starts_at <= now)
        & (Delegation.ends_at > now)))
    principals = {int(user_id)} | {d.user_id for d in delegations}
    rows = (ApproverSlot.select(ApproverSlot, RequestStep, ApprovalRequest,
                                SlotCandidate.user_id)
            .join(RequestStep).join(ApprovalRequest)
            .switch(ApproverSlot).join(SlotCandidate)
            .where((ApprovalRequest.status == "pending") & (RequestStep.status == "active")
                   & (ApproverSlot.status == "open")
                   & SlotCandidate.user_id.in_(sorted(principals)))
            .order_by(ApprovalRequest.created_at, ApprovalRequest.id, ApproverSlot.id))
    seen, items = set(), []
    for slot in rows.objects():
        request = slot.step.request
        principal = slot.user_id
        if principal != user_id:
            allowed = any(d.user_id == principal and d.kind in (None, request.kind)
                          for d in delegations)
            if not allowed or (request.requested_by_id == user_id
                               and not slot.step.allow_self_approval):
                continue
        if request.id in seen:
            continue
        decided = Decision.select().where(
            (Decision.request == request.id) & (Decision.position == slot.step.position)
            & ((Decision.decided_by_id == user_id) | (Decision.on_behalf_of_id == user_id)))
        if decided.exists():
            continue
        seen.add(request.id)
        items.append({"request": request, "step": slot.step, "slot": slot,
                      "on_behalf_of": None if principal == user_id else principal})
    return items


def summary(request: ApprovalRequest) -> list[tuple[str, str]]:
    """What the approver reads: the requesting plugin's rendering of the snapshot
    (``zhanggui_approval_summary``), else the snapshot's own fields."""
    from zhanggui import plugins

    data = request.data()
    rendered = plugins().call_first("zhanggui_approval_summary", kind=request.kind,
                                    reference=request.reference, snapshot=data)
    if rendered:
        return [(str(label), str(value)) for label, value in rendered]
    labels = {"amount": _("Amount"), "store": _("Store"), "currency": _("Currency"),
              "category": _("Category"), "region": _("Region"), "title": _("Title"),
              "department": _("Department"), "budget": _("Budget")}
    return [(labels.get(k, str(k)), v if isinstance(v, str)
             else json.dumps(v, ensure_ascii=False)) for k, v in sorted(data.items())]
