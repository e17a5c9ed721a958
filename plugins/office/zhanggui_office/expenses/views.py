"""Console screens of expenses: categories and budgets (head office), recurring
expenses and claims (store-scoped), the new-claim form, submitting, receipts and the
accounting export."""
from __future__ import annotations

from flask import Response, abort, flash, g, redirect, request, send_file, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.security.decorators import permission_name
from wtforms import SelectField

from zhanggui import _, _l, format_local_datetime, format_money
from zhanggui.console.datamodel import ModelView, PeeweeInterface
from zhanggui.console.scope import StoreScopedMixin, user_store_codes

from .. import people
from .models import (CLAIM_STATES, FREQUENCIES, DepartmentBudget, ExpenseCategory,
                     ExpenseClaim, ExpenseLine, Receipt, RecurringExpense)
from .service import CreateClaim, ExpenseError, SubmitClaim


def _choice(choices):
    labels = dict(choices)
    return lambda value: str(labels.get(value, value))


def _user_choices():
    from flask import current_app

    sm = current_app.appbuilder.sm
    users = sm.session.query(sm.user_model).filter(sm.user_model.active.is_(True)) \
        .order_by(sm.user_model.username).all()
    return [(str(u.id), u.username) for u in users]


class ExpenseCategoryView(ModelView):
    datamodel = PeeweeInterface(ExpenseCategory)
    list_title = _l("Expense categories")
    list_columns = add_columns = edit_columns = show_columns = ["code", "name", "account"]
    # explicit: the default would offer the back-references (every claim line) as filters
    search_columns = ["code", "name", "account"]
    label_columns = {"code": _l("Category code"), "name": _l("Category name"),
                     "account": _l("Ledger account")}


class DepartmentBudgetView(ModelView):
    datamodel = PeeweeInterface(DepartmentBudget)
    list_title = _l("Department budgets")
    list_columns = add_columns = edit_columns = show_columns = ["department", "period",
                                                                "amount", "currency"]
    search_columns = ["department", "period"]
    label_columns = {"department": _l("Department"), "period": _l("Month"),
                     "amount": _l("Budget"), "currency": _l("Currency")}
    description_columns = {"period": _l("YYYY-MM, e.g. 2026-12.")}
    from wtforms.validators import Regexp as _Regexp

    validators_columns = {"period": [_Regexp(r"^\d{4}-(0[1-9]|1[0-2])$",
                                             message=_l("Give the month as YYYY-MM."))]}


class RecurringExpenseView(StoreScopedMixin, ModelView):
    datamodel = PeeweeInterface(RecurringExpense)
    store_field = "store_code"
    list_title = _l("Recurring expenses")
    list_columns = ["store_code", "department", "category", "description", "amount",
                    "frequency", "active"]
    add_columns = edit_columns = show_columns = ["store_code", "department", "category",
                                                 "description", "amount", "currency",
                                                 "frequency", "owner_id", "active"]
    # explicit: the default would offer the claims made from it (every store's) as filters
    search_columns = ["store_code", "department", "description", "active"]
    label_columns = {"store_code": _l("Store"), "department": _l("Department"),
                     "category": _l("Category"), "description": _l("Description"),
                     "amount": _l("Amount"), "currency": _l("Currency"),
                     "frequency": _l("Frequency"), "owner_id": _l("Claimant"),
                     "active": _l("Active")}
    formatters_columns = {"frequency": _choice(FREQUENCIES), "owner_id": people.user_name}
    add_form_extra_fields = edit_form_extra_fields = {
        "owner_id": SelectField(_l("Claimant"), choices=_user_choices, coerce=int)}


class ExpenseClaimView(StoreScopedMixin, ModelView):
    datamodel = PeeweeInterface(ExpenseClaim)
    store_field = "store_code"
    list_title = _l("Expense claims")
    show_title = _l("Expense claim")
    base_permissions = ["can_list", "can_show", "can_claim", "can_export"]
    list_columns = ["number", "created_at", "store_code", "department", "title",
                    "claimant_name", "total", "status"]
    show_columns = ["number", "store_code", "department", "title", "claimant_name",
                    "currency", "total", "status", "period", "created_at", "submitted_at",
                    "decided_at"]
    search_columns = ["number", "store_code", "department", "status", "title"]
    base_order = ("created_at", "desc")
    label_columns = {"number": _l("Claim number"), "store_code": _l("Store"),
                     "department": _l("Department"), "title": _l("Claim title"),
                     "claimant_name": _l("Claimant"), "currency": _l("Currency"),
                     "total": _l("Total"), "status": _l("Status"), "period": _l("Period"),
                     "created_at": _l("Created at"), "submitted_at": _l("Submitted at"),
                     "decided_at": _l("Decided at")}
    formatters_columns = {"status": _choice(CLAIM_STATES),
                          "created_at": format_local_datetime,
                          "submitted_at": lambda v: format_local_datetime(v) if v else "",
                          "decided_at": lambda v: format_local_datetime(v) if v else ""}
    show_template = "office/claim_show.html"

    @property
    def extra_args(self):
        return {"claim_detail": self._detail}

    @extra_args.setter
    def extra_args(self, value):
        pass

    def _detail(self, pk):
        claim = self.datamodel.get(pk)
        if claim is None:
            return None
        return {"claim": claim, "money": format_money,
                "lines": list(claim.lines.order_by(ExpenseLine.id)),
                "receipts": list(claim.receipts.order_by(Receipt.id)),
                "mine": claim.claimant_id == g.user.id}

    def _scoped(self, pk):
        claim = self.datamodel.get(pk) if str(pk).isdigit() else None
        if claim is None:
            abort(404)
        return claim

    @expose("/new/", methods=["GET", "POST"])
    @has_access
    @permission_name("claim")
    def new(self):
        categories = list(ExpenseCategory.select().order_by(ExpenseCategory.code))
        form = request.form if request.method == "POST" else {}
        errors = {}
        if request.method == "POST":
            lines = []
            for i in range(5):
                fields = {k: (form.get(f"lines-{i}-{k}") or "").strip()
                          for k in ("category", "description", "amount", "spent_on")}
                if any(fields.values()):
                    lines.append(fields)
            try:
                claim = CreateClaim(g.user.id, form.get("store_code", ""),
                                    form.get("department", ""), form.get("title", ""), lines,
                                    currency=form.get("currency", "CNY") or "CNY",
                                    stores=user_store_codes()).run()
            except ExpenseError as exc:
                errors = exc.messages
            else:
                flash(_("Claim %(number)s was saved as a draft.", number=claim.number),
                      "success")
                return redirect(url_for(".show", pk=claim.id))
        return self.render_template("office/claim_new.html", title=_("New expense claim"),
                                    categories=categories, form=form, errors=errors)

    @expose("/submit/<pk>", methods=["POST"])
    @has_access
    @permission_name("claim")
    def submit(self, pk):
        claim = self._scoped(pk)
        try:
            SubmitClaim(claim.id, g.user.id).run()
            flash(_("The claim was sent for approval."), "success")
        except ExpenseError as exc:
            for messages in exc.messages.values():
                for message in messages:
                    flash(message, "danger")
        return redirect(url_for(".show", pk=pk))

    @expose("/receipt/<pk>", methods=["POST"])
    @has_access
    @permission_name("claim")
    def upload(self, pk):
        from .receipts import store_receipt

        claim = self._scoped(pk)
        upload = request.files.get("receipt")
        if claim.claimant_id != g.user.id or claim.status != "draft":
            flash(_("Only the claimant adds receipts, before submitting."), "danger")
        elif upload is None:
            flash(_("Choose a file."), "danger")
        else:
            try:
                store_receipt(claim, g.user.id, upload.filename, upload.stream)
                flash(_("The receipt was added."), "success")
            except ExpenseError as exc:
                flash(" ".join(m for ms in exc.messages.values() for m in ms), "danger")
        return redirect(url_for(".show", pk=pk))

    @expose("/receipt-file/<int:receipt_id>")
    @has_access
    @permission_name("show")
    def receipt_file(self, receipt_id):
        from .receipts import receipt_path

        receipt = Receipt.get_or_none(Receipt.id == receipt_id)
        if receipt is None or self.datamodel.get(receipt.claim_id) is None:
            abort(404)
        try:
            path = receipt_path(receipt)
        except FileNotFoundError:
            abort(404)
        response = send_file(path, mimetype=receipt.content_type, as_attachment=True,
                             download_name=receipt.original_name)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response

    @expose("/export/")
    @has_access
    @permission_name("export")
    def export(self):
        from .exporting import to_csv, to_xlsx

        period = request.args.get("period") or None
        if period is not None and not (len(period) == 7 and period[4] == "-"
                                       and period.replace("-", "").isdigit()):
            flash(_("Give the month as YYYY-MM."), "danger")
            return redirect(url_for(".list"))
        if request.args.get("format") == "xlsx":
            body, mime, ext = to_xlsx(period, user_store_codes()), \
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"
        else:
            body, mime, ext = to_csv(period, user_store_codes()), "text/csv; charset=utf-8", "csv"
        response = Response(body, mimetype=mime)
        response.headers["Content-Disposition"] = \
            f'attachment; filename="expense-claims-{period or "all"}.{ext}"'
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response
