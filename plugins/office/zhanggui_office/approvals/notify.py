"""What approvers and requesters are told, through the core's notification service.

An approver's message carries two signed one-click links (approve, reject) for the
e-mail; see :mod:`.links`.
"""
from __future__ import annotations

from zhanggui import _

from .. import people


def _approvers_with_delegates(user_ids, kind):
    from zhanggui import utcnow

    from .models import Delegation

    now = utcnow()
    extra = {d.delegate_id for d in Delegation.select().where(
        Delegation.user_id.in_(list(user_ids) or [0]) & (Delegation.starts_at <= now)
        & (Delegation.ends_at > now) & (Delegation.kind.is_null() | (Delegation.kind == kind)))}
    return sorted(set(user_ids) | extra)


def approval_waiting(request, user_ids, reminder: bool = False) -> None:
    from zhanggui.notifications import notify

    from .links import decision_links

    for user_id in _approvers_with_delegates(user_ids, request.kind):
        if not people.is_active(user_id):
            continue
        links = decision_links(request, user_id)
        title = (_("Reminder: approval waiting: %(subject)s", subject=request.subject)
                 if reminder else _("Approval waiting: %(subject)s", subject=request.subject))
        body = "\n".join([
            _("%(name)s asks for your approval.", name=request.requested_by_name
              or people.user_name(request.requested_by_id)),
            "", _("Approve: %(url)s", url=links["approve"]),
            _("Reject: %(url)s", url=links["reject"])])
        notify([user_id], "office.approval", title, body, url=links["inbox"],
               urgent=reminder)


def approval_finished(request, status: str) -> None:
    from zhanggui.notifications import notify

    if not people.is_active(request.requested_by_id):
        return
    title = {"approved": _("Approved: %(subject)s", subject=request.subject),
             "rejected": _("Rejected: %(subject)s", subject=request.subject)}[status]
    notify([request.requested_by_id], "office.approval", title)
