"""Automatic audit entries for every screen and API built on our data interface.

:func:`instrument` runs once the console's views are registered: every view whose
``datamodel`` is a :class:`~zhanggui.console.datamodel.PeeweeInterface` gets an audited
copy of it, which writes (resource = the model's table name):

* ``view`` when one record is shown (console ``show`` and edit form, API
  ``GET /<pk>``);
* ``export`` when the API returns a list (``GET /``), with the columns returned;
* ``create``, ``update`` (with the names of the fields whose value changed) and
  ``delete`` in the same transaction as the write, so a refused or rolled-back write
  leaves no entry and a committed one always has its entry.

A view opts out with ``audit_exempt = True`` (the audit log's own screens do).
"""
from __future__ import annotations

import copy
from functools import lru_cache
from typing import Any

from flask import g, has_request_context, request

from ..db import write_transaction
from .audit import record
from .datamodel import PeeweeInterface

# FAB method names of the endpoints that show one record / return a list
_SHOW_ENDPOINTS = {"show", "get"}
_EXPORT_ENDPOINTS = {"get_list"}


def _endpoint_method() -> str:
    if not has_request_context() or not request.endpoint:
        return ""
    return request.endpoint.rsplit(".", 1)[-1]


def _shows_record() -> bool:
    """Whether this request shows a record's values (an edit form shows them too)."""
    method = _endpoint_method()
    return method in _SHOW_ENDPOINTS or (method == "edit" and request.method == "GET")


class AuditedInterface:
    """Mixed in front of a ``PeeweeInterface`` class (see :func:`audited`)."""

    @property
    def audit_resource(self) -> str:
        return self.obj._meta.table_name

    def _audit_once(self, action: str, pk: Any, fields=()) -> None:
        # a request may read the same row twice (e.g. show + related views)
        seen = g.setdefault("_zg_audited", set())
        key = (action, self.audit_resource, str(pk))
        if key not in seen:
            seen.add(key)
            record(action, self.audit_resource, pk=pk, fields=fields)

    def get(self, pk, filter=None, select_columns=None, outer_default_load=False):
        item = super().get(pk, filter, select_columns, outer_default_load)
        if item is not None and _shows_record():
            self._audit_once("view", item.get_id(), select_columns or ())
        return item

    def query(self, filters=None, order_column="", order_direction="", page=None,
              page_size=None, select_columns=None, outer_default_load=False):
        result = super().query(filters, order_column, order_direction, page, page_size,
                               select_columns, outer_default_load)
        if _endpoint_method() in _EXPORT_ENDPOINTS:
            self._audit_once("export", None, select_columns or ())
        return result

    def add(self, item, commit=True):
        with write_transaction():
            super().add(item, commit)
            names = [name for name, value in item.__data__.items()
                     if value is not None and name != self._meta.primary_key.name]
            record("create", self.audit_resource, pk=item.get_id(), fields=names)

    def edit(self, item, commit=True):
        changed = changed_fields(item)
        with write_transaction():
            super().edit(item, commit)
            record("update", self.audit_resource, pk=item.get_id(), fields=changed)

    def delete(self, item, commit=True):
        with write_transaction():
            pk = item.get_id()
            super().delete(item, commit)
            record("delete", self.audit_resource, pk=pk)

    def delete_all(self, items):
        items = list(items)
        with write_transaction():
            super().delete_all(items)
            for item in items:
                record("delete", self.audit_resource, pk=item.get_id())


def changed_fields(item) -> list[str]:
    """Names of the fields of ``item`` whose value differs from the stored row, plus
    many-to-many fields given new values (the interface keeps them pending)."""
    model = type(item)
    stored = model.select().where(model._meta.primary_key == item.get_id()).first()
    if stored is None:
        return sorted(item.__data__)
    names = [name for name in model._meta.fields
             if name in item.__data__ and item.__data__[name] != stored.__data__.get(name)]
    pending = item.__dict__.get("_zg_pending_many", {})
    for name, values in pending.items():
        before = {row.get_id() for row in getattr(stored, name)}
        after = {getattr(v, "get_id", lambda v=v: v)() for v in values}
        if before != after:
            names.append(name)
    return sorted(names)


@lru_cache(maxsize=None)
def _audited_class(cls: type) -> type:
    return type(f"Audited{cls.__name__}", (AuditedInterface, cls), {})


def audited(datamodel: PeeweeInterface) -> PeeweeInterface:
    """An audited copy of ``datamodel`` (same model, scope and settings)."""
    if isinstance(datamodel, AuditedInterface):
        return datamodel
    clone = copy.copy(datamodel)
    clone.__class__ = _audited_class(type(datamodel))
    return clone


def instrument(appbuilder) -> int:
    """Give every registered peewee view and API an audited datamodel; returns how
    many were instrumented.  Views registered after this call are not audited."""
    count = 0
    for view in appbuilder.baseviews:
        datamodel = getattr(view, "datamodel", None)
        if isinstance(datamodel, PeeweeInterface) and not getattr(view, "audit_exempt", False):
            view.datamodel = audited(datamodel)
            count += 1
    return count
