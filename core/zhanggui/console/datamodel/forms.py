"""WTForms for peewee models: FAB's form converter with the peewee fixes.

* A checkbox is never "required": an unticked box posts nothing, which FAB's
  ``InputRequired`` on a NOT NULL column would reject.
* A field with ``choices`` is a select of those choices (FAB's enum path reads
  SQLAlchemy column types).
* JSON is edited as JSON text and validated as such.
* Datetimes are typed in the console's local time (``ZHANGGUI_CONSOLE_TIMEZONE``,
  default UTC) and stored as aware UTC.
* A foreign key listed in ``autocomplete`` is an :class:`AutocompleteField`, never a
  ``<select>`` of the whole related table.
* Many-to-many values are handed to the interface, which writes them in the same
  transaction as the row.
"""

from __future__ import annotations

import datetime
import json
from zoneinfo import ZoneInfo

from flask import current_app
from flask_appbuilder.fields import QuerySelectMultipleField
from flask_appbuilder.fieldwidgets import (
    BS3TextAreaFieldWidget,
    DateTimePickerWidget,
    Select2ManyWidget,
    Select2Widget,
)
from flask_appbuilder.forms import FieldConverter, GeneralModelConverter
from flask_appbuilder.validators import Unique
from flask_babel import lazy_gettext
from wtforms import BooleanField, DateTimeField, Field, SelectField, TextAreaField, validators

from ..dates import LocalDateField
from .fields import UTC
from .interface import set_pending_many
from .widgets import AutocompleteWidget


def console_timezone():
    return ZoneInfo(current_app.config.get("ZHANGGUI_CONSOLE_TIMEZONE", "UTC"))


class LocalDateTimeField(DateTimeField):
    """Shows and reads the console's local time; ``data`` is aware UTC."""

    def _value(self):
        if self.raw_data:
            return " ".join(self.raw_data)
        if isinstance(self.data, datetime.datetime):
            value = self.data
            if value.tzinfo is None:
                value = value.replace(tzinfo=UTC)
            return value.astimezone(console_timezone()).strftime(self.format[0])
        return ""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if isinstance(self.data, datetime.datetime) and self.data.tzinfo is None:
            self.data = self.data.replace(tzinfo=console_timezone()).astimezone(UTC)


#: the longest text a form takes for a TextField (no max_length of its own)
TEXT_MAX_LENGTH = 65_535


class StorableText:
    """Refuses text a database cannot store (NUL, lone surrogates) with a form message,
    instead of a 500 from the driver (PostgreSQL) or a value cut short (SQLite)."""

    field_flags = {}

    def __call__(self, form, field):
        from .safe_fields import text_problem

        if isinstance(field.data, str):
            problem = text_problem(field.data)
            if problem:
                raise validators.StopValidation(problem)


class JSONTextAreaField(TextAreaField):
    """JSON document edited as text; invalid JSON is a field error."""

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        return json.dumps(self.data, ensure_ascii=False, indent=2, sort_keys=True)

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = json.loads(valuelist[0])
        except ValueError:
            self.data = None
            raise ValueError(lazy_gettext("Not valid JSON")) from None


class PendingManyField(QuerySelectMultipleField):
    """Many-to-many select whose values the interface saves with the row."""

    def populate_obj(self, obj, name):
        set_pending_many(obj, name, self.data)


class AutocompleteField(Field):
    """A foreign key chosen by typing: ``data`` is the related row (or None).

    The form posts the related primary key; the widget asks the view's
    ``autocomplete/<column>`` endpoint for matches.
    """

    def __init__(self, label=None, validators=None, datamodel=None, col_name=None, **kwargs):
        kwargs.setdefault("widget", AutocompleteWidget())
        super().__init__(label, validators, **kwargs)
        self.datamodel = datamodel
        self.col_name = col_name

    def _value(self):
        if self.data is not None:
            return str(self.data.get_id())
        return self.raw_data[0] if self.raw_data else ""

    def label_text(self):
        return "" if self.data is None else str(self.data)

    def process_formdata(self, valuelist):
        if not valuelist or valuelist[0] in ("", None):
            self.data = None
            return
        self.data = self.datamodel.get_related_obj(self.col_name, valuelist[0])
        if self.data is None:
            raise ValueError(lazy_gettext("Not a valid choice"))


class PeeweeModelConverter(GeneralModelConverter):
    """FAB's ``GeneralModelConverter`` for a :class:`PeeweeInterface` (see module doc).

    :param autocomplete: foreign-key column names to render as autocomplete fields.
    :param endpoint: the view's endpoint, to build the autocomplete URL.
    """

    def __init__(self, datamodel, autocomplete=(), endpoint=None):
        super().__init__(datamodel)
        self.autocomplete = set(autocomplete)
        self.endpoint = endpoint

    def _convert_many_to_one(self, col_name, label, description, lst_validators,
                             filter_rel_fields, form_props):
        if col_name not in self.autocomplete:
            return super()._convert_many_to_one(
                col_name, label, description, lst_validators, filter_rel_fields, form_props
            )
        if self.datamodel.is_nullable(col_name):
            lst_validators.append(validators.Optional())
        else:
            lst_validators.append(validators.InputRequired())
        form_props[col_name] = AutocompleteField(
            label,
            description=description,
            validators=lst_validators,
            datamodel=self.datamodel,
            col_name=col_name,
            widget=AutocompleteWidget(endpoint=self.endpoint, col_name=col_name),
        )
        return form_props

    def _convert_many_to_many(self, col_name, label, description, lst_validators,
                              filter_rel_fields, form_props):
        form_props[col_name] = PendingManyField(
            label,
            description=description,
            query_func=self._get_related_query_func(col_name, filter_rel_fields),
            get_pk_func=self._get_related_pk_func(col_name),
            validators=lst_validators,
            widget=Select2ManyWidget(),
        )
        return form_props

    def _convert_simple(self, col_name, label, description, lst_validators, form_props):
        datamodel = self.datamodel
        if datamodel.is_boolean(col_name):
            form_props[col_name] = BooleanField(
                label, description=description, validators=lst_validators,
                default=datamodel.get_col_default(col_name),
            )
            return form_props
        if datamodel.is_string(col_name) or datamodel.is_text(col_name):
            lst_validators.append(StorableText())
        max_length = datamodel.get_max_length(col_name)
        if max_length == -1 and datamodel.is_text(col_name):
            max_length = TEXT_MAX_LENGTH  # a form never takes a megabyte of text
        if max_length != -1:
            lst_validators.append(validators.Length(max=max_length))
        if datamodel.is_nullable(col_name):
            lst_validators.append(validators.Optional())
        else:
            lst_validators.append(validators.InputRequired())
        if datamodel.is_unique(col_name):
            lst_validators.append(Unique(datamodel, col_name))
        default = datamodel.get_col_default(col_name)
        kwargs = dict(description=description, validators=lst_validators, default=default)
        if datamodel.is_enum(col_name):
            choices = datamodel.get_choices(col_name)
            if datamodel.is_nullable(col_name):
                choices = [("", "")] + choices
            field = datamodel._field(col_name)
            form_props[col_name] = SelectField(
                label, choices=[(str(v), lbl) for v, lbl in choices],
                coerce=lambda v, f=field: None if v in ("", None) else f.adapt(v),
                widget=Select2Widget(), **kwargs,
            )
        elif datamodel.is_json(col_name):
            form_props[col_name] = JSONTextAreaField(
                label, widget=BS3TextAreaFieldWidget(), **kwargs
            )
        elif datamodel.is_date(col_name):
            form_props[col_name] = LocalDateField(label, **kwargs)
        elif datamodel.is_datetime(col_name):
            form_props[col_name] = LocalDateTimeField(
                label, widget=DateTimePickerWidget(), **kwargs
            )
        else:
            form_props[col_name] = FieldConverter(
                datamodel, col_name, label, description, lst_validators, default=default
            ).convert()
        return form_props
