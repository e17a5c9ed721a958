"""What guards each URL of the console and the REST API, read from the live app.

:func:`routes` walks ``app.url_map`` and answers, for every rule and method, the
Flask-AppBuilder view behind it, the permission that view checks (``can_<name>`` on
the view's ``class_permission_name``, as FAB's ``has_access`` / ``protect`` compute
it at request time), whether it is an API, the model behind it and whether a store
scope narrows that model's records.  The generated security tests
(``tests/console/security/test_access_matrix.py``, ``test_csrf_everywhere.py``)
derive every expectation from it, so a view a plugin adds is covered without a word
in the tests; a third-party plugin's own tests may call it the same way.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

from flask import Flask
from flask_appbuilder.api import BaseApi

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True)
class Route:
    """One URL rule and one of its methods."""

    rule: Any                 # werkzeug Rule
    method: str
    view: Any = None          # the FAB view instance, None for non-FAB endpoints
    attr: str = ""            # the view's method name
    permission: tuple[str, str] | None = None   # (permission, view menu) FAB checks

    @property
    def endpoint(self) -> str:
        return self.rule.endpoint

    @property
    def path(self) -> str:
        return str(self.rule)

    @property
    def is_api(self) -> bool:
        return isinstance(self.view, BaseApi)

    @property
    def model(self):
        """The peewee (or SQLAlchemy) model behind the view, if any."""
        return getattr(getattr(self.view, "datamodel", None), "obj", None)

    @property
    def is_scoped(self) -> bool:
        """Whether the view narrows its records by a record rule (``scope_query``)."""
        from .datamodel.views import ScopedViewMixin

        view = self.view
        if not isinstance(view, ScopedViewMixin):
            return False
        return type(view).scope_query is not ScopedViewMixin.scope_query

    @property
    def in_base_permissions(self) -> bool:
        return bool(self.permission) and \
            self.permission[0] in (getattr(self.view, "base_permissions", None) or [])

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def _views_by_blueprint(app: Flask) -> dict[str, Any]:
    appbuilder = app.extensions["zhanggui"].appbuilder
    return {view.blueprint.name: view for view in appbuilder.baseviews
            if getattr(view, "blueprint", None) is not None}


def permission_of(view: Any, attr: str) -> tuple[str, str] | None:
    """``(can_<name>, view menu)`` that FAB's decorators check for ``view.attr``;
    ``None`` when the method carries no FAB permission decorator."""
    method = getattr(view, attr, None)
    name = getattr(method, "_permission_name", None)
    if not name:
        return None
    name = (getattr(view, "method_permission_name", None) or {}).get(attr, name)
    return f"can_{name}", view.class_permission_name


def routes(app: Flask) -> Iterator[Route]:
    """Every (rule, method) of ``app``, sorted by path, with what guards it."""
    views = _views_by_blueprint(app)
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (str(r), r.endpoint)):
        blueprint, _, attr = rule.endpoint.rpartition(".")
        view = views.get(blueprint)
        permission = permission_of(view, attr) if view is not None else None
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield Route(rule=rule, method=method, view=view, attr=attr,
                        permission=permission)


def first_pk(route: Route) -> Any:
    """The primary key of a real record of the route's model (the smallest), or
    ``None`` when the table is empty or there is no model."""
    import peewee

    model = route.model
    if model is None:
        return None
    if isinstance(model, type) and issubclass(model, peewee.Model):
        pk = model._meta.primary_key
        row = model.select(pk).order_by(pk).tuples().first()
        return row[0] if row else None
    datamodel = route.view.datamodel  # Flask-AppBuilder's own SQLAlchemy screens
    item = datamodel.session.query(model).first()
    return datamodel.get_pk_value(item) if item is not None else None


def example_url(route: Route) -> str | None:
    """The route's URL filled with real values (a record's primary key, ``v1``, an
    autocomplete column), or ``None`` when some value cannot be filled.  Call it in
    an application context."""
    values: dict[str, Any] = {}
    for name in route.rule.arguments:
        if name == "pk" and route.model is not None:
            values[name] = first_pk(route)
        elif name == "version":
            values[name] = "v1"
        elif name == "col_name" and getattr(route.view, "autocomplete_fields", None):
            values[name] = route.view.autocomplete_fields[0]
        else:
            return None
        if values[name] is None:
            return None
    return route.rule.build(values, append_unknown=False)[1]
