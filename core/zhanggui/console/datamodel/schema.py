"""Marshmallow schemas for peewee models, for FAB's ``ModelRestApi``.

``PeeweeSchemaConverter`` replaces ``ModelRestApi.model2schemaconverter``. The JSON
shapes:

========================  ==============================================
peewee field              JSON
========================  ==============================================
CharField / TextField     string (``SafeString``: no NUL, at most max_length, a
                          TextField at most ``TEXT_MAX_LENGTH`` characters)
IntegerField              integer (within 64 bits)
DecimalField              string, e.g. ``"12.50"`` (money never a float)
FloatField                number
BooleanField              boolean
DateField                 ``"2024-05-01"``
DateTimeField             ISO 8601 with offset; naive input is taken as UTC
field with ``choices``    the stored value, validated ``OneOf``
JSON fields               any JSON value
BlobField                 base64 string
ForeignKeyField           the related primary key (``_info`` lists choices)
ManyToManyField           list of related primary keys
``rel.col`` (dotted)      nested object of the related row (read only)
========================  ==============================================

``schema.load(data)`` returns a new model instance; ``schema.load(data,
instance=item)`` (what FAB's PUT does) updates ``item``. Neither writes to the
database: the interface does.
"""

from __future__ import annotations

import base64
import binascii
import contextvars
import datetime
import decimal

from flask_appbuilder.api.convert import BaseModel2SchemaConverter, columns2Tree
from marshmallow import Schema, ValidationError, fields, post_load, validate
from marshmallow_sqlalchemy.fields import Related, RelatedList

from .fields import UTC, as_utc
from .safe_fields import SafeString
from .interface import set_pending_many

#: the longest text a TextField (no max_length) takes through the REST API
TEXT_MAX_LENGTH = 65_535

_instance = contextvars.ContextVar("zhanggui_schema_instance", default=None)


class PeeweeSchema(Schema):
    """Loads into a peewee model instance (``Meta.model``); see module doc."""

    class Meta:
        model = None
        ordered = True

    def load(self, data, *, instance=None, **kwargs):
        # A context variable, not an attribute: one schema serves concurrent requests.
        token = _instance.set(instance)
        try:
            return super().load(data, **kwargs)
        finally:
            _instance.reset(token)

    @post_load
    def make_instance(self, data, **kwargs):
        instance = _instance.get()
        if instance is None:
            instance = self.Meta.model()
        for name, value in data.items():
            if isinstance(self.fields[name], RelatedList):
                set_pending_many(instance, name, value)
            else:
                setattr(instance, name, value)
        return instance


class UTCDateTime(fields.AwareDateTime):
    """ISO datetime; naive input means UTC; loaded values are aware UTC."""

    def __init__(self, **kwargs):
        super().__init__(default_timezone=UTC, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return as_utc(super()._deserialize(value, attr, data, **kwargs))
        except OverflowError:  # 0001-01-01T00:00:00+14:00 is before year 1 in UTC
            raise self.make_error("invalid", input=value, obj_type=self.OBJ_TYPE) from None

    def _serialize(self, value, attr, obj, **kwargs):
        if isinstance(value, datetime.datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return super()._serialize(value, attr, obj, **kwargs)


class Base64(fields.Field):
    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else base64.b64encode(bytes(value)).decode("ascii")

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, TypeError, ValueError):
            raise ValidationError("Not valid base64.") from None


class DecimalDigits(validate.Validator):
    """At most ``max_digits`` digits, ``places`` of them after the point."""

    def __init__(self, max_digits, places):
        self.max_digits, self.places = max_digits, places

    def __call__(self, value):
        sign, digits, exponent = value.as_tuple()
        after = max(-exponent, 0)
        before = max(len(digits) + exponent, 0)
        if after > self.places or before > self.max_digits - self.places:
            from .messages import DECIMAL_DIGITS

            raise ValidationError(DECIMAL_DIGITS.format(before=self.max_digits - self.places,
                                                        after=self.places))
        return value

    def _repr_args(self):
        return f"max_digits={self.max_digits!r}, places={self.places!r}"


class PeeweeRelated(Related):
    """A foreign key as the related primary key.

    A subclass of marshmallow-sqlalchemy's ``Related`` only because FAB's ``_info``
    lists choices for fields of that class; nothing SQLAlchemy is used.
    """

    def __init__(self, datamodel=None, col_name=None, **kwargs):
        super().__init__(**kwargs)
        self.datamodel = datamodel
        self.col_name = col_name

    def get_value(self, obj, attr, accessor=None, default=None):
        field = self.datamodel._field(self.col_name) if self.datamodel else None
        if field is not None and hasattr(obj, "__data__"):
            # The stored id, without loading the related row.
            return obj.__data__.get(field.name)
        return super().get_value(obj, attr, accessor=accessor)

    def _serialize(self, value, attr, obj, **kwargs):
        if hasattr(value, "get_id"):
            return value.get_id()
        return value

    def _deserialize(self, value, attr, data, **kwargs):
        related = self.datamodel.get_related_obj(self.col_name, value)
        if related is None:
            raise ValidationError("Related record not found.")
        return related


class PeeweeRelatedList(RelatedList):
    """A to-many relation as a list of related primary keys."""

    def get_value(self, obj, attr, accessor=None, default=None):
        return list(getattr(obj, attr))


def _field_for(datamodel, col, required, validators):
    """The marshmallow field for column ``col`` of ``datamodel``."""
    peewee_field = datamodel._field(col)
    nullable = datamodel.is_nullable(col)
    has_default = peewee_field is not None and peewee_field.default is not None
    options = dict(
        required=required and not nullable and not has_default,
        allow_none=nullable,
        validate=list(validators),
    )
    if datamodel.is_relation_many_to_one(col):
        return PeeweeRelated(datamodel=datamodel, col_name=col, **options)
    if datamodel.is_relation_many_to_many(col) or datamodel.is_relation_one_to_many(col):
        inner = PeeweeRelated(datamodel=datamodel, col_name=col)
        return PeeweeRelatedList(
            inner, required=False, dump_only=datamodel.is_relation_one_to_many(col),
            validate=list(validators),
        )
    if datamodel.is_pk(col):
        options.update(required=False, dump_only=True)
    if datamodel.is_enum(col):
        options["validate"].append(validate.OneOf([v for v, _ in datamodel.get_choices(col)]))
    max_length = datamodel.get_max_length(col)
    if max_length and max_length != -1:
        options["validate"].append(validate.Length(max=max_length))
    if datamodel.is_json(col):
        return fields.Raw(**options)
    if datamodel.is_boolean(col):
        return fields.Boolean(**options)
    if datamodel.is_integer(col):
        options["validate"].append(validate.Range(min=-(2**63), max=2**63 - 1))
        return fields.Integer(strict=False, **options)
    if datamodel.is_numeric(col):
        options["validate"].append(
            DecimalDigits(peewee_field.max_digits, peewee_field.decimal_places)
        )
        return fields.Decimal(as_string=True, **options)
    if datamodel.is_float(col):
        return fields.Float(**options)
    if datamodel.is_datetime(col):
        return UTCDateTime(**options)
    if datamodel.is_date(col):
        return fields.Date(**options)
    if datamodel.is_binary(col):
        return Base64(**options)
    if datamodel.is_string(col) or datamodel.is_text(col):
        # a max_length of its own is checked by the Length validator above (its
        # message is translated); a TextField gets the general ceiling
        limit = None if max_length and max_length != -1 else TEXT_MAX_LENGTH
        return SafeString(max_length=limit, strip=False, **options)
    # A property or method of the model: read only.
    return fields.Function(lambda obj, c=col: _plain(getattr(obj, c)), dump_only=True)


def _plain(value):
    value = value() if callable(value) else value
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value


class PeeweeSchemaConverter(BaseModel2SchemaConverter):
    """Builds the list/show/add/edit schemas FAB's ``ModelRestApi`` asks for."""

    def convert(self, columns, model=None, nested=True, parent_schema_name=None):
        """An instance of a ``PeeweeSchema`` for ``columns`` (dotted = nested, read only)."""
        datamodel = self.datamodel if model is None else self.datamodel.__class__(model)
        attrs = {}
        for node in columns2Tree(columns).root.children:
            col = node.name
            if node.children and datamodel.is_relation_many_to_one(col):
                related = datamodel.get_related_interface(col)
                child = PeeweeSchemaConverter(related, {}).convert(
                    [c.name for c in node.children]
                )
                attrs[col] = fields.Nested(type(child), dump_only=True, allow_none=True)
                continue
            attrs[col] = _field_for(
                datamodel, col, required=True,
                validators=self._validators(col),
            )
        name = (parent_schema_name or datamodel.model_name).replace(".", "_") + "Schema"
        meta = type("Meta", (PeeweeSchema.Meta,), {"model": datamodel.obj})
        return type(name, (PeeweeSchema,), {**attrs, "Meta": meta})()

    def _validators(self, col):
        found = self.validators_columns.get(col) or []
        return found if isinstance(found, (list, tuple)) else [found]
