"""Console screens of tickets: the list/show/add/edit screen (store-scoped), the
actions on one ticket (reply, note, status, merge, attach, download) and the panel
on the member 360° view."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.security.decorators import permission_name

from zhanggui import MemberPanel, _, _l, format_local_datetime, has_permission, utcnow
from zhanggui.console.datamodel import ModelView, PeeweeInterface
from zhanggui.console.scope import StoreScopedMixin, user_store_codes

from ..escalation.service import escalate_if_negative
from ..members import member_summary
from ..screenpop.views import current_agent
from ..sla.service import earliest_deadline, start_clock
from .attachments import AttachmentError, attach, path_of
from .models import (DONE, KINDS, PRIORITIES, STATUSES, Ticket, TicketAttachment,
                     TicketMessage)
from .service import AddMessage, ChangeStatus, MergeTickets, TicketError

LABELS = {"id": _l("Ticket number"), "kind": _l("Ticket type"), "priority": _l("Priority"),
          "channel": _l("Channel"), "status": _l("Ticket status"), "subject": _l("Subject"),
          "description": _l("Description"), "member_id": _l("Member"),
          "purchase_ref": _l("Purchase (transaction id)"), "store_code": _l("Store code"),
          "counter_code": _l("Counter"), "assignee": _l("Assigned agent"), "team": _l("Team"),
          "created_at": _l("Opened at"), "response_due_at": _l("First response due"),
          "resolution_due_at": _l("Resolution due"), "sla_policy": _l("SLA policy"),
          "response_breached_at": _l("First response breached at"),
          "resolution_breached_at": _l("Resolution breached at"),
          "first_responded_at": _l("First response at"), "resolved_at": _l("Resolved at"),
          "closed_at": _l("Closed at"), "sentiment": _l("Sentiment (0 negative, 1 positive)"),
          "merged_into": _l("Merged into"), "member_tier": _l("Member tier"),
          "paused_at": _l("SLA clock paused since"), "call": _l("Call"),
          "updated_at": _l("Updated at")}


class TicketView(StoreScopedMixin, ModelView):
    datamodel = PeeweeInterface(Ticket)
    store_field = "store_code"
    list_title = _l("Service tickets")
    show_title = _l("Service ticket")
    add_title = _l("New service ticket")
    edit_title = _l("Edit service ticket")
    base_permissions = ["can_list", "can_show", "can_add", "can_edit"]
    list_columns = ["id", "kind", "priority", "status", "subject", "store_code", "assignee",
                    "resolution_due_at", "resolution_breached_at"]
    show_columns = ["id", "kind", "priority", "channel", "status", "subject", "description",
                    "member_id", "member_tier", "purchase_ref", "store_code", "counter_code",
                    "assignee", "team", "sla_policy", "created_at", "first_responded_at",
                    "response_due_at", "response_breached_at", "resolution_due_at",
                    "resolution_breached_at", "paused_at", "resolved_at", "closed_at",
                    "sentiment", "merged_into"]
    add_columns = ["kind", "priority", "channel", "subject", "description", "member_id",
                   "purchase_ref", "store_code", "counter_code", "assignee", "team"]
    edit_columns = ["priority", "subject", "purchase_ref", "store_code", "counter_code",
                    "assignee", "team"]
    search_columns = ["kind", "priority", "status", "subject", "store_code", "counter_code",
                      "member_id"]
    order_columns = ["id", "priority", "resolution_due_at"]
    base_order = ("id", "desc")
    label_columns = LABELS
    show_template = "callcenter/ticket_show.html"

    def pre_add(self, item):
        now = utcnow()
        item.created_at = item.updated_at = now
        if item.member_id:
            tier = (member_summary(item.member_id).get("loyalty") or {}).get("tier") or {}
            item.member_tier = tier.get("code")
        if item.assignee_id and not item.team_id:
            item.team = item.assignee.team_id
        start_clock(item, now)

    def post_add(self, item):
        escalate_if_negative(item, f"{item.subject}\n{item.description}", utcnow())

    def pre_update(self, item):
        item.updated_at = utcnow()


def ticket_extras(ticket_id):
    """What the ticket's show page adds below the fields (a template global)."""
    ticket = Ticket.get_or_none(Ticket.id == ticket_id)
    if ticket is None:
        return None
    return {"ticket": ticket, "deadline": earliest_deadline(ticket),
            "messages": list(TicketMessage.select().where(TicketMessage.ticket == ticket)
                             .order_by(TicketMessage.id)),
            "attachments": list(TicketAttachment.select()
                                .where(TicketAttachment.ticket == ticket)),
            "statuses": [(c, lbl) for c, lbl in STATUSES if c != "merged"],
            "may_handle": has_permission("can_handle on TicketActionsView"),
            "fmt": format_local_datetime}


class TicketActionsView(BaseView):
    route_base = "/callcenter/tickets"
    base_permissions = ["can_handle", "can_download"]

    def _ticket(self, pk) -> Ticket:
        ticket = Ticket.get_or_none(Ticket.id == pk)
        codes = user_store_codes()
        if ticket is None or (codes is not None and ticket.store_code not in codes):
            abort(404)
        return ticket

    def _back(self, ticket):
        return redirect(url_for("TicketView.show", pk=ticket.id))

    def _flash_errors(self, exc: TicketError):
        for messages in exc.messages.values():
            for message in messages:
                flash(message, "danger")

    @expose("/<int:pk>/message", methods=["POST"])
    @has_access
    @permission_name("handle")
    def message(self, pk):
        ticket = self._ticket(pk)
        from flask import g

        try:
            AddMessage(ticket, request.form.get("kind", "note"), request.form.get("body"),
                       author_user_id=g.user.id, author_name=g.user.username).run()
            flash(_("Saved."), "success")
        except TicketError as exc:
            self._flash_errors(exc)
        return self._back(ticket)

    @expose("/<int:pk>/status", methods=["POST"])
    @has_access
    @permission_name("handle")
    def status(self, pk):
        ticket = self._ticket(pk)
        try:
            ChangeStatus(ticket, request.form.get("status", "")).run()
            flash(_("Saved."), "success")
        except TicketError as exc:
            self._flash_errors(exc)
        return self._back(ticket)

    @expose("/<int:pk>/merge", methods=["POST"])
    @has_access
    @permission_name("handle")
    def merge(self, pk):
        ticket = self._ticket(pk)
        try:
            target = self._ticket(int(request.form.get("target", "0")))
        except (ValueError, OverflowError):
            abort(404)
        try:
            MergeTickets(ticket, target).run()
            flash(_("Merged into ticket #%(id)s.", id=target.id), "success")
            return self._back(target)
        except TicketError as exc:
            self._flash_errors(exc)
        return self._back(ticket)

    @expose("/<int:pk>/attach", methods=["POST"])
    @has_access
    @permission_name("handle")
    def upload(self, pk):
        ticket = self._ticket(pk)
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            flash(_("Choose a file."), "danger")
            return self._back(ticket)
        try:
            attach(ticket, upload.filename, upload.stream)
            flash(_("File attached."), "success")
        except AttachmentError as exc:
            flash(str(exc), "danger")
        return self._back(ticket)

    @expose("/attachment/<int:pk>")
    @has_access
    @permission_name("download")
    def download(self, pk):
        attachment = TicketAttachment.get_or_none(TicketAttachment.id == pk)
        if attachment is None:
            abort(404)
        self._ticket(attachment.ticket_id)
        response = send_file(path_of(attachment), mimetype=attachment.content_type,
                             as_attachment=True, download_name=attachment.filename)
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


def member_tickets_panel(member_id) -> list[MemberPanel]:
    """The member's tickets on the 360° view (newest first)."""
    if not has_permission("can_list on TicketView"):
        return []
    tickets = list(Ticket.select().where((Ticket.member_id == member_id)
                                         & (Ticket.status != "merged"))
                   .order_by(Ticket.id.desc()).limit(20))
    html = render_template("callcenter/member_panel.html", tickets=tickets,
                           kinds=dict(KINDS), statuses=dict(STATUSES),
                           priorities=dict(PRIORITIES), done=DONE, fmt=format_local_datetime)
    return [MemberPanel(name="callcenter.tickets", title=_l("Service tickets"), html=html,
                        order=40)]


__all__ = ["TicketView", "TicketActionsView", "member_tickets_panel", "ticket_extras",
           "current_agent"]
