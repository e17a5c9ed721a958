"""``PeeweeInterface``: FAB's data interface over one peewee model.

FAB's views never touch the database themselves; they ask a ``BaseInterface`` what
the columns are and to query, get, add, edit and delete. This is that interface for
peewee, so a plugin writes ``datamodel = PeeweeInterface(Member)`` and never sees
FAB's SQLAlchemy layer.

Column names are peewee field names. A foreign key is one column (``store``), a
relation (``is_relation_many_to_one``); its id attribute (``store_id``) is what
``is_fk`` answers for. Backrefs are one-to-many relations, ``ManyToManyField``\\ s
many-to-many.

Record rule: ``scope(query) -> query`` narrows every list, get, edit and delete, and
an add or edit whose result falls outside the scope is rolled back, so a store-scoped
user can reach neither other stores' records by primary key nor move one out of (or
create one in) another store.
"""

from __future__ import annotations

import copy
import datetime
import decimal
import logging
from typing import Any, Callable, Optional

import peewee
from dateutil import parser as date_parser
from flask_appbuilder.exceptions import FABException
from flask_appbuilder.models.base import BaseInterface
from flask_babel import lazy_gettext
from peewee import JOIN, OP, Expression, ForeignKeyField, ManyToManyField

from . import filters as peewee_filters
from .errors import RecordRejected, describe
from .fields import as_utc
from .query import PagedQuery

log = logging.getLogger(__name__)

Scope = Callable[[peewee.ModelSelect], peewee.ModelSelect]

_TRUE = {"y", "yes", "true", "1", "on", "t"}
_FALSE = {"n", "no", "false", "0", "off", "f", ""}


def parse_bool(value) -> bool:
    """``'y'/'true'/'1'/'on'`` -> True, ``'n'/'false'/'0'/'off'/''`` -> False."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return bool(value)
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"not a boolean: {value!r}")


def _is_json_field(field) -> bool:
    # peewee.JSONField, playhouse's postgres/sqlite JSONFields and ours all share the name.
    return any(k.__name__ in ("JSONField", "BinaryJSONField") for k in type(field).__mro__)


class PeeweeInterface(BaseInterface):
    """FAB data interface for the peewee model ``obj``.

    :param obj: the peewee ``Model`` class.
    :param scope: optional record rule, ``scope(select) -> select`` (see module doc).
    :param case_insensitive: field names whose text filters ignore case on every
        database (``ILIKE`` on PostgreSQL). A field can also say so itself with a
        ``case_insensitive = True`` attribute. Others use plain ``LIKE``, which an
        index can serve (SQLite's ``LIKE`` ignores ASCII case anyway).
    """

    filter_converter_class = peewee_filters.PeeweeFilterConverter

    def __init__(self, obj, scope: Optional[Scope] = None, case_insensitive=()):
        super().__init__(obj)
        self.scope = scope
        self.case_insensitive = set(case_insensitive)
        self.message: Optional[tuple[str, str]] = None
        for name in peewee_filters.__all__:
            setattr(self, name, getattr(peewee_filters, name))

    def with_scope(self, scope: Optional[Scope]) -> "PeeweeInterface":
        """A copy of this interface with ``scope`` as its record rule."""
        clone = copy.copy(self)
        clone.scope = scope
        return clone

    @property
    def model_name(self) -> str:
        return self.obj.__name__

    # ----------------------------------------------------------------- columns
    @property
    def _meta(self):
        return self.obj._meta

    def _field(self, col_name):
        return self._meta.fields.get(col_name)

    def _backrefs(self) -> dict:
        """``{backref name: ForeignKeyField on the other model}``.

        Backrefs from many-to-many junction models are left out: the
        ``ManyToManyField`` is the relation users see.
        """
        junctions = {
            m2m.through_model for m2m in self._meta.manytomany.values()
        }
        return {
            fk.backref: fk
            for fk in self._meta.backrefs
            if fk.backref and fk.backref not in ("+", "!") and fk.model not in junctions
        }

    def _is(self, col_name, *classes, exclude=()) -> bool:
        field = self._field(col_name)
        return isinstance(field, classes) and not isinstance(field, exclude)

    def is_image(self, col_name):
        return getattr(self._field(col_name), "console_kind", None) == "image"

    def is_file(self, col_name):
        return getattr(self._field(col_name), "console_kind", None) == "file"

    def is_json(self, col_name):
        field = self._field(col_name)
        return field is not None and _is_json_field(field)

    def is_text(self, col_name):
        return self._is(col_name, peewee.TextField) and not self.is_json(col_name)

    def is_string(self, col_name):
        return self.is_text(col_name) or self._is(
            col_name, peewee.CharField, peewee.UUIDField
        )

    def is_binary(self, col_name):
        return self._is(col_name, peewee.BlobField, exclude=(peewee.BinaryUUIDField,))

    def is_integer(self, col_name):
        return self._is(col_name, peewee.IntegerField, exclude=(peewee.TimestampField,))

    def is_numeric(self, col_name):
        return self._is(col_name, peewee.DecimalField)

    def is_float(self, col_name):
        return self._is(col_name, peewee.FloatField)

    def is_boolean(self, col_name):
        return self._is(col_name, peewee.BooleanField)

    def is_date(self, col_name):
        return self._is(col_name, peewee.DateField)

    def is_datetime(self, col_name):
        return self._is(col_name, peewee.DateTimeField, peewee.TimestampField)

    def is_enum(self, col_name):
        field = self._field(col_name)
        return bool(getattr(field, "choices", None)) and not self.is_relation(col_name)

    def get_choices(self, col_name) -> list[tuple[Any, str]]:
        """``[(stored value, label)]`` of a field with ``choices``.  A lazy label stays
        lazy: forms are built once at start-up and must show it in each reader's
        language."""
        choices = self._field(col_name).choices
        return [
            (c[0], c[1]) if isinstance(c, (list, tuple)) else (c, str(c))
            for c in choices
        ]

    def is_relation(self, col_name):
        return (
            self.is_relation_many_to_one(col_name)
            or self.is_relation_one_to_many(col_name)
            or self.is_relation_many_to_many(col_name)
        )

    def is_relation_col(self, col):
        return self.is_relation(col)

    def is_relation_many_to_one(self, col_name):
        return isinstance(self._field(col_name), ForeignKeyField)

    def is_relation_one_to_one(self, col_name):
        return False

    def is_relation_one_to_many(self, col_name):
        return col_name in self._backrefs()

    def is_relation_many_to_many(self, col_name):
        return col_name in self._meta.manytomany

    def is_relation_many_to_many_special(self, col_name):
        return False

    def is_fk(self, col_name):
        return any(
            isinstance(f, ForeignKeyField) and f.object_id_name == col_name
            for f in self._meta.sorted_fields
        )

    def is_nullable(self, col_name):
        field = self._field(col_name)
        return True if field is None else bool(field.null)

    def is_unique(self, col_name):
        field = self._field(col_name)
        if field is None:
            return False
        if field.unique:
            return True
        return any(
            unique and len(cols) == 1 and cols[0] == col_name
            for cols, unique in self._meta.indexes
            if isinstance(cols, (list, tuple))
        )

    def is_pk(self, col_name):
        return col_name in self._pk_names()

    def is_pk_composite(self):
        return isinstance(self._meta.primary_key, peewee.CompositeKey)

    def _pk_names(self):
        pk = self._meta.primary_key
        if isinstance(pk, peewee.CompositeKey):
            return list(pk.field_names)
        return [pk.name] if pk else []

    def get_pk_name(self):
        names = self._pk_names()
        return names if self.is_pk_composite() else (names[0] if names else None)

    def _pk_field(self):
        if self.is_pk_composite():
            raise FABException("Composite primary keys are not supported")
        return self._meta.primary_key

    def get_max_length(self, col_name):
        if self.is_enum(col_name):
            return -1
        return getattr(self._field(col_name), "max_length", None) or -1

    def get_col_default(self, col_name):
        field = self._field(col_name)
        return None if field is None else field.default

    def get_label(self, col_name):
        """The field's ``verbose_name`` (usually a lazy translation), or ``None``.

        ``"store.name"`` gives the related field's label.
        """
        model, name = self.obj, col_name
        while "." in name:
            head, name = name.split(".", 1)
            field = model._meta.fields.get(head)
            if not isinstance(field, peewee.ForeignKeyField):
                return None
            model = field.rel_model
        field = model._meta.fields.get(name)
        return getattr(field, "verbose_name", None) if field is not None else None

    def get_info(self, col_name):
        field = self._field(col_name)
        if field is None:
            return {}
        return {"help_text": field.help_text, "verbose_name": field.verbose_name}

    def get_columns_list(self):
        return (
            [f.name for f in self._meta.sorted_fields]
            + list(self._meta.manytomany)
            + list(self._backrefs())
        )

    def get_user_columns_list(self):
        """All columns but the primary key and backrefs.

        Backrefs are left out because a store's form must not list its members.
        """
        backrefs = self._backrefs()
        return [
            c for c in self.get_columns_list()
            if not self.is_pk(c) and not self.is_fk(c) and c not in backrefs
        ]

    def get_search_columns_list(self):
        return [
            c for c in self.get_columns_list()
            if not self.is_pk(c)
            and not self.is_binary(c)
            and not self.is_image(c)
            and not self.is_file(c)
        ]

    def get_order_columns_list(self, list_columns=None):
        ret = []
        for col in list_columns or self.get_columns_list():
            root, _, leaf = col.partition(".")
            if leaf:
                related = self._field(root)
                if isinstance(related, ForeignKeyField) and leaf in related.rel_model._meta.fields:
                    ret.append(col)
            elif self._field(col) is not None and not self.is_relation(col):
                ret.append(col)
        return ret

    def get_file_column_list(self):
        return [c for c in self.get_columns_list() if self.is_file(c)]

    def get_image_column_list(self):
        return [c for c in self.get_columns_list() if self.is_image(c)]

    # --------------------------------------------------------------- relations
    def get_related_model(self, col_name):
        if col_name in self._meta.manytomany:
            return self._meta.manytomany[col_name].rel_model
        backref = self._backrefs().get(col_name)
        if backref is not None:
            return backref.model
        field = self._field(col_name)
        if isinstance(field, ForeignKeyField):
            return field.rel_model
        raise KeyError(col_name)

    def get_related_interface(self, col_name):
        return PeeweeInterface(self.get_related_model(col_name))

    def get_related_obj(self, col_name, value):
        related = self.get_related_model(col_name)
        try:
            value = self.coerce_related_pk(col_name, value)
        except (TypeError, ValueError):
            return None
        return related.get_or_none(related._meta.primary_key == value)

    def get_related_fk(self, model):
        for col in self.get_columns_list():
            if self.is_relation(col) and self.get_related_model(col) is model:
                return col
        return None

    def get_related_fks(self, related_views):
        return [view.datamodel.get_related_fk(self.obj) for view in related_views]

    def get_relation_fk(self, col_name):
        return self._field(col_name)

    # ------------------------------------------------------ values and filters
    def get_filters(self, search_columns=None, search_filters=None):
        return peewee_filters.PeeweeFilters(
            self.filter_converter_class,
            self,
            search_columns=search_columns or [],
            search_filters=search_filters,
        )

    def coerce_value(self, col_name, value):
        """Convert a request value for ``col_name`` (dotted allowed); ValueError if bad."""
        root, _, leaf = col_name.partition(".")
        if leaf:
            return self.get_related_interface(root).coerce_value(leaf, value)
        if value is None:
            return None
        if self.is_relation_many_to_one(col_name):
            return self.coerce_related_pk(col_name, value)
        if self.is_boolean(col_name):
            return parse_bool(value)
        if self.is_integer(col_name):
            if isinstance(value, float) and not value.is_integer():
                raise ValueError(value)
            return int(str(value).strip())
        if self.is_numeric(col_name):
            try:
                return decimal.Decimal(str(value).strip())
            except decimal.InvalidOperation:
                raise ValueError(value) from None
        if self.is_float(col_name):
            return float(value)
        if self.is_datetime(col_name):
            if not isinstance(value, datetime.datetime):
                value = date_parser.isoparse(str(value).strip())
            return as_utc(value)
        if self.is_date(col_name):
            if isinstance(value, datetime.datetime):
                return value.date()
            if not isinstance(value, datetime.date):
                value = datetime.date.fromisoformat(str(value).strip())
            return value
        if self.is_enum(col_name):
            field = self._field(col_name)
            for stored, _label in self.get_choices(col_name):
                if str(stored) == str(value):
                    return stored
            return field.adapt(value)
        return value

    def coerce_related_pk(self, col_name, value):
        """Convert ``value`` to the type of the related model's primary key."""
        if hasattr(value, "_meta") and hasattr(value, "get_id"):
            return value.get_id()
        pk = self.get_related_model(col_name)._meta.primary_key
        if isinstance(pk, peewee.IntegerField):
            number = int(str(value).strip())
            if not -2 ** 63 <= number < 2 ** 63:  # no 64-bit key has it: no such record
                raise ValueError(f"{number} is beyond a 64-bit key")
            return number
        return pk.adapt(value)

    def resolve_column(self, query, col_name):
        """``(query, field)`` for a column; a dotted many-to-one column is joined once."""
        root, _, leaf = col_name.partition(".")
        if not leaf:
            return query, self._field(col_name)
        if not self.is_relation_many_to_one(root):
            raise FABException(f"Cannot filter or order on {col_name}")
        query, alias = self.join_related(query, root)
        return query, getattr(alias, leaf)

    def resolve_order(self, query, col_name):
        """``(query, expression)`` a list sorted by ``col_name`` is ordered by: the
        column itself (:meth:`resolve_column`) unless a subclass sorts it otherwise,
        e.g. names by their reader's collation or a pseudo-column by a joined table."""
        return self.resolve_column(query, col_name)

    def join_related(self, query, root):
        """LEFT JOIN the model behind the foreign key ``root`` (once per query)."""
        joined = dict(getattr(query, "_zg_joins", {}))
        if root in joined:
            return query, joined[root]
        fk = self._field(root)
        alias = fk.rel_model.alias()
        query = query.join_from(
            self.obj, alias, JOIN.LEFT_OUTER,
            on=(fk == getattr(alias, fk.rel_field.name)), attr=root,
        )
        # peewee clones queries by copying __dict__, so the join map travels along.
        query._zg_joins = {**joined, root: alias}
        return query, alias

    def like(self, col_name, field, template, value):
        """``field LIKE template % value`` with LIKE wildcards in ``value`` escaped."""
        root, _, leaf = col_name.partition(".")
        target = self.get_related_interface(root) if leaf else self
        name = leaf or col_name
        if target.is_json(name):
            field = field.cast("text")
        pattern = target._field(name)._escape_like_expr(value, template) if target._field(name) else template % value
        insensitive = name in target.case_insensitive or getattr(
            target._field(name), "case_insensitive", False
        )
        database = self._database()
        if isinstance(database, peewee.SqliteDatabase):
            # peewee renders OP.LIKE as GLOB on SQLite; its OP.ILIKE is SQLite's LIKE.
            return Expression(field, OP.ILIKE, pattern)
        return Expression(field, OP.ILIKE if insensitive else OP.LIKE, pattern)

    def holds_related(self, col_name, related_pk):
        """Expression: this row's to-many collection ``col_name`` holds ``related_pk``."""
        pk = self._pk_field()
        backref = self._backrefs().get(col_name)
        if backref is not None:
            child = backref.model
            return pk.in_(child.select(backref).where(child._meta.primary_key == related_pk))
        m2m = self._meta.manytomany[col_name]
        through = m2m.through_model
        mine = next(f for f in through._meta.refs if f.rel_model is self.obj)
        theirs = next(
            f for f in through._meta.refs if f.rel_model is m2m.rel_model and f is not mine
        )
        return pk.in_(through.select(mine).where(theirs == related_pk))

    def _database(self):
        database = self._meta.database
        return getattr(database, "obj", None) or database

    def _get_attr_value(self, item, col):
        if self.is_relation_many_to_many(col) or self.is_relation_one_to_many(col):
            return list(getattr(item, col))
        return BaseInterface._get_attr_value(item, col)

    # ------------------------------------------------------------------ reads
    def scoped(self, query):
        """Apply the record rule (if any) to a select on this model."""
        return self.scope(query) if self.scope else query

    def query(
        self,
        filters=None,
        order_column="",
        order_direction="",
        page=None,
        page_size=None,
        select_columns=None,
        outer_default_load=False,
    ):
        """``(count, items)`` of the filtered, scoped rows; one page if page_size given."""
        return PagedQuery(self, filters, select_columns).run(
            order_column, order_direction, page, page_size
        )

    def get(self, pk, filter=None, select_columns=None, outer_default_load=False):
        """The row with primary key ``pk`` inside the scope and ``filter``, else None."""
        try:
            value = self.coerce_pk(pk)
        except (TypeError, ValueError):
            return None
        query = self.scoped(self.obj.select()).where(self._pk_field() == value)
        if filter:
            query = filter.apply_all(query)
        return query.first()

    def coerce_pk(self, pk):
        field = self._pk_field()
        if isinstance(field, peewee.IntegerField):
            value = int(str(pk).strip())
            if not -(2**63) <= value < 2**63:  # no row has it; the driver would overflow
                raise ValueError(f"primary key {value} is out of range")
            return value
        return field.adapt(pk)

    def in_scope(self, item) -> bool:
        if not self.scope:
            return True
        pk = self._pk_field()
        return self.scoped(self.obj.select(pk)).where(pk == item.get_id()).exists()

    # ----------------------------------------------------------------- writes
    def _write(self, action, item, work):
        """Run ``work`` in a transaction; RecordRejected (rolled back) on a DB refusal."""
        try:
            with self._meta.database.atomic():
                work()
        except RecordRejected as exc:
            self.message = (exc.message, "danger")
            raise
        except peewee.PeeweeException as exc:
            log.info("%s %s refused by the database: %s", action, self.model_name, exc)
            rejected = describe(self.obj, exc, action)
            self.message = (rejected.message, "danger")
            raise rejected from exc
        self.message = (str(_DONE[action]), "success")

    def _require_scope(self, item):
        if not self.in_scope(item):
            raise RecordRejected(lazy_gettext("Record not found"))

    def add(self, item, commit=True):
        """INSERT ``item`` and its pending to-many values; RecordRejected if refused."""

        def work():
            item.save(force_insert=True)
            apply_pending_many(item)
            self._require_scope(item)

        self._write("add", item, work)

    def edit(self, item, commit=True):
        """UPDATE ``item``; refused if it is, or would end up, outside the scope."""

        def work():
            self._require_scope(item)
            item.save()
            apply_pending_many(item)
            self._require_scope(item)

        self._write("edit", item, work)

    def delete(self, item, commit=True):
        """DELETE ``item`` (and its many-to-many links); RecordRejected if refused."""

        def work():
            self._require_scope(item)
            for name in self._meta.manytomany:
                getattr(item, name).clear()
            item.delete_instance()

        self._write("delete", item, work)

    def delete_all(self, items):
        """Delete all ``items`` in one transaction: all or none."""

        def work():
            for item in items:
                self._require_scope(item)
                for name in self._meta.manytomany:
                    getattr(item, name).clear()
                item.delete_instance()

        self._write("delete", None, work)


_DONE = {
    "add": lazy_gettext("Added Row"),
    "edit": lazy_gettext("Changed Row"),
    "delete": lazy_gettext("Deleted Row"),
}

_PENDING = "_zg_pending_many"


def set_pending_many(item, col_name, values):
    """Remember to-many values for ``item`` until the interface saves it.

    peewee writes many-to-many links immediately on assignment, which fails for an
    unsaved row and would escape the save's transaction otherwise.
    """
    pending = item.__dict__.setdefault(_PENDING, {})
    pending[col_name] = list(values or [])


def apply_pending_many(item):
    for col_name, values in item.__dict__.pop(_PENDING, {}).items():
        getattr(item, col_name).add(values, clear_existing=True)
