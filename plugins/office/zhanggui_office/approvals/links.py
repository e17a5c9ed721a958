"""Signed one-click decision links for e-mail (itsdangerous).

A link names the request, the approver and the verdict, expires after
:data:`MAX_AGE` seconds and works once: its token id is written to
``office_used_link`` in the decision's own transaction (a unique key), so a second
click, or a mail scanner racing the approver, finds it used.  Opening a link shows a
confirmation page (GET changes nothing: scanners fetch links); the decision is the
POST from that page.
"""
from __future__ import annotations

import uuid

from flask import current_app, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

MAX_AGE = 7 * 24 * 3600
SALT = "zhanggui-office-approval-link"


class LinkError(ValueError):
    """The link is forged, expired or used; the message says which."""


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def make_token(request_id: int, user_id: int, verdict: str) -> str:
    return _serializer().dumps({"r": request_id, "u": user_id, "v": verdict,
                                "j": uuid.uuid4().hex})


def read_token(token: str, max_age: int = MAX_AGE) -> dict:
    from zhanggui import _

    try:
        data = _serializer().loads(token, max_age=max_age)
    except SignatureExpired:
        raise LinkError(_("This link has expired; decide in the console.")) from None
    except BadSignature:
        raise LinkError(_("This link is not valid.")) from None
    if not isinstance(data, dict) or data.get("v") not in ("approve", "reject"):
        raise LinkError(_("This link is not valid."))
    return data


def decision_links(request, user_id: int) -> dict:
    def link(verdict):
        token = make_token(request.id, user_id, verdict)
        try:
            return url_for("ApprovalLinkView.confirm", token=token, _external=True)
        except (RuntimeError, LookupError):   # no request context (a job)
            return f"/office/approval-link/{token}"

    try:
        inbox = url_for("ApprovalInboxView.inbox", _external=True)
    except (RuntimeError, LookupError):
        inbox = "/approvalinboxview/inbox/"
    return {"approve": link("approve"), "reject": link("reject"), "inbox": inbox}
