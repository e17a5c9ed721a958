"""REST: ``/api/v1/settlement_statements/`` (read, store-scoped), ``POST .../generate``
``{"month": "YYYY-MM"}``, ``POST .../<pk>/review|approve|reject``,
``GET .../<pk>/export?format=xlsx|pdf``."""
from __future__ import annotations

from flask import Response, g, request
from flask_appbuilder.api import expose, protect
from flask_appbuilder.security.decorators import permission_name
from marshmallow import Schema, fields, validate

from zhanggui import _
from zhanggui.console.datamodel import ModelRestApi, PeeweeInterface
from zhanggui.console.scope import StoreScopedMixin, user_store_codes

from ..api_support import answer, load_body, run_command
from ..counters.models import Counter
from .export import export
from .models import Statement
from .service import DecideStatement, GenerateStatements, ReviewStatement, parse_month


class GenerateSchema(Schema):
    month = fields.String(required=True, validate=validate.Regexp(r"^\d{4}-\d{2}$"))


def statement_json(s: Statement) -> dict:
    return {"id": s.id, "counter": s.counter.code, "month": f"{s.month:%Y-%m}",
            "status": s.status, "currency": s.currency, "gross_sales": str(s.gross_sales),
            "refunds": str(s.refunds), "net_sales": str(s.net_sales),
            "mall_income": str(s.mall_income), "payable": str(s.payable)}


def _user():
    return getattr(getattr(g, "user", None), "id", None)


class StatementApi(StoreScopedMixin, ModelRestApi):
    resource_name = "settlement_statements"
    openapi_spec_tag = "Suppliers"
    datamodel = PeeweeInterface(Statement)
    store_field = "store_code"
    base_permissions = ["can_get", "can_info", "can_generate", "can_review", "can_decide",
                        "can_export"]
    list_columns = show_columns = ["id", "month", "counter.code", "supplier.name",
                                   "store_code", "currency", "status", "gross_sales",
                                   "refunds", "net_sales", "mall_income", "payable"]

    @expose("/generate", methods=["POST"])
    @protect()
    @permission_name("generate")
    def generate(self):
        """Create the month's missing statements (of the caller's stores' counters).
        ---
        post:
          requestBody:
            content:
              application/json:
                schema:
                  type: object
                  properties:
                    month: {type: string, example: "2026-01"}
          responses:
            200: {description: How many statements were created}
            422: {description: Field messages}
        """
        body, error = load_body(GenerateSchema())
        if error:
            return error
        codes = user_store_codes()
        counters = None if codes is None else [
            c.code for c in Counter.select(Counter.code)
            .where(Counter.store_code.in_(list(codes) or [""]))]
        return run_command(lambda: GenerateStatements(parse_month(body["month"]),
                                                      counters).run(),
                           lambda made: {"created": made})

    def _action(self, pk, make):
        statement = self.datamodel.get(pk)
        if statement is None:
            return answer(404, {"message": _("Not found.")})
        return run_command(lambda: make(statement), statement_json)

    @expose("/<int:pk>/review", methods=["POST"])
    @protect()
    @permission_name("review")
    def review(self, pk):
        """Mark a draft reviewed and ask for its approval.
        ---
        post:
          parameters:
          - in: path
            name: pk
            schema: {type: integer}
          responses:
            200: {description: Awaiting approval}
            404: {description: Not found}
            422: {description: Wrong status}
        """
        return self._action(pk, lambda s: ReviewStatement(s.id, _user()).run())

    @expose("/<int:pk>/approve", methods=["POST"])
    @protect()
    @permission_name("decide")
    def approve(self, pk):
        """Approve a statement (when no approval workflow answers; not the reviewer).
        ---
        post:
          parameters:
          - in: path
            name: pk
            schema: {type: integer}
          responses:
            200: {description: Approved}
            404: {description: Not found}
            422: {description: Wrong status or the reviewer}
        """
        return self._action(pk, lambda s: DecideStatement(s.id, True, _user()).run())

    @expose("/<int:pk>/reject", methods=["POST"])
    @protect()
    @permission_name("decide")
    def reject(self, pk):
        """Reject a statement awaiting approval.
        ---
        post:
          parameters:
          - in: path
            name: pk
            schema: {type: integer}
          responses:
            200: {description: Rejected}
            404: {description: Not found}
            422: {description: Wrong status or the reviewer}
        """
        return self._action(pk, lambda s: DecideStatement(s.id, False, _user()).run())

    @expose("/<int:pk>/export", methods=["GET"])
    @protect()
    @permission_name("export")
    def export(self, pk):
        """The statement as XLSX (default) or PDF (``?format=pdf``).
        ---
        get:
          parameters:
          - in: path
            name: pk
            schema: {type: integer}
          - in: query
            name: format
            schema: {type: string, enum: [xlsx, pdf]}
          responses:
            200: {description: The file}
            404: {description: Not found}
        """
        statement = self.datamodel.get(pk)
        if statement is None:
            return answer(404, {"message": _("Not found.")})
        data, content_type, name = export(statement, request.args.get("format", "xlsx"))
        return Response(data, content_type=content_type, headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "X-Content-Type-Options": "nosniff"})
