"""Console screens of the scorecard (criteria, grades), the graded archive, and the
score trend panel shown on a counter's and a supplier's page (vendored Chart.js)."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.security.decorators import permission_name
from wtforms import validators

from zhanggui import AdminView, _, _l, has_permission
from zhanggui.console.datamodel import ModelView, PeeweeInterface
from zhanggui.console.scope import StoreScopedMixin, user_store_codes

from ..console import RecordActionsMixin
from ..errors import SupplierError
from ..settlement.service import parse_month
from .expr import FormulaError, parse
from .models import CounterScore, Criterion, Standing
from .service import grade_month, scorecard_errors


def _valid_formula(form, field):
    try:
        parse(field.data or "")
    except FormulaError as exc:
        raise validators.ValidationError(_("This formula cannot be used: %(why)s",
                                           why=str(exc))) from None


class _ScorecardWarning:
    """The list page says when the scorecard cannot grade (weights, gaps)."""

    def _list(self, **kwargs):
        for problem in scorecard_errors():
            flash(problem, "warning")
        return super()._list(**kwargs)


class CriterionView(_ScorecardWarning, ModelView):
    datamodel = PeeweeInterface(Criterion)
    list_title = _l("Scoring criteria")
    add_title = _l("Add criterion")
    edit_title = _l("Edit criterion")
    base_permissions = ["can_list", "can_show", "can_add", "can_edit"]
    list_columns = ["code", "name", "formula", "max_score", "weight", "active"]
    add_columns = edit_columns = show_columns = list_columns
    search_columns = ["code", "name", "active"]
    validators_columns = {"formula": [_valid_formula]}
    description_columns = {"formula": _l(
        "Numbers, variables (sales, gross_sales, refunds, target, return_rate, promoters, "
        "promoters_left, staff_turnover, statements_on_time and those of other plugins such "
        "as complaints), + - * /, comparisons, min, max, abs, round. A division by zero "
        "gives 0; a criterion naming a variable the period lacks is skipped."),
        "weight": _l("The weights of the criteria in use must add up to 100.")}


class StandingView(_ScorecardWarning, ModelView):
    datamodel = PeeweeInterface(Standing)
    list_title = _l("Grades")
    add_title = _l("Add grade")
    edit_title = _l("Edit grade")
    base_permissions = ["can_list", "can_show", "can_add", "can_edit", "can_delete"]
    list_columns = ["grade", "min_score", "max_score", "colour", "consequence"]
    add_columns = edit_columns = show_columns = list_columns
    description_columns = {"min_score": _l("Grades must cover scores 0 to 100 without gaps "
                                           "or overlaps; each runs up to, not including, "
                                           "the next.")}


class CounterScoreView(RecordActionsMixin, StoreScopedMixin, ModelView):
    datamodel = PeeweeInterface(CounterScore)
    list_title = _l("Counter grades")
    show_title = _l("Counter grade")
    base_permissions = ["can_list", "can_show", "can_grade"]
    list_columns = ["period_start", "counter", "supplier", "score", "grade", "consequence"]
    show_columns = ["period_start", "period_end", "counter", "supplier", "store_code",
                    "score", "grade", "consequence", "variables", "details", "graded_at"]
    search_columns = ["period_start", "counter", "supplier", "grade", "consequence"]
    order_columns = ["period_start", "score"]
    base_order = ("period_start", "desc")
    store_field = "store_code"
    list_template = "suppliers/score_list.html"

    @expose("/grade/", methods=["POST"])
    @has_access
    @permission_name("grade")
    def grade(self):
        from flask import request

        try:
            count = grade_month(parse_month((request.form.get("month") or "")[:10]))
            flash(_("%(num)s counters graded.", num=count), "success")
        except SupplierError as exc:
            flash(" ".join(m for v in exc.messages.values() for m in v), "danger")
        return redirect(url_for(f"{self.endpoint}.list"))


def score_archive_panel(counter=None, supplier=None) -> str:
    """The grade history of a counter or of a supplier's counters, with a trend chart
    (nothing for users who may not read grades, or when there is none)."""
    if not has_permission("can_list on CounterScoreView"):
        return ""
    query = CounterScore.select().order_by(CounterScore.period_start)
    if counter is not None:
        query = query.where(CounterScore.counter == counter)
    else:
        query = query.where(CounterScore.supplier == supplier)
    codes = user_store_codes()
    if codes is not None:
        query = query.where(CounterScore.store_code.in_(list(codes) or [""]))
    rows = list(query.limit(240))
    if not rows:
        return ""
    periods = sorted({f"{r.period_start:%Y-%m}" for r in rows})
    series: dict[str, dict[str, float]] = {}
    for r in rows:
        if r.score is not None:
            series.setdefault(r.counter.code, {})[f"{r.period_start:%Y-%m}"] = float(r.score)
    chart = {"labels": periods,
             "datasets": [{"label": code, "data": [values.get(p) for p in periods]}
                          for code, values in sorted(series.items())]}
    return render_template("suppliers/score_archive.html", rows=rows[-24:][::-1],
                           chart=chart)


def scoring_admin_views() -> list[AdminView]:
    label = _l("Suppliers & counters")
    return [AdminView(name="Counter grades", view=CounterScoreView, label=_l("Counter grades"),
                      category="SupplierCounters", category_label=label, icon="fa-star-half-o"),
            AdminView(name="Scoring criteria", view=CriterionView,
                      label=_l("Scoring criteria"), category="SupplierCounters",
                      category_label=label, icon="fa-sliders"),
            AdminView(name="Grades", view=StandingView, label=_l("Grades"),
                      category="SupplierCounters", category_label=label, icon="fa-flag")]


SCORE_READ = ("can_list on CounterScoreView", "can_show on CounterScoreView",
              "menu_access on Counter grades", "can_list on CriterionView",
              "can_show on CriterionView", "menu_access on Scoring criteria",
              "can_list on StandingView", "can_show on StandingView", "menu_access on Grades")
SCORE_WRITE = ("can_grade on CounterScoreView", "can_add on CriterionView",
               "can_edit on CriterionView", "can_add on StandingView",
               "can_edit on StandingView", "can_delete on StandingView")
