"""Console screens for merging: the merge screen (pick two members with the
autocomplete widget, a side-by-side preview with what will move, confirm by POST),
the list of merges for review, and the likely duplicates.

Everything here needs the ``members.merge`` permission on top of the view's own
(``can_merge``/``can_list``/``can_show on MemberMergeView``); both are granted to
Head-office admin and Call-center agent (see :func:`merge_role_grants`).
"""
from __future__ import annotations

from peewee import JOIN
from flask import abort, flash, jsonify, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.security.decorators import has_access_api, permission_name
from wtforms import validators

from zhanggui import AdminView, RoleGrant, _, _l, format_local_date, format_local_datetime, \
    format_number, has_permission
from zhanggui.console.datamodel import ModelView, PeeweeInterface
from zhanggui.console.datamodel.forms import AutocompleteField
from zhanggui.console.datamodel.widgets import AutocompleteWidget

from ..profile.models import GENDERS, Member, MemberIdentity, Store
from .api import MERGE_PERMISSION
from .command import MergeError, MergeMembers
from .duplicates import duplicate_candidates
from .models import MemberMergeRecord

CATEGORY = "Members"
TABLE_LABELS = {"members_identity": _l("Linked accounts"),
                "members_purchase": _l("Purchases"), "members_refund": _l("Refunds"),
                "members_member_tag": _l("Tags"),
                "members_alias": _l("Earlier phone and card numbers")}


def _scope():
    from zhanggui.console.scope import user_store_codes

    return user_store_codes()


def _label(member: Member) -> str:
    """How a member reads in the picker: name, number, card, home store."""
    parts = [member.name or "—", f"#{member.id}"]
    if member.card_no:
        parts.append(member.card_no)
    if member.home_store_id:
        parts.append(member.home_store.code)
    return " · ".join(parts)


class MemberMergeView(ModelView):
    """Merges done (append-only, for review) and the merge screen."""

    datamodel = PeeweeInterface(MemberMergeRecord)
    list_title = _l("Member merges")
    show_title = _l("Member merge")
    base_permissions = ["can_list", "can_show", "can_merge"]
    list_columns = ["merged_at", "source", "target", "merged_by_name"]
    show_columns = ["merged_at", "source", "target", "merged_by_name", "moved", "fields"]
    order_columns = ["merged_at"]
    search_columns = ["merged_at", "merged_by_name"]
    autocomplete_fields = ["source", "target"]
    autocomplete_search_columns = {"source": ["name", "card_no"],
                                   "target": ["name", "card_no"]}
    list_template = "members/merge_list.html"
    merge_template = "members/merge.html"
    duplicates_template = "members/duplicates.html"

    def _guard(self):
        if not has_permission(MERGE_PERMISSION):
            abort(403)

    @expose("/autocomplete/<col_name>")
    @has_access_api
    @permission_name("list")
    def autocomplete(self, col_name):
        """Live members whose name or card starts with ``?q=`` (or number ``#12``),
        labelled with number, card and store so two namesakes can be told apart."""
        if col_name not in self.autocomplete_fields:
            return jsonify(message="Not found"), 404
        text = request.args.get("q", "").strip()
        query = Member.select(Member, Store).join(Store, on=(Member.home_store == Store.id),
                                                   join_type=JOIN.LEFT_OUTER) \
            .where(Member.merged_into.is_null() & Member.erased_at.is_null())
        codes = _scope()
        if codes is not None:
            query = query.where(Store.code.in_(sorted(codes) or [""]))
        if text.lstrip("#").isdigit():
            query = query.where((Member.id == int(text.lstrip("#")))
                                | Member.card_no.startswith(text))
        elif text:
            query = query.where(Member.name.startswith(text) | Member.card_no.startswith(text))
        rows = query.order_by(Member.name, Member.id).limit(self.autocomplete_limit)
        return jsonify(result=[{"id": m.id, "text": _label(m)} for m in rows])

    def _form(self):
        endpoint = self.endpoint
        datamodel = self.datamodel

        from flask_appbuilder.forms import DynamicForm

        class MergeForm(DynamicForm):
            source = AutocompleteField(
                _l("Member to merge away"), validators=[validators.InputRequired()],
                datamodel=datamodel, col_name="source",
                widget=AutocompleteWidget(endpoint=endpoint, col_name="source"))
            target = AutocompleteField(
                _l("Member to keep"), validators=[validators.InputRequired()],
                datamodel=datamodel, col_name="target",
                widget=AutocompleteWidget(endpoint=endpoint, col_name="target"))

        return MergeForm

    def _render(self, form, preview=None):
        return self.render_template(
            self.merge_template, form=form, preview=preview, title=_("Merge members"),
            tables=TABLE_LABELS, genders=dict(GENDERS), fmt_date=format_local_date,
            fmt_datetime=format_local_datetime, fmt_number=format_number,
            identities=lambda m: list(MemberIdentity.select()
                                      .where(MemberIdentity.member == m)))

    @expose("/merge/", methods=["GET", "POST"])
    @has_access
    @permission_name("merge")
    def merge(self):
        """Pick (GET; ``?source=&target=`` pre-fills), preview (POST step=preview),
        confirm (POST step=confirm)."""
        self._guard()
        form_class = self._form()
        if request.method == "GET":
            form = form_class(formdata=None)
            for key in ("source", "target"):
                pk = request.args.get(key, type=int)
                if pk:
                    getattr(form, key).data = Member.get_or_none(Member.id == pk)
            return self._render(form)
        form = form_class()
        if not form.validate():
            return self._render(form)
        command = MergeMembers(form.source.data.id, form.target.data.id, stores=_scope())
        try:
            if request.form.get("step") != "confirm":
                return self._render(form, preview=command.preview())
            merge = command.run()
        except MergeError as exc:
            for key, messages in exc.messages.items():
                getattr(form, key).errors = list(getattr(form, key).errors) + messages
            return self._render(form)
        flash(_("Member #%(source)s was merged into member #%(target)s.",
                source=merge.source_id, target=merge.target_id), "success")
        return redirect(url_for(f"{self.endpoint}.show", pk=merge.id))

    @expose("/duplicates/")
    @has_access
    @permission_name("merge")
    def duplicates(self):
        """Likely duplicates to review, each with a link to the merge screen."""
        self._guard()
        return self.render_template(
            self.duplicates_template, title=_("Likely duplicate members"),
            candidates=duplicate_candidates(stores=_scope()), fmt_date=format_local_date,
            fmt_datetime=format_local_datetime)


def merge_admin_views() -> list[AdminView]:
    # one menu entry: the list of merges, whose page leads to the merge screen and
    # the likely duplicates
    return [AdminView(name="Member merges", view=MemberMergeView, label=_l("Member merges"),
                      category=CATEGORY, category_label=_l("Members"), icon="fa-compress")]


def merge_role_grants() -> list[RoleGrant]:
    """Merging changes who a customer is across the chain: head office (everything
    anyway) and the call center, which hears about duplicates from customers and
    works across all stores.  Store staff and managers do not merge."""
    grants = ("members.merge", "can_merge on MemberMergeView", "can_list on MemberMergeView",
              "can_show on MemberMergeView", "menu_access on Member merges",
              "can_merge on MemberMergeApi")
    return [RoleGrant("Call-center agent", grants)]
