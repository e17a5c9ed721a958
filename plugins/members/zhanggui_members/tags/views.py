"""Console screens for tags: groups, tags with the rule editor, manual tagging on the
member 360° view (a panel), and the "has tag" filter of the member directory.

Permissions: the tag screens are FAB's ``can_* on TagGroupView/TagView``; putting
tags on members and taking them off is ``can_tag on MemberTaggingView`` (audited);
re-evaluating rule tags now is ``can_evaluate on TagView``.
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.security.decorators import permission_name
from wtforms import validators

from zhanggui import (AdminView, MemberPanel, RoleGrant, _, _l, enqueue,
                      format_local_datetime, has_permission)
from zhanggui.console.datamodel import ModelView, PeeweeInterface
from zhanggui.console.datamodel.filters import PeeweeFilter

from ..profile.models import Member
from .models import ASSIGNMENT_SOURCES, TAG_KINDS, MemberTag, Tag, TagGroup
from .rules import FIELDS
from .service import TagError, assign_tag, member_tags, normalized_rule, remove_tag

CATEGORY = "Members"
RULE_EXAMPLE = ('{"all": [{"field": "purchase_count", "op": ">=", "value": 3, "days": 30, '
                '"category": "咖啡"}, {"field": "gender", "op": "=", "value": "female"}]}')


class FilterHasTag(PeeweeFilter):
    """Members carrying the tag of this name (the member directory's tag filter)."""

    name = _l("Has tag")
    arg_name = "tag"

    def apply(self, query, value):
        text = (value or "").strip()
        tagged = (MemberTag.select(MemberTag.member).join(Tag)
                  .where(Tag.name == text))
        return query.where(Member.id.in_(tagged))


def _valid_rule(form, field):
    try:
        normalized_rule(form.kind.data, field.data)
    except TagError as exc:
        raise validators.ValidationError(" ".join(exc.messages.get(
            "rule", [str(exc)]))) from None


class TagGroupView(ModelView):
    datamodel = PeeweeInterface(TagGroup)
    list_title = _l("Tag groups")
    add_title = _l("Add tag group")
    edit_title = _l("Edit tag group")
    show_title = _l("Tag group")
    base_permissions = ["can_list", "can_show", "can_add", "can_edit"]
    list_columns = ["code", "label", "position"]
    add_columns = edit_columns = ["code", "name", "position"]
    show_columns = ["code", "label", "name", "position"]
    search_columns = ["code", "name"]
    label_columns = {"label": _l("Name shown")}
    description_columns = {"name": _l("Leave empty for the built-in groups to show their "
                                      "name in each language.")}
    order_columns = ["code", "position"]


class TagView(ModelView):
    """Tags; the rule of a rule-based tag is checked before it is saved."""

    datamodel = PeeweeInterface(Tag)
    list_title = _l("Tags")
    add_title = _l("Add tag")
    edit_title = _l("Edit tag")
    show_title = _l("Tag")
    base_permissions = ["can_list", "can_show", "can_add", "can_edit", "can_evaluate"]
    list_columns = ["name", "group", "kind", "member_count", "evaluated_at", "active"]
    add_columns = edit_columns = ["group", "name", "kind", "rule", "description", "active"]
    show_columns = ["name", "group", "kind", "rule", "description", "active",
                    "member_count", "evaluated_at", "created_at"]
    search_columns = ["name", "group", "kind", "active"]
    order_columns = ["name", "member_count", "evaluated_at"]
    validators_columns = {"rule": [_valid_rule]}
    description_columns = {"rule": _l("Rule-based tags only. JSON, for example: %(example)s "
                                      "Fields: %(fields)s. Operators: >=, >, <=, <, =, !=, "
                                      "in. Combine with \"all\" (and) or \"any\" (or).",
                                      example=RULE_EXAMPLE, fields=", ".join(FIELDS))}
    list_template = "members/tag_list.html"

    def _store_rule(self, item):
        item.rule = normalized_rule(item.kind, item.rule)

    def pre_add(self, item):
        self._store_rule(item)

    def pre_update(self, item):
        self._store_rule(item)

    @expose("/evaluate/", methods=["POST"])
    @has_access
    @permission_name("evaluate")
    def evaluate(self):
        """Queue the re-evaluation of every rule tag (the daily job, now)."""
        enqueue("members.evaluate_tags")
        flash(_("Rule-based tags are being re-evaluated; the counts update when it is "
                "done."), "info")
        return redirect(url_for(f"{self.endpoint}.list"))


class MemberTaggingView(BaseView):
    """Put manual tags on a member and take them off (from the 360° view)."""

    route_base = "/membertagging"
    default_view = "add"
    base_permissions = ["can_tag"]

    def _member(self, member_id):
        from zhanggui.console.scope import user_store_codes

        member = Member.get_or_none(Member.id == member_id)
        if member is None:
            abort(404)
        codes = user_store_codes()
        if codes is not None and (member.home_store_id is None
                                  or member.home_store.code not in codes):
            abort(404)
        return member

    def _back(self, member):
        return redirect(url_for("MemberView.show", pk=member.id))

    @expose("/add/<int:member_id>", methods=["POST"])
    @has_access
    @permission_name("tag")
    def add(self, member_id):
        member = self._member(member_id)
        tag = Tag.get_or_none(Tag.id == request.form.get("tag", type=int))
        if tag is None:
            flash(_("Choose a tag."), "danger")
            return self._back(member)
        try:
            assign_tag(member, tag)
        except TagError as exc:
            flash(str(exc), "danger")
        return self._back(member)

    @expose("/remove/<int:member_id>/<int:tag_id>", methods=["POST"])
    @has_access
    @permission_name("tag")
    def remove(self, member_id, tag_id):
        member = self._member(member_id)
        tag = Tag.get_or_none(Tag.id == tag_id)
        if tag is None:
            abort(404)
        try:
            remove_tag(member, tag)
        except TagError as exc:
            flash(str(exc), "danger")
        return self._back(member)


def member_tags_panel(member_id) -> list[MemberPanel]:
    """The tags panel of the 360° view: each tag with its group, source, who and when;
    add/remove forms for users holding ``can_tag on MemberTaggingView``."""
    member = Member.get_or_none(Member.id == member_id)
    if member is None:
        return []
    may_tag = has_permission("can_tag on MemberTaggingView")
    assigned = member_tags(member)
    held = {a.tag_id for a in assigned}
    choices = [] if not may_tag else list(
        Tag.select(Tag, TagGroup).join(TagGroup)
        .where((Tag.kind == "manual") & (Tag.active == True)  # noqa: E712
               & Tag.id.not_in(list(held) or [0]))
        .order_by(TagGroup.position, Tag.name))
    html = render_template("members/tags_panel.html", member=member, assigned=assigned,
                           choices=choices, may_tag=may_tag,
                           sources=dict(ASSIGNMENT_SOURCES), kinds=dict(TAG_KINDS),
                           fmt_datetime=format_local_datetime)
    return [MemberPanel(name="members.tags", title=_l("Tags"), html=html, order=5)]


def tag_admin_views() -> list[AdminView]:
    members = _l("Members")
    return [AdminView(name="Tags", view=TagView, label=_l("Tags"), category=CATEGORY,
                      category_label=members, icon="fa-tags"),
            AdminView(name="Tag groups", view=TagGroupView, label=_l("Tag groups"),
                      category=CATEGORY, category_label=members, icon="fa-folder"),
            AdminView(name="Member tagging", view=MemberTaggingView)]


_TAG_READ = ("can_list on TagView", "can_show on TagView", "menu_access on Tags",
             "can_list on TagGroupView", "can_show on TagGroupView",
             "menu_access on Tag groups")
_TAG_WRITE = ("can_add on TagView", "can_edit on TagView", "can_evaluate on TagView",
              "can_add on TagGroupView", "can_edit on TagGroupView")


def tag_role_grants() -> list[RoleGrant]:
    """Marketing owns the tag catalogue and its rules; staff who serve customers tag
    them by hand; auditors read.  (Head-office admin gets everything anyway.)"""
    tagging = ("can_tag on MemberTaggingView",)
    return [RoleGrant("Marketing", _TAG_READ + _TAG_WRITE + tagging),
            RoleGrant("Call-center agent", _TAG_READ + tagging),
            RoleGrant("Store manager", _TAG_READ + tagging),
            RoleGrant("Store staff", tagging),
            RoleGrant("Auditor", _TAG_READ)]
