"""Routed documents in the console: the list (store-scoped like tasks), the page with
the route, the trail and the sign-off / return form, and the send form."""
from __future__ import annotations

from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.security.decorators import permission_name

from zhanggui import _, _l, format_local_datetime
from zhanggui.console.datamodel import ModelView, PeeweeInterface
from zhanggui.console.scope import StoreScopedMixin, user_store_codes

from .. import people
from .models import ACTIONS, DOCUMENT_STATES, RoutedDocument, RoutingEvent, RoutingStop
from .service import RoutingError, SendDocument, act


def store_rule(query, codes):
    return query.where(RoutedDocument.store_code.is_null()
                       | RoutedDocument.store_code.in_(sorted(codes) or [""]))


class RoutedDocumentView(StoreScopedMixin, ModelView):
    datamodel = PeeweeInterface(RoutedDocument)
    store_field = store_rule
    list_title = _l("Document routing")
    show_title = _l("Routed document")
    base_permissions = ["can_list", "can_show", "can_route"]
    list_columns = ["created_at", "title", "sender_name", "store_code", "status"]
    show_columns = ["title", "body", "sender_name", "store_code", "status", "created_at",
                    "finished_at"]
    search_columns = ["title", "status", "store_code"]
    base_order = ("created_at", "desc")
    label_columns = {"title": _l("Document title"), "body": _l("Document text"),
                     "sender_name": _l("Sender"), "store_code": _l("Store"),
                     "status": _l("Status"), "created_at": _l("Sent at"),
                     "finished_at": _l("Finished at")}
    formatters_columns = {"status": lambda v: str(dict(DOCUMENT_STATES).get(v, v)),
                          "created_at": format_local_datetime,
                          "finished_at": lambda v: format_local_datetime(v) if v else ""}
    show_template = "office/routing_show.html"

    @property
    def extra_args(self):
        return {"routing_detail": self._detail}

    @extra_args.setter
    def extra_args(self, value):
        pass

    def _detail(self, pk):
        document = self.datamodel.get(pk)
        if document is None:
            return None
        stops = list(document.stops.order_by(RoutingStop.position))
        holder = next((s for s in stops if s.position == document.current_position), None)
        return {"document": document, "stops": stops, "user_name": people.user_name,
                "trail": list(document.trail.order_by(RoutingEvent.position)),
                "actions": dict(ACTIONS), "fmt_datetime": format_local_datetime,
                "mine": holder is not None and holder.user_id == g.user.id}

    @expose("/act/<pk>", methods=["POST"])
    @has_access
    @permission_name("route")
    def act(self, pk):
        document = self.datamodel.get(pk) if str(pk).isdigit() else None
        if document is None:
            abort(404)
        try:
            act(document.id, g.user.id, request.form.get("action"),
                request.form.get("comment", ""))
            flash(_("Recorded in the trail."), "success")
        except RoutingError as exc:
            flash(" ".join(m for ms in exc.messages.values() for m in ms), "danger")
        return redirect(url_for(".show", pk=pk))

    @expose("/send/", methods=["GET", "POST"])
    @has_access
    @permission_name("route")
    def send(self):
        form, errors = request.form, {}
        if request.method == "POST":
            store = (form.get("store_code") or "").strip() or None
            codes = user_store_codes()
            route = [v for v in (form.get(f"stop-{i}") for i in range(8)) if v]
            if codes is not None and store not in codes:
                errors = {"store_code": [_("You do not work for this store.")]}
            else:
                try:
                    document = SendDocument(g.user.id, form.get("title", ""),
                                            form.get("body", ""), route, store).run()
                except RoutingError as exc:
                    errors = exc.messages
                else:
                    flash(_("The document is on its way."), "success")
                    return redirect(url_for(".show", pk=document.id))
        from flask import current_app

        sm = current_app.appbuilder.sm
        users = [(u.id, u.username) for u in sm.session.query(sm.user_model)
                 .filter(sm.user_model.active.is_(True)).order_by(sm.user_model.username)]
        return self.render_template("office/routing_send.html", title=_("Send a document"),
                                    form=form, errors=errors, users=users)
