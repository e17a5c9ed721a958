"""Suppliers and their brands, contacts, communication log and licences."""
from __future__ import annotations

import peewee

from zhanggui import Model, UTCDateTimeField, _l, utcnow

SUPPLIER_STATUSES = (("prospect", _l("Prospect")), ("negotiating", _l("Negotiating")),
                     ("contracted", _l("Contracted")), ("suspended", _l("Suspended")),
                     ("terminated", _l("Terminated")))
COMMUNICATION_KINDS = (("visit", _l("Visit")), ("call", _l("Phone call")),
                       ("email", _l("E-mail")), ("meeting", _l("Meeting")))
LICENCE_KINDS = (("business_licence", _l("Business licence (营业执照)")),
                 ("food_permit", _l("Food business permit")),
                 ("cosmetics_permit", _l("Cosmetics permit")),
                 ("brand_authorisation", _l("Brand authorisation")),
                 ("other", _l("Other licence")))


class Supplier(Model):
    """A company the store does business with, from first contact to termination.

    ``status`` moves only through :mod:`zhanggui_suppliers.directory.service`, which
    records every move; *contracted* is set by signing a contract.  ``owner_role``
    is the console role that receives this supplier's reminders.
    """

    code = peewee.CharField(max_length=20, unique=True, verbose_name=_l("Supplier code"))
    name = peewee.CharField(max_length=100, verbose_name=_l("Supplier name"))
    status = peewee.CharField(max_length=20, choices=SUPPLIER_STATUSES, default="prospect",
                              verbose_name=_l("Supplier status"))
    tax_id = peewee.CharField(max_length=30, null=True,
                              verbose_name=_l("Unified social credit code"))
    phone = peewee.CharField(max_length=30, null=True, verbose_name=_l("Supplier phone"))
    email = peewee.CharField(max_length=120, null=True, verbose_name=_l("Supplier e-mail"))
    address = peewee.CharField(max_length=200, null=True,
                               verbose_name=_l("Supplier address"))
    owner_role = peewee.CharField(max_length=64, default="Buyer",
                                  verbose_name=_l("Responsible role"))
    notes = peewee.TextField(null=True, verbose_name=_l("Supplier notes"))
    created_at = UTCDateTimeField(default=utcnow, verbose_name=_l("Created at"))

    class Meta:
        table_name = "suppliers_supplier"

    def __str__(self):
        return f"{self.code} {self.name}"


class SupplierMove(Model):
    """One lifecycle move of a supplier (append-only)."""

    supplier = peewee.ForeignKeyField(Supplier, backref="moves", on_delete="CASCADE",
                                      verbose_name=_l("Supplier"))
    from_status = peewee.CharField(max_length=20, null=True, choices=SUPPLIER_STATUSES,
                                   verbose_name=_l("From status"))
    to_status = peewee.CharField(max_length=20, choices=SUPPLIER_STATUSES,
                                 verbose_name=_l("To status"))
    reason = peewee.CharField(max_length=200, default="", verbose_name=_l("Reason"))
    moved_by = peewee.IntegerField(null=True, verbose_name=_l("Moved by"))
    moved_at = UTCDateTimeField(default=utcnow, verbose_name=_l("Moved at"))

    class Meta:
        table_name = "suppliers_supplier_move"


class Brand(Model):
    code = peewee.CharField(max_length=20, unique=True, verbose_name=_l("Brand code"))
    name = peewee.CharField(max_length=100, verbose_name=_l("Brand name"))
    supplier = peewee.ForeignKeyField(Supplier, backref="brands", null=True,
                                      verbose_name=_l("Supplier"))
    category = peewee.CharField(max_length=40, default="", verbose_name=_l("Category"))

    class Meta:
        table_name = "suppliers_brand"

    def __str__(self):
        return self.name


class Contact(Model):
    supplier = peewee.ForeignKeyField(Supplier, backref="contacts", on_delete="CASCADE",
                                      verbose_name=_l("Supplier"))
    name = peewee.CharField(max_length=60, verbose_name=_l("Contact name"))
    title = peewee.CharField(max_length=60, default="", verbose_name=_l("Job title"))
    phone = peewee.CharField(max_length=30, default="", verbose_name=_l("Contact phone"))
    email = peewee.CharField(max_length=120, default="", verbose_name=_l("Contact e-mail"))
    primary = peewee.BooleanField(default=False, verbose_name=_l("Primary contact"))

    class Meta:
        table_name = "suppliers_contact"

    def __str__(self):
        return self.name


class Communication(Model):
    """A visit, call, e-mail or meeting with a supplier, with an optional follow-up."""

    supplier = peewee.ForeignKeyField(Supplier, backref="communications",
                                      on_delete="CASCADE", verbose_name=_l("Supplier"))
    kind = peewee.CharField(max_length=20, choices=COMMUNICATION_KINDS,
                            verbose_name=_l("Communication kind"))
    occurred_at = UTCDateTimeField(default=utcnow, verbose_name=_l("Occurred at"))
    subject = peewee.CharField(max_length=120, verbose_name=_l("Subject"))
    notes = peewee.TextField(default="", verbose_name=_l("Conversation notes"))
    follow_up_on = peewee.DateField(null=True, verbose_name=_l("Follow up on"))
    follow_up_done = peewee.BooleanField(default=False, verbose_name=_l("Follow-up done"))

    class Meta:
        table_name = "suppliers_communication"


class Licence(Model):
    """A licence or authorisation with its number, scan and expiry date."""

    supplier = peewee.ForeignKeyField(Supplier, backref="licences", on_delete="CASCADE",
                                      verbose_name=_l("Supplier"))
    brand = peewee.ForeignKeyField(Brand, null=True, backref="licences",
                                   verbose_name=_l("Brand"))
    kind = peewee.CharField(max_length=30, choices=LICENCE_KINDS,
                            verbose_name=_l("Licence kind"))
    number = peewee.CharField(max_length=60, verbose_name=_l("Licence number"))
    issued_on = peewee.DateField(null=True, verbose_name=_l("Issued on"))
    expires_on = peewee.DateField(verbose_name=_l("Expires on"))
    scan = peewee.CharField(max_length=200, null=True, verbose_name=_l("Scan"))

    class Meta:
        table_name = "suppliers_licence"

    def __str__(self):
        return f"{self.number}"


DIRECTORY_MODELS = [Supplier, SupplierMove, Brand, Contact, Communication, Licence]
