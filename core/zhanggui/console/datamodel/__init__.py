"""Console screens and REST APIs over peewee models (FAB data interface).

A plugin declares a screen and an API like this, and never touches FAB's
SQLAlchemy layer::

    from zhanggui.console.datamodel import ModelRestApi, ModelView, PeeweeInterface

    class MemberView(ModelView):
        datamodel = PeeweeInterface(Member)
        autocomplete_fields = ["referrer"]

        def scope_query(self, query):
            return query.where(Member.store == current_store_id())

    class MemberApi(ModelRestApi):
        resource_name = "member"
        datamodel = PeeweeInterface(Member)

Modules: ``interface`` (the data interface), ``query`` (how a page is read),
``filters``, ``forms`` and ``widgets`` (console), ``schema`` (REST), ``errors``
(database refusals as user messages), ``fields`` (``JSONField``).
"""

from .errors import RecordRejected
from .fields import JSONField
from .filters import PeeweeFilterConverter, PeeweeFilters
from .interface import PeeweeInterface, parse_bool
from .schema import PeeweeSchemaConverter
from .views import ModelRestApi, ModelView

__all__ = [
    "JSONField",
    "ModelRestApi",
    "ModelView",
    "PeeweeFilterConverter",
    "PeeweeFilters",
    "PeeweeInterface",
    "PeeweeSchemaConverter",
    "RecordRejected",
    "parse_bool",
]
