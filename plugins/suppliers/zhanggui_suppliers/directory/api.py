"""REST: ``/api/v1/suppliers/`` (CRUD) and ``POST /api/v1/suppliers/<pk>/move``
``{"to_status", "reason"}`` (a lifecycle move; *contracted* only by signing)."""
from __future__ import annotations

from flask import g
from marshmallow import Schema, fields, validate

from zhanggui import SafeString, _, api_action
from zhanggui.console.datamodel import ModelRestApi, PeeweeInterface

from ..api_support import answer, run_command
from .models import SUPPLIER_STATUSES, Licence, Supplier
from .service import MoveSupplier, record_creation


class SupplierMove(Schema):
    to_status = fields.String(required=True, metadata={"example": "negotiating"},
                              validate=validate.OneOf([code for code, _label in SUPPLIER_STATUSES]))
    reason = SafeString(load_default="", max_length=200,
                        metadata={"example": "First meeting held"})


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

    @api_action("/<int:pk>/move", request=SupplierMove, permission="move",
                errors={404: "Not found", 422: "Field messages; nothing changed"})
    def move(self, pk, data):
        """Move a supplier along its lifecycle (*contracted* only by signing)."""
        if self.datamodel.get(pk) is None:
            return answer(404, {"message": _("Not found.")})
        user = getattr(getattr(g, "user", None), "id", None)
        return run_command(lambda: MoveSupplier(pk, data["to_status"], data["reason"] or "",
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
