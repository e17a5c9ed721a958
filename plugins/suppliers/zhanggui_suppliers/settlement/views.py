"""Console screens of settlement statements: generate a month, recalculate a draft,
review, approve or reject (when no approval workflow answers), export XLSX/PDF."""
from __future__ import annotations

from flask import Response, flash, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.security.decorators import permission_name

from zhanggui import AdminView, _l, ngettext
from zhanggui.console.datamodel import ModelView, PeeweeInterface
from zhanggui.console.scope import StoreScopedMixin, user_store_codes

from ..console import RecordActionsMixin, current_user_id
from ..counters.models import Counter
from ..errors import SupplierError
from .export import export
from .models import Statement, StatementLine
from .service import (DecideStatement, GenerateStatements, RecalculateStatement,
                      ReviewStatement, parse_month)


def _lines_of_stores(query, codes):
    return query.where(StatementLine.statement.in_(
        Statement.select(Statement.id).where(Statement.store_code.in_(list(codes) or [""]))))


class StatementLineView(StoreScopedMixin, ModelView):
    datamodel = PeeweeInterface(StatementLine)
    list_title = _l("Statement lines")
    base_permissions = ["can_list", "can_show"]
    list_columns = ["position", "kind", "category", "detail", "base", "rate", "amount"]
    show_columns = ["statement", "contract"] + list_columns
    search_columns = ["statement", "kind", "category"]
    base_order = ("position", "asc")
    store_field = _lines_of_stores


class StatementView(RecordActionsMixin, StoreScopedMixin, ModelView):
    datamodel = PeeweeInterface(Statement)
    list_title = _l("Settlement statements")
    show_title = _l("Settlement statement")
    base_permissions = ["can_list", "can_show", "can_generate", "can_recalculate",
                        "can_review", "can_approve", "can_reject", "can_export"]
    list_columns = ["month", "counter", "supplier", "status", "net_sales", "mall_income",
                    "payable"]
    show_columns = ["month", "counter", "store_code", "supplier", "currency", "status",
                    "gross_sales", "refunds", "net_sales", "mall_income", "payable",
                    "generated_at", "approved_at"]
    search_columns = ["month", "counter", "supplier", "status", "store_code"]
    order_columns = ["month", "net_sales", "payable"]
    base_order = ("month", "desc")
    related_views = [StatementLineView]
    store_field = "store_code"
    list_template = "suppliers/statement_list.html"
    record_actions = [
        ("recalculate", _l("Recalculate"), ("draft", "rejected"), []),
        ("review", _l("Reviewed: send for approval"), ("draft", "rejected"), []),
        ("approve", _l("Approve"), ("pending",), []),
        ("reject", _l("Reject"), ("pending",), []),
        ("export", _l("Export"), None, [("format", _l("Format"),
                                              [("xlsx", "XLSX"), ("pdf", "PDF")])]),
    ]

    @expose("/generate/", methods=["POST"])
    @has_access
    @permission_name("generate")
    def generate(self):
        """The missing statements of a month for the user's stores' counters."""
        try:
            month = parse_month(self.form_text("month", 10))
            codes = user_store_codes()
            counters = None if codes is None else [
                c.code for c in Counter.select(Counter.code)
                .where(Counter.store_code.in_(list(codes) or [""]))]
            made = GenerateStatements(month, counters).run()
            flash(ngettext("%(num)s statement generated.", "%(num)s statements generated.",
                           made), "success")
        except SupplierError as exc:
            flash(" ".join(m for v in exc.messages.values() for m in v), "danger")
        return redirect(url_for(f"{self.endpoint}.list"))

    @expose("/recalculate/<pk>", methods=["POST"])
    @has_access
    @permission_name("recalculate")
    def recalculate(self, pk):
        return self._act(pk, lambda s: RecalculateStatement(s.id).run())

    @expose("/review/<pk>", methods=["POST"])
    @has_access
    @permission_name("review")
    def review(self, pk):
        return self._act(pk, lambda s: ReviewStatement(s.id, current_user_id()).run())

    @expose("/approve/<pk>", methods=["POST"])
    @has_access
    @permission_name("approve")
    def approve(self, pk):
        return self._act(pk, lambda s: DecideStatement(s.id, True, current_user_id()).run())

    @expose("/reject/<pk>", methods=["POST"])
    @has_access
    @permission_name("reject")
    def reject(self, pk):
        return self._act(pk, lambda s: DecideStatement(s.id, False, current_user_id()).run())

    @expose("/export/<pk>", methods=["POST"])
    @has_access
    @permission_name("export")
    def export(self, pk):
        statement = self._item_or_404(pk)
        data, content_type, name = export(statement, request.form.get("format", "xlsx"))
        return Response(data, content_type=content_type, headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "X-Content-Type-Options": "nosniff"})


def settlement_admin_views() -> list[AdminView]:
    label = _l("Suppliers & counters")
    return [AdminView(name="Settlement statements", view=StatementView,
                      label=_l("Settlement statements"), category="SupplierCounters",
                      category_label=label, icon="fa-calculator"),
            AdminView(name="Statement lines", view=StatementLineView)]


STATEMENT_READ = ("can_list on StatementView", "can_show on StatementView",
                  "can_export on StatementView", "menu_access on Settlement statements",
                  "can_list on StatementLineView", "can_show on StatementLineView")
STATEMENT_WRITE = ("can_generate on StatementView", "can_recalculate on StatementView",
                   "can_review on StatementView")
STATEMENT_APPROVE = ("can_approve on StatementView", "can_reject on StatementView")
