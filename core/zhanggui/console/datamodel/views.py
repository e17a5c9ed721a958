"""Console screens and REST APIs over peewee models, for plugins to subclass.

    class MemberView(ModelView):
        datamodel = PeeweeInterface(Member)
        list_columns = ["name", "phone", "store.name", "points"]
        autocomplete_fields = ["referrer"]        # a foreign key to a big table

        def scope_query(self, query):             # record rule
            return query.where(Member.store == current_store_id())

    class MemberApi(ModelRestApi):
        resource_name = "member"
        datamodel = PeeweeInterface(Member)

``scope_query`` applies to every list, get, edit and delete (an out-of-scope
primary key answers 404), and refuses adds and edits whose result falls outside it.
A write the database refuses is shown on the form (console) or answered with 422 and
``{"message": {field: [messages]}}`` (REST), never a 500.
"""

from __future__ import annotations

from flask import flash, jsonify, request
from flask_appbuilder import ModelView as FABModelView
from flask_appbuilder.api import ModelRestApi as FABModelRestApi
from flask_appbuilder.api import API_RESULT_RES_KEY, protect, safe
from flask_appbuilder.baseviews import expose
from flask_appbuilder.security.decorators import has_access_api, permission_name
from flask_appbuilder.urltools import get_filter_args
from marshmallow import ValidationError

from ..downloads import SafeDownloadMixin
from ...i18n import _
from .errors import RecordRejected
from .forms import PeeweeModelConverter
from .messages import translate_messages
from .schema import PeeweeSchemaConverter


class ScopedViewMixin:
    """Gives the view its own copy of ``datamodel`` bound to ``scope_query``."""

    def __init__(self, **kwargs):
        datamodel = kwargs.pop("datamodel", None) or self.datamodel
        # A copy per view: the class attribute may be shared by several views/apps.
        self.datamodel = datamodel.with_scope(self._scope)
        super().__init__(**kwargs)

    def _scope(self, query):
        return self.scope_query(query)

    def _gen_labels_columns(self, list_columns):
        """Column labels from the model fields' (translated) ``verbose_name``; FAB's
        prettified column name only where a field declares none."""
        for col in list_columns:
            if not self.label_columns.get(col):
                self.label_columns[col] = (self.datamodel.get_label(col)
                                           or self._prettify_column(col))

    def _init_titles(self):
        """A title a view leaves out falls back to its (translated) list title, not
        to Flask-AppBuilder's English "Show <Model>"."""
        if getattr(self, "list_title", None):
            for name in ("show_title", "add_title", "edit_title"):
                if hasattr(self, name) and not getattr(self, name):
                    setattr(self, name, self.list_title)
        super()._init_titles()

    def scope_query(self, query):
        """Narrow a peewee select on this view's model to what the user may reach.

        Called at query time (inside the request), for lists, gets, edits, deletes
        and to check adds and edits. Default: rows whose ``MemberRef`` columns name
        a member the user may reach on the member screen (or no member), else
        unchanged.
        """
        from ...memberref import member_ref_fields

        for field in member_ref_fields([self.datamodel.obj]):
            owner = _scoping_view(self.appbuilder, field.rel_model)
            if owner is not None:
                every = field.rel_model.select(field.rel_model._meta.primary_key)
                reachable = owner.scope_query(every)
                if reachable is not every:  # unchanged: the user reaches every member
                    query = query.where(field.is_null() | field.in_(reachable))
        return query


def _scoping_view(appbuilder, model):
    """The registered view that applies a record rule to ``model``, if any."""
    cache = appbuilder.__dict__.setdefault("_zg_scoping_views", {})
    if model not in cache:
        cache[model] = next(
            (view for view in appbuilder.baseviews
             if isinstance(view, ScopedViewMixin)
             and getattr(view.datamodel, "obj", None) is model
             and type(view).scope_query is not ScopedViewMixin.scope_query), None)
    return cache[model]


class ModelView(SafeDownloadMixin, ScopedViewMixin, FABModelView):
    """FAB ``ModelView`` for a ``PeeweeInterface`` datamodel (see module doc).

    ``autocomplete_fields``: foreign-key columns chosen by typing (prefix search on
    ``autocomplete_search_columns[col]``, default the related model's first text
    column, at most ``autocomplete_limit`` matches) instead of a select of the whole
    related table. Use it for every foreign key to members, orders, products...
    """

    autocomplete_fields: list[str] = []
    autocomplete_search_columns: dict[str, list[str]] = {}
    autocomplete_limit = 20
    #: the most rows a list page shows, whatever ``?psize_<View>=`` asks for
    max_page_size = 100

    def _init_forms(self):
        from ...memberref import member_ref_fields

        # a member is always picked by typing, never from a select of every member
        refs = [f.name for f in member_ref_fields([self.datamodel.obj])]
        self.autocomplete_fields = list(self.autocomplete_fields) + [
            name for name in refs if name not in self.autocomplete_fields]
        converter = PeeweeModelConverter(
            self.datamodel,
            autocomplete=self.autocomplete_fields,
            endpoint=lambda: self.endpoint,
        )
        if not self.search_form:
            self.search_form = converter.create_form(
                self.label_columns,
                self.search_columns,
                extra_fields=self.search_form_extra_fields,
                filter_rel_fields=self.search_form_query_rel_fields,
            )
        if not self.add_form:
            self.add_form = converter.create_form(
                self.label_columns, self.add_columns, self.description_columns,
                self.validators_columns, self.add_form_extra_fields,
                self.add_form_query_rel_fields,
            )
        if not self.edit_form:
            self.edit_form = converter.create_form(
                self.label_columns, self.edit_columns, self.description_columns,
                self.validators_columns, self.edit_form_extra_fields,
                self.edit_form_query_rel_fields,
            )

    # ------------------------------------------------------------ list pages
    def _get_list_widget(self, filters, actions=None, order_column="", order_direction="",
                         page=None, page_size=None, widgets=None, **kwargs):
        """A page holds at most :attr:`max_page_size` rows; a page past the last one
        says so (a message above the empty list) instead of looking like no data."""
        page_size = min(max(page_size or self.page_size, 1), self.max_page_size)
        widgets = super()._get_list_widget(
            filters, actions=actions, order_column=order_column,
            order_direction=order_direction, page=page, page_size=page_size,
            widgets=widgets, **kwargs)
        count = widgets["list"].template_args.get("count") or 0
        if page and page > 0 and page * page_size >= count:
            pages = max(1, -(-count // page_size))
            flash(_("Page %(page)s is past the end of this list: it has %(count)s row(s) "
                    "on %(pages)s page(s).", page=page + 1, count=count, pages=pages),
                  "warning")
        return widgets

    # ------------------------------------------------------------ autocomplete
    @expose("/autocomplete/<col_name>")
    @has_access_api
    @permission_name("list")
    def autocomplete(self, col_name):
        """JSON ``{"result": [{"id", "text"}]}``: related rows whose search column
        starts with ``?q=``, at most ``autocomplete_limit``."""
        if col_name not in self.autocomplete_fields:
            return jsonify(message="Not found"), 404
        related = self.datamodel.get_related_interface(col_name)
        text = request.args.get("q", "").strip()
        query = self.autocomplete_query(col_name, related.obj.select())
        columns = self.autocomplete_search_columns.get(col_name) or [
            c for c in related.get_columns_list() if related.is_string(c)
        ][:1]
        if text and columns:
            condition = None
            for col in columns:
                _, field = related.resolve_column(query, col)
                expr = related.like(col, field, "%s%%", text)
                condition = expr if condition is None else (condition | expr)
            query = query.where(condition)
        order = related._field(columns[0]) if columns else related._pk_field()
        rows = query.order_by(order, related._pk_field()).limit(self.autocomplete_limit)
        return jsonify(result=[{"id": row.get_id(), "text": str(row)} for row in rows])

    def autocomplete_query(self, col_name, query):
        """Narrow the related rows offered for ``col_name``.  Default: the record rule
        of the screen that shows the related model (its ``scope_query``), so a
        store-scoped user is offered only their stores' members, stores..."""
        owner = _scoping_view(self.appbuilder, query.model)
        return owner.scope_query(query) if owner is not None else query

    # ----------------------------------------------------- refused writes
    def _show_rejection(self, form, exc: RecordRejected):
        for name, messages in exc.field_errors.items():
            if name in form:
                form[name].errors = list(form[name].errors) + messages
        flash(exc.message, "danger")

    def _add(self):
        """FAB's add, except that a write the database refuses re-shows the form."""
        get_filter_args(self._filters, disallow_if_not_in_search=False)
        exclude_cols = self._filters.get_relation_cols()
        form = self.add_form.refresh()
        if request.method == "POST":
            self._fill_form_exclude_cols(exclude_cols, form)
            if form.validate():
                self.process_form(form, True)
                item = self.datamodel.obj()
                try:
                    form.populate_obj(item)
                    self.pre_add(item)
                except Exception as exc:  # FAB's contract: pre_add aborts with a message
                    flash(str(exc), "danger")
                    return None
                try:
                    self.datamodel.add(item)
                except RecordRejected as exc:
                    self._show_rejection(form, exc)
                    return self._get_add_widget(form=form, exclude_cols=exclude_cols)
                self.post_add(item)
                flash(self.add_row_message, "success")
                return None
        else:
            self.update_redirect()
        return self._get_add_widget(form=form, exclude_cols=exclude_cols)

    def _edit(self, pk):
        """FAB's edit, except that a write the database refuses re-shows the form."""
        if request.method != "POST":
            return super()._edit(pk)
        get_filter_args(self._filters, disallow_if_not_in_search=False)
        exclude_cols = self._filters.get_relation_cols()
        item = self.datamodel.get(pk, self._base_filters)
        if not item:
            from flask import abort

            abort(404)
        pk = self.datamodel.get_pk_value(item)
        form = self.edit_form.refresh(request.form)
        self._fill_form_exclude_cols(exclude_cols, form)
        form._id = pk  # lets FAB's Unique validator skip this row
        if form.validate():
            self.process_form(form, False)
            try:
                form.populate_obj(item)
                self.pre_update(item)
            except Exception as exc:  # FAB's contract: pre_update aborts with a message
                flash(str(exc), "danger")
                return None
            try:
                self.datamodel.edit(item)
            except RecordRejected as exc:
                self._show_rejection(form, exc)
            else:
                self.post_update(item)
                flash(self.edit_row_message, "success")
                return None
        widgets = self._get_edit_widget(form=form, exclude_cols=exclude_cols)
        return self._get_related_views_widgets(
            item, filters={}, orders={}, pages={}, page_sizes={}, widgets=widgets
        )


#: the deepest row a list may ask for (page × page size): beyond it no database counts
MAX_OFFSET = 2**31 - 1


class ModelRestApi(ScopedViewMixin, FABModelRestApi):
    """FAB ``ModelRestApi`` for a ``PeeweeInterface`` datamodel (see module doc).

    ``?q=(page:..,page_size:..)`` must be whole numbers, the page not below zero and
    page × page size at most :data:`MAX_OFFSET`, else 400 with a message (a page size
    above the maximum is cut to it, as Flask-AppBuilder documents).
    """

    model2schemaconverter = PeeweeSchemaConverter

    #: Flask-AppBuilder's CRUD routes and the permission each one is checked against
    CRUD_ROUTES = {"get_list": "get", "get": "get", "info": "info", "post": "post",
                   "put": "put", "delete": "delete"}

    def __init__(self):
        # A CRUD route whose permission the API does not grant is not registered at
        # all, so the OpenAPI document never offers an operation that can only say 403.
        if self.base_permissions is not None:
            granted = set(self.base_permissions)
            refused = {route for route, perm in self.CRUD_ROUTES.items()
                       if f"can_{perm}" not in granted}
            self.exclude_route_methods = set(self.exclude_route_methods or ()) | refused
        super().__init__()

    # Flask-AppBuilder routes GET by ``/<int:pk>`` but PUT and DELETE by ``/<pk>``: a
    # GET of ``/-1`` or ``/abc`` then met the PUT route and answered 405.  All three
    # take an integer key here, so such a path is a plain 404.
    @expose("/<int:pk>", methods=["PUT"])
    @protect()
    @safe
    @permission_name("put")
    def put(self, pk):
        return self.put_headless(pk)

    put.__doc__ = FABModelRestApi.put.__doc__

    @expose("/<int:pk>", methods=["DELETE"])
    @protect()
    @safe
    @permission_name("delete")
    def delete(self, pk):
        return self.delete_headless(pk)

    delete.__doc__ = FABModelRestApi.delete.__doc__

    def get_list_headless(self, **kwargs):
        """GET list: 400 for page arguments no page can have (see class doc)."""
        problem = self._page_problem(kwargs.get("rison") or {})
        if problem:
            return self.response_400(message=problem)
        return super().get_list_headless(**kwargs)

    def _page_problem(self, rison_args) -> str | None:
        if not isinstance(rison_args, dict):
            return None
        page = rison_args.get("page", 0)
        page_size = rison_args.get("page_size", self.page_size)
        for value in (page, page_size):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                return _("Give page and page_size as whole numbers.")
        if page is not None and page < 0:
            return _("The page number must not be negative.")
        page, page_size = self._sanitize_page_args(page, page_size)
        if page and page_size and page * page_size > MAX_OFFSET:
            return _("This page is beyond the last possible page.")
        return None

    def operation_helper(self, path=None, operations=None, methods=None, func=None, **kwargs):
        """Flask-AppBuilder's operation documents, with ``id`` and ``ids`` declared
        as the primary key's real type (its templates say string for every model)
        and ``_info``'s ``add_columns``/``edit_columns`` as the lists they are."""
        super().operation_helper(path=path, operations=operations, methods=methods,
                                 func=func, **kwargs)
        pk_type = "integer" if self.datamodel.is_integer(self.datamodel.get_pk_name()) \
            else "string"
        for operation in (operations or {}).values():
            for answer in operation.get("responses", {}).values():
                schema = answer.get("content", {}).get("application/json", {}).get("schema", {}) \
                    if isinstance(answer, dict) else {}
                props = schema.get("properties", {}) if isinstance(schema, dict) else {}
                if isinstance(props.get("ids"), dict):
                    props["ids"]["items"] = {"type": pk_type}
                if isinstance(props.get("id"), dict):
                    props["id"]["type"] = pk_type
                for name in ("add_columns", "edit_columns"):  # _info answers lists
                    if isinstance(props.get(name), dict):
                        props[name] = {"type": "array", "items": {"type": "object"},
                                       "description": "The form fields, in order"}

    def _rejected(self, exc: RecordRejected):
        return self.response_422(message=exc.as_messages())

    def post_headless(self):
        """POST: 201 with the new row; 400 not JSON; 422 invalid or refused."""
        if not request.is_json:
            return self.response_400(message=_("The request body is not JSON."))
        try:
            item = self.add_model_schema.load(request.json)
        except ValidationError as err:
            return self.response_422(message=translate_messages(err.messages))
        self.pre_add(item)
        try:
            self.datamodel.add(item)
        except RecordRejected as exc:
            return self._rejected(exc)
        self.post_add(item)
        return self.response(
            201,
            **{
                API_RESULT_RES_KEY: self.add_model_schema.dump(item, many=False),
                "id": self.datamodel.get_pk_value(item),
            },
        )

    def put_headless(self, pk):
        """PUT: 200 with the row; 404 out of scope; 422 invalid or refused."""
        if not request.is_json:
            return self.response_400(message=_("The request body is not JSON."))
        item = self.datamodel.get(pk, self._base_filters)
        if not item:
            return self.response_404()
        if not isinstance(request.json, dict):
            return self.response_400(message=_("The request body is not a JSON object."))
        try:
            data = self._merge_update_item(item, dict(request.json))
            item = self.edit_model_schema.load(data, instance=item)
        except ValidationError as err:
            return self.response_422(message=translate_messages(err.messages))
        try:
            self.pre_update(item)  # may refuse the change: RecordRejected, a 422
            self.datamodel.edit(item)
        except RecordRejected as exc:
            return self._rejected(exc)
        self.post_update(item)
        return self.response(
            200, **{API_RESULT_RES_KEY: self.edit_model_schema.dump(item, many=False)}
        )

    def delete_headless(self, pk):
        """DELETE: 200; 404 out of scope; 422 refused (e.g. rows still refer to it)."""
        item = self.datamodel.get(pk, self._base_filters)
        if not item:
            return self.response_404()
        self.pre_delete(item)
        try:
            self.datamodel.delete(item)
        except RecordRejected as exc:
            return self._rejected(exc)
        self.post_delete(item)
        return self.response(200, message="OK")
