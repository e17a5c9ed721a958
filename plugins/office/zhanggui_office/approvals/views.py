"""Console screens of approvals: workflows and their steps (head office), the
request list and page with the decision form (store-scoped), the personal inbox
with delegation, and the page a signed e-mail link opens.

Views only read forms and call the command objects of :mod:`.service`; every rule
is checked there, under the request's row lock.
"""
from __future__ import annotations

import datetime as dt

from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.security.decorators import permission_name
from wtforms import ValidationError

from zhanggui import _, _l, format_local_datetime, has_permission
from zhanggui.console.datamodel import ModelView, PeeweeInterface
from zhanggui.console.scope import StoreScopedMixin

from .. import people
from . import conditions
from .models import (CHANNELS, MODES, REQUEST_STATES, SLOT_STATES, STEP_STATES, VERDICTS,
                     ApprovalRequest, ApproverSlot, Decision, Delegation, RequestStep,
                     Workflow, WorkflowStep)
from .permissions import DECIDE
from .service import (KIND, ApprovalError, CancelRequest, Decide, Delegate, inbox,
                      parse_approvers, summary)


# ------------------------------------------------------------------ validators
def _condition(form, field):
    try:
        conditions.parse(field.data)
    except conditions.ConditionError as exc:
        raise ValidationError(str(exc)) from None


def _approvers(form, field):
    try:
        parse_approvers(field.data)
    except ApprovalError as exc:
        raise ValidationError(" ".join(exc.messages["approvers"])) from None


def _escalate_to(form, field):
    if field.data and field.data.strip():
        try:
            parse_approvers(field.data.strip())
        except ApprovalError as exc:
            raise ValidationError(" ".join(exc.messages["approvers"])) from None
        if "\n" in field.data.strip():
            raise ValidationError(_("Name one approver."))


def _kind(form, field):
    if not KIND.match(field.data or "") or len(field.data) > 80:
        raise ValidationError(_("A request kind is a dotted lower-case name such as "
                                "suppliers.contract."))


def _choice(choices):
    labels = dict(choices)
    return lambda value: str(labels.get(value, value))


# ------------------------------------------------------------------ workflows
class WorkflowStepView(ModelView):
    datamodel = PeeweeInterface(WorkflowStep)
    list_title = _l("Workflow steps")
    list_columns = ["workflow", "position", "name", "mode", "approvers", "deadline_hours"]
    add_columns = edit_columns = show_columns = [
        "workflow", "position", "name", "mode", "approvers", "condition", "deadline_hours",
        "escalate_to", "allow_self_approval"]
    order_columns = ["position"]
    search_columns = ["workflow", "name"]
    base_order = ("position", "asc")
    label_columns = {"workflow": _l("Workflow"), "position": _l("Step number"),
                     "name": _l("Step name"), "mode": _l("Who must approve"),
                     "approvers": _l("Approvers"), "condition": _l("Step condition"),
                     "deadline_hours": _l("Deadline (hours)"), "escalate_to": _l("Escalate to"),
                     "allow_self_approval": _l("Requester may approve")}
    description_columns = {
        "approvers": _l("One per line: role:<role name> or user:<user name>."),
        "condition": _l("The step is on the path only when this holds, e.g. amount >= 10000. "
                        "Empty: always."),
        "deadline_hours": _l("Reminded when it passes, escalated half that time later."),
        "escalate_to": _l("role:<role name> or user:<user name>; empty: Head-office admin."),
        "allow_self_approval": _l("Off by default: the requester never approves their own "
                                  "request."),
    }
    validators_columns = {"approvers": [_approvers], "condition": [_condition],
                          "escalate_to": [_escalate_to]}
    formatters_columns = {"mode": _choice(MODES)}


class WorkflowView(ModelView):
    datamodel = PeeweeInterface(Workflow)
    list_title = _l("Approval workflows")
    list_columns = ["kind", "name", "priority", "condition", "active"]
    add_columns = edit_columns = show_columns = ["kind", "name", "priority", "condition",
                                                 "active"]
    search_columns = ["kind", "name"]
    order_columns = ["kind", "priority"]
    base_order = ("kind", "asc")
    label_columns = {"kind": _l("Request kind"), "name": _l("Workflow name"),
                     "priority": _l("Priority"), "condition": _l("Condition"),
                     "active": _l("Active")}
    description_columns = {
        "kind": _l("For example suppliers.contract, campaigns.activity, office.expense."),
        "priority": _l("Lower first: the first active workflow whose condition holds is "
                       "used."),
        "condition": _l("Clauses separated by ; such as amount >= 10000; store in "
                        "SH001,SH002. Empty: always."),
    }
    validators_columns = {"kind": [_kind], "condition": [_condition]}
    related_views = [WorkflowStepView]


# ------------------------------------------------------------------ requests
def request_detail(pk) -> dict | None:
    """What the request page shows below the record: the requesting plugin's summary,
    the path with its slots, the decisions, and what the user may decide."""
    item = ApprovalRequest.get_or_none(ApprovalRequest.id == pk)
    if item is None:
        return None
    steps = list(RequestStep.select().where(RequestStep.request == item.id)
                 .order_by(RequestStep.position))
    slots = {s.id: list(ApproverSlot.select().where(ApproverSlot.step == s.id)
                        .order_by(ApproverSlot.id)) for s in steps}
    decisions = list(Decision.select().where(Decision.request == item.id)
                     .order_by(Decision.decided_at, Decision.id))
    mine = [i for i in inbox(g.user.id) if i["request"].id == item.id] \
        if has_permission(DECIDE) else []
    return {"request": item, "summary": summary(item), "steps": steps, "slots": slots,
            "decisions": decisions, "mine": mine, "modes": dict(MODES),
            "step_states": dict(STEP_STATES), "slot_states": dict(SLOT_STATES),
            "verdicts": dict(VERDICTS), "channels": dict(CHANNELS),
            "states": dict(REQUEST_STATES), "user_name": people.user_name,
            "fmt_datetime": format_local_datetime,
            "may_cancel": item.status == "pending" and item.requested_by_id == g.user.id}


def _decide_from_form(request_id, channel="console"):
    try:
        outcome = Decide(request_id, g.user.id, request.form.get("verdict"),
                         request.form.get("comment", ""), channel=channel,
                         slot_id=request.form.get("slot") or None).run()
    except ApprovalError as exc:
        for messages in exc.messages.values():
            for message in messages:
                flash(message, "danger")
        return False
    flash(_("Your decision on %(subject)s was recorded.", subject=outcome.request.subject),
          "success")
    return True


class ApprovalRequestView(StoreScopedMixin, ModelView):
    """Requests of the user's stores (every store for head office), read only; the
    page shows the path and lets an approver decide."""

    datamodel = PeeweeInterface(ApprovalRequest)
    store_field = "store_code"
    list_title = _l("Approval requests")
    show_title = _l("Approval request")
    base_permissions = ["can_list", "can_show", "can_decide"]
    list_columns = ["created_at", "kind", "subject", "requested_by_name", "store_code",
                    "status", "current_position"]
    show_columns = ["reference", "kind", "subject", "requested_by_name", "store_code",
                    "workflow_name", "status", "current_position", "created_at",
                    "decided_at", "snapshot_hash"]
    search_columns = ["kind", "subject", "status", "store_code", "requested_by_name"]
    order_columns = ["created_at", "kind", "status"]
    base_order = ("created_at", "desc")
    label_columns = {"reference": _l("Reference"), "kind": _l("Request kind"),
                     "subject": _l("Subject"), "requested_by_name": _l("Requested by"),
                     "store_code": _l("Store"), "workflow_name": _l("Workflow name"),
                     "status": _l("Status"), "current_position": _l("Current step"),
                     "created_at": _l("Requested at"), "decided_at": _l("Decided at"),
                     "snapshot_hash": _l("Snapshot fingerprint")}
    formatters_columns = {"status": _choice(REQUEST_STATES),
                          "created_at": format_local_datetime,
                          "decided_at": lambda v: format_local_datetime(v) if v else ""}
    show_template = "office/request_show.html"

    @property
    def extra_args(self):
        return {"approval_detail": request_detail}

    @extra_args.setter
    def extra_args(self, value):
        pass

    @expose("/decide/<pk>", methods=["POST"])
    @has_access
    @permission_name("decide")
    def decide(self, pk):
        if not has_permission(DECIDE):
            abort(403)
        visible = self.datamodel.get(pk) is not None if str(pk).isdigit() else False
        if not visible and not (str(pk).isdigit()
                                and any(i["request"].id == int(pk) for i in inbox(g.user.id))):
            abort(404)
        _decide_from_form(pk)
        return redirect(request.form.get("next") or url_for(".show", pk=pk))

    @expose("/cancel/<pk>", methods=["POST"])
    @has_access
    @permission_name("decide")
    def cancel(self, pk):
        item = self.datamodel.get(pk) if str(pk).isdigit() else None
        if item is None or item.requested_by_id != g.user.id:
            abort(404)
        try:
            CancelRequest(item.id, g.user.id).run()
            flash(_("The request was withdrawn."), "success")
        except ApprovalError as exc:
            flash(" ".join(m for ms in exc.messages.values() for m in ms), "danger")
        return redirect(url_for(".show", pk=pk))


# ------------------------------------------------------------------ inbox
class ApprovalInboxView(BaseView):
    """The signed-in user's approvals to decide, their own requests and delegations."""

    route_base = "/office/approvals"
    default_view = "inbox"
    base_permissions = ["can_inbox", "can_delegate"]

    @expose("/inbox/")
    @has_access
    @permission_name("inbox")
    def inbox(self):
        items = inbox(g.user.id)
        own = list(ApprovalRequest.select().where(ApprovalRequest.requested_by_id == g.user.id)
                   .order_by(ApprovalRequest.created_at.desc()).limit(50))
        delegations = list(Delegation.select().where(
            (Delegation.user_id == g.user.id) | (Delegation.delegate_id == g.user.id))
            .order_by(Delegation.starts_at.desc()).limit(50))
        users = [(u_id, name) for u_id, name in sorted(
            people.names(_active_user_ids()).items(), key=lambda kv: kv[1])
            if u_id != g.user.id]
        return self.render_template(
            "office/inbox.html", title=_("Approval inbox"), items=items, own=own,
            delegations=delegations, users=users, summary=summary,
            user_name=people.user_name, fmt_datetime=format_local_datetime,
            states=dict(REQUEST_STATES))

    @expose("/delegate/", methods=["POST"])
    @has_access
    @permission_name("delegate")
    def delegate(self):
        try:
            starts = _parse_local(request.form.get("starts_at"))
            ends = _parse_local(request.form.get("ends_at"))
            Delegate(g.user.id, _int(request.form.get("delegate")), starts, ends,
                     request.form.get("kind") or None).run()
            flash(_("Your approvals are delegated for that time."), "success")
        except ApprovalError as exc:
            for messages in exc.messages.values():
                for message in messages:
                    flash(message, "danger")
        return redirect(url_for(".inbox"))


def _active_user_ids():
    from flask import current_app

    sm = current_app.appbuilder.sm
    return [u.id for u in sm.session.query(sm.user_model)
            .filter(sm.user_model.active.is_(True)).all()]


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _parse_local(text):
    """A ``datetime-local`` value in the user's time zone, as UTC; ``None`` if bad."""
    try:
        value = dt.datetime.fromisoformat((text or "").strip())
    except ValueError:
        return None
    if not dt.datetime(2000, 1, 1) <= value.replace(tzinfo=None) <= dt.datetime(2100, 1, 1):
        return None
    if value.tzinfo is None:
        from zoneinfo import ZoneInfo

        from flask import current_app

        from zhanggui.i18n import select_timezone

        tz = ZoneInfo(select_timezone()
                      or current_app.extensions["zhanggui"].settings["TIMEZONE"])
        value = value.replace(tzinfo=tz)
    return value.astimezone(dt.timezone.utc)


# ------------------------------------------------------------------ e-mail links
class ApprovalLinkView(BaseView):
    """``/office/approval-link/<token>``: a signed, expiring, single-use decision link.
    GET shows what will be decided (mail scanners fetch links: GET changes nothing);
    the POST from that page decides, as the link's approver."""

    route_base = "/office/approval-link"
    default_view = "confirm"

    @expose("/<token>", methods=["GET", "POST"])
    def confirm(self, token):
        from .links import LinkError, read_token

        try:
            data = read_token(token)
        except LinkError as exc:
            return self.render_template("office/link.html", title=_("Approval"),
                                        error=str(exc), item=None), 400
        item = ApprovalRequest.get_or_none(ApprovalRequest.id == data["r"])
        if item is None:
            return self.render_template("office/link.html", title=_("Approval"),
                                        error=_("This link is not valid."), item=None), 400
        if request.method == "POST":
            try:
                Decide(item.id, data["u"], data["v"], request.form.get("comment", ""),
                       channel="link", link_token_id=data["j"]).run()
            except ApprovalError as exc:
                return self.render_template(
                    "office/link.html", title=_("Approval"), item=item,
                    error=" ".join(m for ms in exc.messages.values() for m in ms)), 422
            return self.render_template("office/link.html", title=_("Approval"), item=item,
                                        done=True, verdict=data["v"], error=None)
        return self.render_template(
            "office/link.html", title=_("Approval"), item=item, verdict=data["v"],
            summary=summary(item), approver=people.user_name(data["u"]), error=None,
            done=False)
