"""Search filters for peewee models, the FAB way.

Each filter class is what FAB's list screens and ``/api/v1/<resource>/?q=(filters:!(...))``
expect: ``name`` (shown in the console), ``arg_name`` (the REST operator) and
``apply(query, value) -> query`` over a peewee ``ModelSelect``.

Two deliberate departures from FAB's SQLAlchemy filters:

* They never register themselves in FAB's process-wide ``map_args_filter`` (which
  ``Filters.rest_add_filters`` reads first); :class:`PeeweeFilters` resolves REST
  operators among the filters of the column only, so SQLAlchemy screens (FAB's own
  security views) and peewee screens can live in one process.
* Values are converted by the interface (``PeeweeInterface.coerce_value``), so
  ``'n'``/``'false'``/``'0'`` mean False for booleans, decimals stay ``Decimal`` and a
  value that cannot be converted matches nothing instead of raising a 500.
"""

from __future__ import annotations

from flask_appbuilder.exceptions import (
    InvalidColumnFilterFABException,
    InvalidOperationFilterFABException,
)
from flask_appbuilder.models.filters import (
    BaseFilter,
    BaseFilterConverter,
    FilterRelation,
    Filters,
)
from flask_babel import lazy_gettext
from peewee import SQL

__all__ = [
    "PeeweeFilterConverter",
    "PeeweeFilters",
    "FilterEqual",
    "FilterNotEqual",
    "FilterContains",
    "FilterNotContains",
    "FilterStartsWith",
    "FilterNotStartsWith",
    "FilterEndsWith",
    "FilterNotEndsWith",
    "FilterGreater",
    "FilterSmaller",
    "FilterIn",
    "FilterNotIn",
    "FilterEmpty",
    "FilterNotEmpty",
    "FilterEqualFunction",
    "FilterInFunction",
    "FilterRelationOneToManyEqual",
    "FilterRelationOneToManyNotEqual",
    "FilterRelationManyToManyEqual",
]

_MATCH_NOTHING = SQL("1 = 0")


class PeeweeFilter(BaseFilter):
    """Base of the peewee filters: same contract as FAB's, no global registration."""

    def __init__(self, column_name, datamodel, is_related_view=False):
        # BaseFilter.__init__ would write into flask_appbuilder's map_args_filter.
        self.column_name = column_name
        self.datamodel = datamodel
        self.model = datamodel.obj
        self.is_related_view = is_related_view

    def field(self, query):
        """Return ``(query, field)``, joining the relation of a dotted column."""
        return self.datamodel.resolve_column(query, self.column_name)

    def convert(self, value):
        """Convert a request value to the column's Python type; ValueError if it can't."""
        return self.datamodel.coerce_value(self.column_name, value)


class _Comparison(PeeweeFilter):
    skip_invalid = False  # True: an unusable value leaves the query unfiltered

    def compare(self, field, value):
        raise NotImplementedError

    def apply(self, query, value):
        query, field = self.field(query)
        try:
            value = self.convert(value)
        except (TypeError, ValueError):
            return query if self.skip_invalid else query.where(_MATCH_NOTHING)
        return query.where(self.compare(field, value))


class FilterEqual(_Comparison):
    name = lazy_gettext("Equal to")
    arg_name = "eq"

    def compare(self, field, value):
        return field.is_null() if value is None else field == value


class FilterNotEqual(_Comparison):
    name = lazy_gettext("Not Equal to")
    arg_name = "neq"
    skip_invalid = True

    def compare(self, field, value):
        if value is None:
            return field.is_null(False)
        # SQL's NULL <> x is unknown; a user asking "not equal to 5" expects NULLs too.
        return (field != value) | field.is_null()


class FilterGreater(_Comparison):
    name = lazy_gettext("Greater than")
    arg_name = "gt"
    skip_invalid = True

    def compare(self, field, value):
        return field > value


class FilterSmaller(_Comparison):
    name = lazy_gettext("Smaller than")
    arg_name = "lt"
    skip_invalid = True

    def compare(self, field, value):
        return field < value


class _Like(PeeweeFilter):
    template = "%%%s%%"
    negate = False

    def apply(self, query, value):
        query, field = self.field(query)
        expr = self.datamodel.like(self.column_name, field, self.template, str(value))
        if self.negate:
            return query.where(~expr | field.is_null())
        return query.where(expr)


class FilterContains(_Like):
    name = lazy_gettext("Contains")
    arg_name = "ct"


class FilterNotContains(_Like):
    name = lazy_gettext("Not Contains")
    arg_name = "nct"
    negate = True


class FilterStartsWith(_Like):
    name = lazy_gettext("Starts with")
    arg_name = "sw"
    template = "%s%%"


class FilterNotStartsWith(FilterStartsWith):
    name = lazy_gettext("Not Starts with")
    arg_name = "nsw"
    negate = True


class FilterEndsWith(_Like):
    name = lazy_gettext("Ends with")
    arg_name = "ew"
    template = "%%%s"


class FilterNotEndsWith(FilterEndsWith):
    name = lazy_gettext("Not Ends with")
    arg_name = "new"
    negate = True


class FilterIn(PeeweeFilter):
    name = lazy_gettext("In")
    arg_name = "in"
    negate = False

    def apply(self, query, value):
        query, field = self.field(query)
        values = value if isinstance(value, (list, tuple)) else [value]
        typed = []
        for item in values:
            try:
                typed.append(self.convert(item))
            except (TypeError, ValueError):
                continue  # a value of the wrong type can't be in the column
        if self.negate:
            return query.where(field.not_in(typed)) if typed else query
        return query.where(field.in_(typed)) if typed else query.where(_MATCH_NOTHING)


class FilterNotIn(FilterIn):
    name = lazy_gettext("Not In")
    arg_name = "not_in"
    negate = True


class FilterEmpty(PeeweeFilter):
    """``IS NULL``; the value is ignored (send anything, e.g. ``true``)."""

    name = lazy_gettext("Is empty")
    arg_name = "empty"

    def apply(self, query, value):
        query, field = self.field(query)
        return query.where(field.is_null())


class FilterNotEmpty(PeeweeFilter):
    """``IS NOT NULL``; the value is ignored."""

    name = lazy_gettext("Is not empty")
    arg_name = "not_empty"

    def apply(self, query, value):
        query, field = self.field(query)
        return query.where(field.is_null(False))


class FilterEqualFunction(PeeweeFilter):
    """For ``base_filters``: compares with what a callable returns at query time."""

    name = "Filter view with a function"
    arg_name = "eqf"

    def apply(self, query, func):
        query, field = self.field(query)
        return query.where(field == self.convert(func()))


class FilterInFunction(PeeweeFilter):
    name = "Filter view where field is in a list returned by a function"
    arg_name = "inf"

    def apply(self, query, func):
        query, field = self.field(query)
        return query.where(field.in_([self.convert(v) for v in func()]))


class FilterRelationOneToManyEqual(FilterRelation, PeeweeFilter):
    """Many-to-one column equals the related record (value: its primary key)."""

    name = lazy_gettext("Relation")
    arg_name = "rel_o_m"
    negate = False

    def __init__(self, column_name, datamodel, is_related_view=False):
        PeeweeFilter.__init__(self, column_name, datamodel, is_related_view)

    def apply(self, query, value):
        query, field = self.field(query)
        try:
            value = self.datamodel.coerce_related_pk(self.column_name, value)
        except (TypeError, ValueError):
            return query if self.negate else query.where(_MATCH_NOTHING)
        if self.negate:
            return query.where((field != value) | field.is_null())
        return query.where(field == value)


class FilterRelationOneToManyNotEqual(FilterRelationOneToManyEqual):
    name = lazy_gettext("No Relation")
    arg_name = "nrel_o_m"
    negate = True


class FilterRelationManyToManyEqual(FilterRelation, PeeweeFilter):
    """The to-many collection holds the related record(s) (value: pk or list of pks).

    Written as ``pk IN (subquery)`` rather than a join so the count and the page
    never multiply rows.
    """

    name = lazy_gettext("Relation as Many")
    arg_name = "rel_m_m"

    def __init__(self, column_name, datamodel, is_related_view=False):
        PeeweeFilter.__init__(self, column_name, datamodel, is_related_view)

    def apply(self, query, value):
        values = value if isinstance(value, list) else [value]
        for item in values:
            try:
                pk = self.datamodel.coerce_related_pk(self.column_name, item)
            except (TypeError, ValueError):
                return query.where(_MATCH_NOTHING)
            query = query.where(self.datamodel.holds_related(self.column_name, pk))
        return query


_TEXT = [
    FilterStartsWith,
    FilterEndsWith,
    FilterContains,
    FilterEqual,
    FilterNotStartsWith,
    FilterNotContains,
    FilterNotEqual,
    FilterIn,
    FilterEmpty,
    FilterNotEmpty,
]
_ORDERED = [
    FilterEqual,
    FilterGreater,
    FilterSmaller,
    FilterNotEqual,
    FilterIn,
    FilterEmpty,
    FilterNotEmpty,
]


class PeeweeFilterConverter(BaseFilterConverter):
    """Which filters each column type offers (first matching type check wins).

    At most ten per type: the console's ``_flt_<index>_<col>`` argument takes one digit.
    """

    conversion_table = (
        (
            "is_relation_many_to_one",
            [
                FilterRelationOneToManyEqual,
                FilterRelationOneToManyNotEqual,
                FilterEmpty,
                FilterNotEmpty,
            ],
        ),
        ("is_relation_many_to_many", [FilterRelationManyToManyEqual]),
        ("is_relation_one_to_many", [FilterRelationManyToManyEqual]),
        ("is_enum", [FilterEqual, FilterNotEqual, FilterIn, FilterEmpty, FilterNotEmpty]),
        ("is_boolean", [FilterEqual, FilterNotEqual, FilterEmpty, FilterNotEmpty]),
        (
            "is_json",
            [FilterContains, FilterNotContains, FilterStartsWith, FilterEndsWith,
             FilterEmpty, FilterNotEmpty],
        ),
        ("is_text", _TEXT),
        ("is_string", _TEXT),
        ("is_integer", _ORDERED),
        ("is_numeric", _ORDERED),
        ("is_float", _ORDERED),
        ("is_date", _ORDERED),
        ("is_datetime", _ORDERED),
    )


class PeeweeFilters(Filters):
    """FAB's ``Filters`` with REST operators resolved per column (see module doc)."""

    def rest_add_filters(self, data):
        """Add ``[{"col":..., "opr":..., "value":...}]``; FABException on a bad entry."""
        for entry in data:
            try:
                col, opr, value = entry["col"], entry["opr"], entry["value"]
            except (KeyError, TypeError):
                raise InvalidOperationFilterFABException("Invalid filter") from None
            if col not in self._search_filters:
                raise InvalidColumnFilterFABException(
                    f"Filter column: {col} not allowed to filter"
                )
            flt = next(
                (f for f in self._search_filters[col] if f.arg_name == opr), None
            )
            if flt is None:
                raise InvalidOperationFilterFABException(
                    f"Filter operation: {opr} not allowed on column: {col}"
                )
            self.add_filter(col, type(flt), value)

    def _clone(self):
        clone = PeeweeFilters.__new__(PeeweeFilters)
        clone.__dict__.update(self.__dict__)
        clone.filters = list(self.filters)
        clone.values = list(self.values)
        return clone

    def copy(self):
        # FAB's copy() rebuilds every column's filters; a shallow clone is enough.
        return self._clone()

    def get_joined_filters(self, filters):
        joined = self._clone()
        joined.filters = self.filters + filters.filters
        joined.values = self.values + filters.values
        return joined

    def __repr__(self):
        # FAB's version reads model.__table__, which peewee models don't have.
        items = ", ".join(
            f"{flt.column_name} {flt.arg_name} {value!r}"
            for flt, value in self.get_filters_values()
        )
        return f"<PeeweeFilters {self.model_name}: {items}>"

    @property
    def model_name(self):
        return self.datamodel.model_name
