"""REST: ``/api/v1/suppliers/`` (CRUD) and ``POST /api/v1/suppliers/<pk>/move``
``{"to_status", "reason"}`` (a lifecycle move; *contracted* only by signing)."""
from __future__ import annotations

from flask import g
from flask_appbuilder.api import expose, protect
from flask_appbuilder.security.decorators import permission_name
from marshmallow import Schema, fields, validate

from zhanggui import _
from zhanggui.console.datamodel import ModelRestApi, PeeweeInterface

from ..api_support import answer, load_body, run_command
from .models import SUPPLIER_STATUSES, Licence, Supplier
from .service import MoveSupplier, record_creation


class MoveSchema(Schema):
    to_status = fields.String(required=True,
                              validate=validate.OneOf([code for code, _label in SUPPLIER_STATUSES]))
    reason = fields.String(load_default="", validate=validate.Length(max=200))


class SupplierApi(ModelRestApi):
    resource_name = "suppliers"
    openapi_spec_tag = "Suppliers"
    datamodel = PeeweeInterface(Supplier)
    base_permissions = ["can_get", "can_info", "can_post", "can_put", "can_move"]
    list_columns = show_columns = ["id", "code", "name", "status", "tax_id", "phone", "email",
                                   "address", "owner_role", "created_at"]
    add_columns = ["code", "name", "tax_id", "phone", "email", "address", "owner_role",
                   "notes"]
    edit_columns = add_columns

    def post_add(self, item):
        record_creation(item, getattr(getattr(g, "user", None), "id", None))

    @expose("/<int:pk>/move", methods=["POST"])
    @protect()
    @permission_name("move")
    def move(self, pk):
        """Move a supplier along its lifecycle.
        ---
        post:
          parameters:
          - in: path
            name: pk
            schema: {type: integer}
          requestBody:
            content:
              application/json:
                schema:
                  type: object
                  properties:
                    to_status: {type: string}
                    reason: {type: string}
          responses:
            200: {description: Moved}
            404: {description: Not found}
            422: {description: Field messages; nothing changed}
        """
        if self.datamodel.get(pk) is None:
            return answer(404, {"message": _("Not found.")})
        body, error = load_body(MoveSchema())
        if error:
            return error
        user = getattr(getattr(g, "user", None), "id", None)
        return run_command(lambda: MoveSupplier(pk, body["to_status"], body["reason"],
                                                user_id=user).run(),
                           lambda s: {"id": s.id, "status": s.status})


class LicenceApi(ModelRestApi):
    resource_name = "supplier_licences"
    openapi_spec_tag = "Suppliers"
    datamodel = PeeweeInterface(Licence)
    base_permissions = ["can_get", "can_info", "can_post", "can_put"]
    list_columns = show_columns = ["id", "supplier.code", "brand.name", "kind", "number",
                                   "issued_on", "expires_on"]
    add_columns = edit_columns = ["supplier", "brand", "kind", "number", "issued_on",
                                  "expires_on"]
