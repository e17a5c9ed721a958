"""Bulletins in the console: the list (store-scoped: chain-wide bulletins and those
for the user's stores), the page (reading it records the receipt; its author and
head office see who has read it) and the publishing form."""
from __future__ import annotations

import operator
from functools import reduce

from flask import flash, g, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.security.decorators import permission_name

from zhanggui import _, _l, format_local_datetime, has_permission
from zhanggui.console.datamodel import ModelView, PeeweeInterface
from zhanggui.console.scope import StoreScopedMixin

from .models import Bulletin
from .service import BulletinError, PublishBulletin, mark_read, receipts

PUBLISH = "office.publish_bulletins"
#: the default roles' names as the publishing form shows them
ROLE_LABELS = {"Head-office admin": _l("Head-office admin"), "Store manager": _l("Store manager"),
               "Store staff": _l("Store staff"), "Call-center agent": _l("Call-center agent"),
               "Marketing": _l("Marketing"), "Buyer": _l("Buyer"), "Auditor": _l("Auditor"),
               "POS terminal": _l("POS terminal")}


def store_rule(query, codes):
    """Chain-wide bulletins and those naming one of ``codes``."""
    named = [Bulletin.stores.contains(f",{code},") for code in sorted(codes)]
    return query.where(reduce(operator.or_, named, Bulletin.stores == ""))


class BulletinView(StoreScopedMixin, ModelView):
    datamodel = PeeweeInterface(Bulletin)
    store_field = store_rule
    list_title = _l("Bulletins")
    show_title = _l("Bulletin")
    base_permissions = ["can_list", "can_show", "can_publish"]
    list_columns = ["published_at", "title", "author_name", "urgent"]
    show_columns = ["title", "body", "author_name", "published_at", "urgent"]
    search_columns = ["title", "author_name"]
    base_order = ("published_at", "desc")
    label_columns = {"published_at": _l("Published at"), "title": _l("Bulletin title"),
                     "author_name": _l("Author"), "urgent": _l("Urgent"),
                     "body": _l("Bulletin text")}
    formatters_columns = {"published_at": format_local_datetime}
    show_template = "office/bulletin_show.html"

    @property
    def extra_args(self):
        return {"bulletin_detail": self._detail}

    @extra_args.setter
    def extra_args(self, value):
        pass

    def _detail(self, pk):
        bulletin = self.datamodel.get(pk)
        if bulletin is None:
            return None
        mark_read(bulletin, g.user.id)
        see_receipts = bulletin.author_id == g.user.id or has_permission(PUBLISH)
        return {"bulletin": bulletin, "receipts": receipts(bulletin) if see_receipts else None,
                "fmt_datetime": format_local_datetime}

    @expose("/publish/", methods=["GET", "POST"])
    @has_access
    @permission_name("publish")
    def publish(self):
        form, errors = request.form, {}
        if request.method == "POST":
            stores = [s for s in (form.get("stores") or "").replace("，", ",").split(",")]
            try:
                bulletin = PublishBulletin(g.user.id, form.get("title", ""),
                                           form.get("body", ""), form.getlist("roles"),
                                           stores, urgent=bool(form.get("urgent"))).run()
            except BulletinError as exc:
                errors = exc.messages
            else:
                flash(_("The bulletin was sent to %(n)s readers.", n=bulletin.audience_size),
                      "success")
                return redirect(url_for(".show", pk=bulletin.id))
        from flask import current_app

        sm = current_app.appbuilder.sm
        # a role another plugin declares is translated in that plugin's catalog
        roles = sorted((r.name, str(ROLE_LABELS.get(r.name) or _(r.name)))
                       for r in sm.get_all_roles() if r.name != sm.auth_role_public)
        return self.render_template("office/bulletin_publish.html",
                                    title=_("Publish a bulletin"), form=form, errors=errors,
                                    roles=roles)
