"""Read-only console list and REST resource of the audit log (for the Auditor role).

Neither has add, edit or delete routes at all: the URLs do not exist (404), whatever
permissions a role is given.
"""
from __future__ import annotations

from ..i18n import _l
from .audit import AuditEntry
from .datamodel import ModelRestApi, ModelView, PeeweeInterface

_LABELS = {
    "seq": _l("No."),
    "created_at": _l("Time"),
    "user_id": _l("User id"),
    "user_name": _l("User"),
    "action": _l("Action"),
    "resource": _l("Resource"),
    "record_pk": _l("Record"),
    "fields": _l("Fields"),
    "ip": _l("IP address"),
    "user_agent": _l("User agent"),
    "prev_hash": _l("Previous hash"),
    "row_hash": _l("Hash"),
}
_COLUMNS = ["seq", "created_at", "user_name", "action", "resource", "record_pk", "fields",
            "ip"]


class AuditLogView(ModelView):
    """Security → Audit log: list and show, newest first."""

    route_base = "/auditlog"
    audit_exempt = True
    datamodel = PeeweeInterface(AuditEntry)
    include_route_methods = {"list", "show"}
    base_permissions = ["can_list", "can_show"]
    list_title = _l("Audit log")
    show_title = _l("Audit log entry")
    label_columns = _LABELS
    list_columns = _COLUMNS
    show_columns = list(_LABELS)
    search_columns = ["created_at", "user_name", "action", "resource", "record_pk", "ip"]
    order_columns = ["seq", "created_at", "user_name", "action", "resource"]
    base_order = ("seq", "desc")
    page_size = 50


class AuditLogApi(ModelRestApi):
    """``GET /api/v1/audit_log/`` and ``/<pk>``: read only."""

    resource_name = "audit_log"
    audit_exempt = True
    datamodel = PeeweeInterface(AuditEntry)
    include_route_methods = {"get", "get_list", "info"}
    base_permissions = ["can_get", "can_info"]
    label_columns = _LABELS
    list_title = show_title = _l("Audit log")
    list_columns = show_columns = list(_LABELS)
    order_columns = ["seq", "created_at"]
    base_order = ("seq", "desc")
