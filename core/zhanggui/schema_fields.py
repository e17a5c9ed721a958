"""Columns as generated migration steps describe them (see :mod:`zhanggui.schema`).

``describe(field)`` turns a model field into ``(type name, options)``; ``build`` turns a
description back into a peewee field, for DDL only.
"""
from __future__ import annotations

import decimal
import importlib
from typing import Any

import peewee

from . import db as zdb

KEPT = ("null", "unique", "index", "max_length", "max_digits", "decimal_places")


class SchemaError(ValueError):
    """The models cannot be described or the difference cannot be written."""


# --- describing fields -------------------------------------------------------------

def _field_types() -> dict[str, type]:
    from .console.datamodel.fields import JSONField
    from .memberref import MemberRef

    types = {name: obj for name, obj in vars(peewee).items()
             if isinstance(obj, type) and issubclass(obj, peewee.Field)}
    types.update(UTCDateTimeField=zdb.UTCDateTimeField, MoneyField=zdb.MoneyField,
                 FixedDecimalField=zdb.FixedDecimalField, MemberRef=MemberRef,
                 JSONField=JSONField)
    return types


def describe(field: peewee.Field) -> tuple[str, dict[str, Any]]:
    """``(type name, options)`` of a model field, as a step records it."""
    from .memberref import MemberRef

    types = _field_types()
    kind = next((name for cls in type(field).__mro__ for name, t in types.items()
                 if t is cls), None)
    if kind is None:
        raise SchemaError(f"{field.model.__name__}.{field.name}: field type "
                          f"{type(field).__name__} cannot be described")
    opts: dict[str, Any] = {}
    if field.primary_key and kind not in ("AutoField", "BigAutoField"):
        opts["primary_key"] = True
    for key in KEPT:
        value = getattr(field, key, None)
        if key == "null" and value:
            opts["null"] = True
        elif key in ("unique", "index") and value and not field.primary_key:
            opts[key] = True
        elif key in ("max_length", "max_digits", "decimal_places") and value is not None \
                and kind not in ("MoneyField",):
            opts[key] = value
    if isinstance(field, peewee.ForeignKeyField) and not isinstance(field, MemberRef):
        opts["to"] = field.rel_model._meta.table_name
        opts["to_column"] = field.rel_field.column_name
        if field.on_delete:
            opts["on_delete"] = field.on_delete
    if isinstance(field, peewee.ForeignKeyField) and field.index and not field.unique:
        opts["index"] = True
    default = field.default
    if isinstance(default, (str, int, float, bool)):
        opts["default"] = default
    elif isinstance(default, decimal.Decimal):
        opts["default"] = str(default)
    elif callable(default) and getattr(default, "__qualname__", "").isidentifier() \
            and getattr(default, "__module__", None):
        opts["default"] = f"call:{default.__module__}.{default.__qualname__}"
    return kind, opts


def build(kind: str, opts: dict[str, Any], column: str) -> peewee.Field:
    """A peewee field from a description (for DDL only)."""
    types = _field_types()
    if kind not in types:
        raise SchemaError(f"unknown field type {kind!r}")
    kwargs = {k: v for k, v in opts.items() if k not in ("to", "to_column", "default")}
    default = opts.get("default")
    if isinstance(default, str) and default.startswith("call:"):
        module, _, name = default[5:].rpartition(".")
        default = getattr(importlib.import_module(module), name)
    if default is not None:
        kwargs["default"] = default
    if kind == "ForeignKeyField":
        target = _stub(opts["to"], opts.get("to_column", "id"))
        return peewee.ForeignKeyField(target, column_name=column, field=opts.get("to_column", "id"),
                                      backref="+", **kwargs)
    if kind in ("MemberRef",):
        return types[kind](column_name=column, **kwargs)
    return types[kind](column_name=column, **kwargs)


def _stub(table: str, pk: str) -> type:
    attrs = {"Meta": type("Meta", (), {"table_name": table}),
             pk: peewee.AutoField(column_name=pk)}
    return type(f"Stub_{table}", (zdb.Model,), attrs)
