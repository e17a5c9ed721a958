"""Segmentation in the console: the 360° panel, member-list columns and filters, the
dashboard charts and the admins' recompute page.  Thin: the rules are in
:mod:`zhanggui_members.segments.recompute`.
"""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from peewee import JOIN, Case, fn
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.security.decorators import permission_name

from zhanggui import (DashboardWidget, MemberPanel, WidgetData, _, _l, enqueue,
                      format_local_datetime, format_money, format_number, format_percentage,
                      has_permission)
from zhanggui.console.datamodel.filters import PeeweeFilter

from ..profile.models import LIFECYCLE_STAGES, Member
from . import queries, recompute
from .models import STAGE_CHANGE_REASONS, VALUE_GROUPS, MemberScore

RECOMPUTE_JOB = "members.recompute_segments_now"
SEGMENT_COLUMNS = ["value_group", "rfm", "clv"]
"""Member-list columns read from the score table (see :class:`SegmentColumns`)."""
SEGMENT_LABELS = {"value_group": _l("Value group"), "rfm": _l("RFM score"),
                  "clv": _l("Customer lifetime value (estimate)")}
_GROUP_LABELS = dict(VALUE_GROUPS)
_STAGE_LABELS = dict(LIFECYCLE_STAGES)
_GROUP_COLOURS = {"loyal": "#2e7d32", "growing": "#1976d2", "winback": "#f57c00",
                  "ordinary": "#9e9e9e"}
_STAGE_COLOURS = {"potential": "#90a4ae", "active": "#43a047", "dormant": "#fb8c00",
                  "churned": "#e53935"}


def _currency() -> str:
    return "CNY"  # amounts of every store are added up as they are (see README)


# --- member list: columns and filters -----------------------------------------------

def value_group_code(value) -> str | None:
    """The value group ``value`` names: its code (``loyal``) or its label in any of the
    console's languages (高价值忠诚, 高價值忠誠, High-value loyal); else ``None``."""
    from flask import current_app
    from flask_babel import force_locale

    text = str(value or "").strip()
    if text in _GROUP_LABELS:
        return text
    for language in current_app.extensions["zhanggui"].settings["LANGUAGES"]:
        with force_locale(language):
            for code, label in VALUE_GROUPS:
                if str(label).casefold() == text.casefold():
                    return code
    return None


class FilterValueGroup(PeeweeFilter):
    """Members of one value group, chosen from the translated labels (a code or a label
    typed in any language works too)."""

    name = _l("Value group is")
    arg_name = "value_group"

    def apply(self, query, value):
        code = value_group_code(value)
        if code is None:
            return query.where(Member.id.is_null())      # no such group: nobody
        return query.where(Member.id.in_(MemberScore.select(MemberScore.member)
                                         .where(MemberScore.value_group == code)))


class FilterRfmEqual(PeeweeFilter):
    name = _l("RFM score is")
    arg_name = "rfm"

    def apply(self, query, value):
        try:
            rfm = int(str(value).strip())
        except ValueError:
            return query.where(Member.id.is_null())   # not a score: matches nobody
        return query.where(Member.id.in_(MemberScore.select(MemberScore.member)
                                         .where(MemberScore.rfm == rfm)))


class FilterClvAtLeast(PeeweeFilter):
    name = _l("CLV at least")
    arg_name = "clv_gte"

    def apply(self, query, value):
        import decimal

        try:
            amount = decimal.Decimal(str(value).strip())
        except decimal.InvalidOperation:
            return query.where(Member.id.is_null())
        return query.where(Member.id.in_(MemberScore.select(MemberScore.member)
                                         .where(MemberScore.clv >= amount)))


def segment_search_fields() -> dict:
    """Search-form fields of the pseudo-columns (FAB cannot derive them from a column)."""
    from wtforms import SelectField, StringField

    fields = {col: StringField(SEGMENT_LABELS[col]) for col in SEGMENT_COLUMNS}
    fields["value_group"] = SelectField(SEGMENT_LABELS["value_group"], choices=VALUE_GROUPS,
                                        validate_choice=False)
    return fields


SEGMENT_FILTERS = {"value_group": [FilterValueGroup], "rfm": [FilterRfmEqual],
                   "clv": [FilterClvAtLeast]}


class SegmentFilters:
    """Mix into the member list's filter converter: the segment pseudo-columns."""

    def convert(self, col_name):
        if col_name in SEGMENT_FILTERS:
            return [cls(col_name, self.datamodel) for cls in SEGMENT_FILTERS[col_name]]
        return super().convert(col_name)


class SegmentColumns:
    """Mix into the member list's data interface: a page's scores come in one query
    (not one per row) and are shown as the columns of :data:`SEGMENT_COLUMNS`."""

    def query(self, *args, **kwargs):
        count, items = super().query(*args, **kwargs)
        ids = [item.id for item in items]
        scores = ({s.member_id: s for s in MemberScore.select()
                   .where(MemberScore.member.in_(ids))} if ids else {})
        for item in items:
            item.__dict__["_zg_score"] = scores.get(item.id)
        return count, items

    def resolve_order(self, query, col_name):
        """The score columns sort by the member's score row (members without one, who
        have not bought within the window, first in ascending order); value groups
        by rank, high-value loyal first."""
        if col_name not in SEGMENT_COLUMNS:
            return super().resolve_order(query, col_name)
        joined = dict(getattr(query, "_zg_joins", {}))
        score = joined.get("_score")
        if score is None:
            score = MemberScore.alias()
            query = query.join_from(self.obj, score, JOIN.LEFT_OUTER,
                                    on=(score.member == self.obj.id), attr="_score")
            query._zg_joins = {**joined, "_score": score}
        if col_name == "value_group":
            ranks = [(code, len(VALUE_GROUPS) - i) for i, (code, _label) in
                     enumerate(VALUE_GROUPS)]
            return query, Case(score.value_group, ranks, 0)
        return query, fn.COALESCE(getattr(score, col_name), -1)

    def get_filters(self, search_columns=None, search_filters=None):
        filters = super().get_filters(search_columns, search_filters)
        # FAB applies URL filters (_flt_0_value_group=...) only to real columns
        filters._all_filters = {**filters._all_filters, **{
            col: [cls(col, self) for cls in SEGMENT_FILTERS[col]] for col in SEGMENT_COLUMNS}}
        return filters

    def _get_attr_value(self, item, col):
        if col in SEGMENT_COLUMNS:
            score = item.__dict__.get("_zg_score", _MISSING)
            if score is _MISSING:
                score = queries.member_segment(item.id)
            if score is None or getattr(score, col) is None:
                return "—"
            if col == "value_group":
                return _GROUP_LABELS.get(score.value_group, score.value_group)
            if col == "clv":
                return format_money(score.clv, _currency())
            return str(score.rfm)
        return super()._get_attr_value(item, col)


_MISSING = object()


# --- the 360° view panel --------------------------------------------------------------

def member_segment_panel(member_id) -> list[MemberPanel]:
    score = queries.member_segment(member_id)
    member = Member.get_or_none(Member.id == int(member_id))
    if member is None:
        return []
    html = render_template(
        "members/segment_panel.html", score=score, member=member,
        history=queries.stage_history(member_id, limit=10),
        groups=_GROUP_LABELS, stages=_STAGE_LABELS, reasons=dict(STAGE_CHANGE_REASONS),
        window=recompute.current_settings().window_days, fmt_money=format_money,
        fmt_number=format_number, fmt_datetime=format_local_datetime, currency=_currency())
    return [MemberPanel(name="members.segment", title=_l("Value group and lifecycle"),
                        html=html, order=10)]


# --- dashboard --------------------------------------------------------------------------

def _chart_locale() -> str:
    """The user's locale for Chart.js's own number formatting (axis ticks, tooltips)."""
    from flask_babel import get_locale

    locale = get_locale()
    return str(locale).replace("_", "-") if locale else "zh-CN"


def value_group_tile() -> WidgetData:
    rows = queries.summary_by_value_group()
    members = sum(r["members"] for r in rows)
    revenue = sum(r["revenue"] for r in rows)
    share = [float(r["revenue"] / revenue * 100) if revenue else 0.0 for r in rows]
    chart = {
        "type": "bar",
        "labels": [str(r["label"]) for r in rows],
        "datasets": [
            {"label": _("Members"), "data": [r["members"] for r in rows], "yAxisID": "y",
             "backgroundColor": [_GROUP_COLOURS[r["group"]] for r in rows]},
            {"label": _("Share of revenue (%)"), "data": [round(s, 1) for s in share],
             "yAxisID": "y1", "type": "line", "borderColor": "#6d4c41"}],
        "options": {"locale": _chart_locale(),
                    "scales": {"y": {"beginAtZero": True, "position": "left"},
                               "y1": {"beginAtZero": True, "max": 100, "position": "right",
                                      "grid": {"drawOnChartArea": False}}}},
    }
    loyal = next(r for r in rows if r["group"] == "loyal")
    caption = _("%(members)s members scored; high-value loyal bring %(share)s of revenue",
                members=format_number(members),
                share=format_percentage(loyal["revenue"] / revenue if revenue else 0))
    return WidgetData(value=format_number(members), caption=caption, chart=chart)


def stage_flow_tile() -> WidgetData:
    flows = queries.monthly_stage_flows()
    chart = {
        "type": "bar",
        "labels": flows["months"],
        "datasets": [{"label": str(_STAGE_LABELS[stage]), "data": counts,
                      "backgroundColor": _STAGE_COLOURS[stage]}
                     for stage, counts in flows["into"].items()],
        "options": {"locale": _chart_locale(),
                    "scales": {"x": {"stacked": True},
                               "y": {"stacked": True, "beginAtZero": True}}},
    }
    total = sum(sum(c) for c in flows["into"].values())
    last = queries.last_computed_at()
    caption = (_("Members moved into each stage per month; last computed %(when)s",
                 when=format_local_datetime(last)) if last
               else _("Not computed yet"))
    return WidgetData(value=format_number(total), caption=caption, chart=chart)


def dashboard_widgets() -> list[DashboardWidget]:
    # chain-wide figures: for those who see the segmentation page, not store staff
    see = "can_list on SegmentView"
    return [DashboardWidget(name="members.value_groups", title=_l("Members by value group"),
                            render=value_group_tile, permission=see, order=30),
            DashboardWidget(name="members.stage_flows", title=_l("Lifecycle stage moves"),
                            render=stage_flow_tile, permission=see, order=31)]


# --- the admins' page -------------------------------------------------------------------

class SegmentView(BaseView):
    """Segmentation overview with a button that recomputes everything now."""

    route_base = "/member-segments"
    default_view = "overview"
    base_permissions = ["can_list", "can_recompute"]

    @expose("/")
    @has_access
    @permission_name("list")
    def overview(self):
        settings = recompute.current_settings()
        return self.render_template(
            "members/segments.html", title=_("Member segmentation"),
            rows=queries.summary_by_value_group(), settings=settings,
            last=queries.last_computed_at(), fmt_money=format_money,
            fmt_number=format_number, fmt_datetime=format_local_datetime,
            currency=_currency(), may_recompute=has_permission("can_recompute on SegmentView"))

    @expose("/recompute", methods=["POST"])
    @has_access
    @permission_name("recompute")
    def recompute(self):
        from zhanggui.console.audit import record

        record("update", MemberScore._meta.table_name, fields=["recompute"])
        enqueue(RECOMPUTE_JOB, None, "console")
        flash(_("Recomputing the segments of every member; the figures update when it "
                "is done."), "success")
        return redirect(url_for(".overview"))


SEGMENT_READ = ("can_list on SegmentView", "menu_access on Member segmentation")
"""The overview page without the recompute button (head-office admins get both)."""


def segment_admin_view():
    from zhanggui import AdminView

    return AdminView(name="Member segmentation", view=SegmentView, label=_l("Segmentation"),
                     category="Members", category_label=_l("Members"), icon="fa-pie-chart")
