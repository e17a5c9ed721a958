"""Console screens of the supplier directory: suppliers (with lifecycle moves),
brands, contacts, the communication log and licences (with scans)."""
from __future__ import annotations

from flask import flash, redirect, request, send_from_directory, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.security.decorators import permission_name

from zhanggui import AdminView, _, _l
from zhanggui.console.datamodel import ModelView, PeeweeInterface

from ..console import RecordActionsMixin, current_user_id
from ..errors import SupplierError
from .models import (SUPPLIER_STATUSES, Brand, Communication, Contact, Licence, Supplier,
                     SupplierMove)
from .scans import ScanError, save_scan, scan_folder
from .service import MoveSupplier, record_creation

CATEGORY = "SupplierCounters"


class SupplierMoveView(ModelView):
    datamodel = PeeweeInterface(SupplierMove)
    list_title = _l("Lifecycle moves")
    base_permissions = ["can_list", "can_show"]
    list_columns = ["supplier", "from_status", "to_status", "reason", "moved_at"]
    show_columns = list_columns + ["moved_by"]
    search_columns = ["supplier", "to_status", "moved_at"]


class ContactView(ModelView):
    datamodel = PeeweeInterface(Contact)
    list_title = _l("Supplier contacts")
    add_title = _l("Add contact")
    edit_title = _l("Edit contact")
    base_permissions = ["can_list", "can_show", "can_add", "can_edit", "can_delete"]
    list_columns = ["supplier", "name", "title", "phone", "email", "primary"]
    add_columns = edit_columns = show_columns = list_columns
    search_columns = ["supplier", "name", "phone"]


class CommunicationView(ModelView):
    datamodel = PeeweeInterface(Communication)
    list_title = _l("Communication log")
    add_title = _l("Record a conversation")
    edit_title = _l("Edit conversation")
    base_permissions = ["can_list", "can_show", "can_add", "can_edit"]
    list_columns = ["supplier", "kind", "occurred_at", "subject", "follow_up_on",
                    "follow_up_done"]
    add_columns = edit_columns = ["supplier", "kind", "occurred_at", "subject", "notes",
                                  "follow_up_on", "follow_up_done"]
    show_columns = add_columns
    search_columns = ["supplier", "kind", "subject", "follow_up_on", "follow_up_done"]
    order_columns = ["occurred_at", "follow_up_on"]
    base_order = ("occurred_at", "desc")


class LicenceView(RecordActionsMixin, ModelView):
    datamodel = PeeweeInterface(Licence)
    list_title = _l("Licences")
    add_title = _l("Add licence")
    edit_title = _l("Edit licence")
    base_permissions = ["can_list", "can_show", "can_add", "can_edit", "can_delete",
                        "can_upload", "can_scan"]
    list_columns = ["supplier", "brand", "kind", "number", "expires_on", "scan"]
    add_columns = edit_columns = ["supplier", "brand", "kind", "number", "issued_on",
                                  "expires_on"]
    show_columns = add_columns + ["scan"]
    search_columns = ["supplier", "kind", "number", "expires_on"]
    order_columns = ["expires_on", "number"]
    base_order = ("expires_on", "asc")
    show_template = "suppliers/licence_show.html"

    @expose("/upload/<pk>", methods=["POST"])
    @has_access
    @permission_name("upload")
    def upload(self, pk):
        item = self._item_or_404(pk)
        try:
            item.scan = save_scan(request.files.get("scan_file"))
            item.save()
            flash(_("The scan is stored."), "success")
        except ScanError as exc:
            flash(str(exc), "danger")
        return redirect(url_for(f"{self.endpoint}.show", pk=item.id))

    @expose("/scan/<pk>/<string:filename>", methods=["GET"])
    @has_access
    @permission_name("scan")
    def scan(self, pk, filename):
        """The stored scan, always as an attachment (never rendered in the page).
        ``filename`` only names the download; the stored name is the record's."""
        item = self._item_or_404(pk)
        if not item.scan or not (scan_folder() / item.scan).is_file():
            flash(_("This licence has no scan yet."), "warning")
            return redirect(url_for(f"{self.endpoint}.show", pk=item.id))
        response = send_from_directory(scan_folder(), item.scan, as_attachment=True,
                                       download_name=f"{item.number}{item.scan[-4:]}")
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


class BrandView(ModelView):
    datamodel = PeeweeInterface(Brand)
    list_title = _l("Brands")
    add_title = _l("Add brand")
    edit_title = _l("Edit brand")
    base_permissions = ["can_list", "can_show", "can_add", "can_edit"]
    list_columns = ["code", "name", "supplier", "category"]
    add_columns = edit_columns = show_columns = list_columns
    search_columns = ["code", "name", "supplier", "category"]


_STATUS_CHOICES = [(code, label) for code, label in SUPPLIER_STATUSES if code != "contracted"]


class SupplierView(RecordActionsMixin, ModelView):
    datamodel = PeeweeInterface(Supplier)
    list_title = _l("Suppliers")
    add_title = _l("Add supplier")
    edit_title = _l("Edit supplier")
    show_title = _l("Supplier")
    base_permissions = ["can_list", "can_show", "can_add", "can_edit", "can_move"]
    list_columns = ["code", "name", "status", "owner_role", "phone", "created_at"]
    add_columns = ["code", "name", "status", "tax_id", "phone", "email", "address",
                   "owner_role", "notes"]
    edit_columns = ["code", "name", "tax_id", "phone", "email", "address", "owner_role",
                    "notes"]
    show_columns = add_columns + ["created_at"]
    search_columns = ["code", "name", "status", "owner_role"]
    order_columns = ["code", "name", "created_at"]
    related_views = [ContactView, CommunicationView, LicenceView, BrandView, SupplierMoveView]
    record_actions = [("move", _l("Move to"), None,
                       [("to_status", _l("New status"), _STATUS_CHOICES),
                        ("reason", _l("Reason"), "text")])]

    def pre_add(self, item):
        if item.status not in ("prospect", "negotiating"):
            raise SupplierError(_("A new supplier starts as a prospect or in negotiation."))

    def post_add(self, item):
        record_creation(item, current_user_id())

    def extra_panel(self, item) -> str:
        from ..scoring.views import score_archive_panel

        return score_archive_panel(supplier=item)

    @expose("/move/<pk>", methods=["POST"])
    @has_access
    @permission_name("move")
    def move(self, pk):
        return self._act(pk, lambda item: MoveSupplier(
            item.id, self.form_text("to_status", 20), self.form_text("reason"),
            user_id=current_user_id()).run())


def directory_admin_views() -> list[AdminView]:
    label = _l("Suppliers & counters")
    return [
        AdminView(name="Suppliers", view=SupplierView, label=_l("Suppliers"),
                  category=CATEGORY, category_label=label, icon="fa-handshake-o",
                  category_icon="fa-truck"),
        AdminView(name="Brands", view=BrandView, label=_l("Brands"), category=CATEGORY,
                  category_label=label, icon="fa-tag"),
        AdminView(name="Communication log", view=CommunicationView,
                  label=_l("Communication log"), category=CATEGORY, category_label=label,
                  icon="fa-comments"),
        AdminView(name="Licences", view=LicenceView, label=_l("Licences"),
                  category=CATEGORY, category_label=label, icon="fa-certificate"),
        AdminView(name="Supplier contacts", view=ContactView),
        AdminView(name="Lifecycle moves", view=SupplierMoveView),
    ]


DIRECTORY_READ = ("can_list on SupplierView", "can_show on SupplierView",
                  "menu_access on Suppliers", "can_list on BrandView", "can_show on BrandView",
                  "menu_access on Brands", "can_list on ContactView", "can_show on ContactView",
                  "can_list on CommunicationView", "can_show on CommunicationView",
                  "menu_access on Communication log", "can_list on LicenceView",
                  "can_show on LicenceView", "can_scan on LicenceView",
                  "menu_access on Licences", "can_list on SupplierMoveView",
                  "can_show on SupplierMoveView")
DIRECTORY_WRITE = ("can_add on SupplierView", "can_edit on SupplierView",
                   "can_move on SupplierView", "can_add on BrandView", "can_edit on BrandView",
                   "can_add on ContactView", "can_edit on ContactView",
                   "can_delete on ContactView", "can_add on CommunicationView",
                   "can_edit on CommunicationView", "can_add on LicenceView",
                   "can_edit on LicenceView", "can_delete on LicenceView",
                   "can_upload on LicenceView")
