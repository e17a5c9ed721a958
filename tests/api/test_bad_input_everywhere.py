"""NUL characters, lone surrogates, megabyte strings, nested arrays and impossible dates
in every writable field of every JSON endpoint and every console form answer with a
message on the field (a 4xx from the API, the form shown again in the console) and
write nothing.

Nothing here names an endpoint or a form: the JSON endpoints and their fields come
from the request-body schemas of the OpenAPI document, the forms from the add and
edit forms of the registered console views.  "Nothing written" is the row count of
every table before and after (the audit log, which records attempts, aside).
"""
from __future__ import annotations

import copy
import datetime as dt
import json

import pytest
from flask_appbuilder import ModelView as FABModelView
from wtforms import DateField, DateTimeField, StringField, TextAreaField

NUL = "a\x00b"
SURROGATE = "a\ud800b"
HUGE = "x" * 1_000_000
NESTED = [[["x"]]]
BAD_DATES = ["0001-01-01T00:00:00+14:00", "99999-12-31T00:00:00+00:00"]
#: operations that take no body at all, with the reason
NO_BODY = {
    "POST /api/v1/security/refresh": "takes the refresh token from the header",
    "POST /api/v1/campaigns/{campaign_id}/launch": "launches the campaign as configured",
    "POST /api/v1/contracts/{pk}/submit": "sends the contract as it stands",
    "POST /api/v1/expenses/claims/{pk}/submit": "sends the claim as it stands",
    "POST /api/v1/settlement_statements/{pk}/review": "marks the statement reviewed",
    "POST /api/v1/settlement_statements/{pk}/approve": "the statement as generated",
    "POST /api/v1/settlement_statements/{pk}/reject": "the statement as generated",
}
AUDIT_TABLE = "zhanggui_audit_log"


# ------------------------------------------------------------------ the database
def row_counts(app) -> dict[str, int]:
    from zhanggui import database

    with app.app_context():
        database.connect(reuse_if_open=True)
        counts = {}
        for table in sorted(database.get_tables()):
            if table != AUDIT_TABLE:
                counts[table] = database.execute_sql(
                    f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
        return counts


def _changed(before, after) -> dict[str, tuple[int, int]]:
    return {t: (before.get(t), after.get(t)) for t in set(before) | set(after)
            if before.get(t) != after.get(t)}


# ------------------------------------------------------------ the OpenAPI document
def _resolve(document, schema):
    """``schema`` with references followed (``allOf``/``anyOf``/``oneOf``: the first
    choice that is not null)."""
    while isinstance(schema, dict):
        if "$ref" in schema:
            node = document
            for part in schema["$ref"].lstrip("#/").split("/"):
                node = node[part]
            schema = node
            continue
        choices = schema.get("allOf") or schema.get("anyOf") or schema.get("oneOf")
        if choices:
            schema = next((c for c in choices if c.get("type") != "null"), choices[0])
            continue
        break
    return schema or {}


def _base(document, schema):
    """A plausible value of ``schema`` (its example, first choice, or by type)."""
    schema = _resolve(document, schema)
    if "example" in schema:
        return schema["example"]
    if schema.get("enum"):
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        return {name: _base(document, sub)
                for name, sub in schema.get("properties", {}).items()
                if not _resolve(document, sub).get("readOnly")}
    if kind == "array":
        return [_base(document, schema.get("items", {}))]
    if kind == "integer":
        return 1
    if kind == "number":
        return 1
    if kind == "boolean":
        return False
    if schema.get("format") == "date-time":
        return "2025-11-11T10:30:00+08:00"
    if schema.get("format") == "date":
        return "2025-11-11"
    return "A1"


def _fields(document, schema, path=()):
    """``(path, schema)`` of every writable leaf field, through objects and lists."""
    schema = _resolve(document, schema)
    if schema.get("readOnly"):
        return
    if schema.get("type") == "object" or "properties" in schema:
        for name, sub in schema.get("properties", {}).items():
            yield from _fields(document, sub, path + (name,))
    elif schema.get("type") == "array":
        yield from _fields(document, schema.get("items", {}), path + (0,))
    elif path:
        yield path, schema


def _bad_values(schema):
    kind = schema.get("type")
    values = [NESTED]
    if kind in ("integer", "number"):
        values += [10**30, "1\x00"]
    elif kind == "boolean":
        values += ["\x00"]
    else:
        values += [NUL, SURROGATE, HUGE]
        if schema.get("format") in ("date-time", "date"):
            values += BAD_DATES
    return values


def _put(body, path, value):
    node = body
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value


def json_operations(document):
    """``(label, path, method, body schema or None, is_sign_in)`` of every operation
    that takes a body."""
    for url, operations in sorted(document["paths"].items()):
        for method, operation in sorted(operations.items()):
            if method not in ("post", "put", "patch"):
                continue
            content = operation.get("requestBody", {}).get("content", {})
            schema = content.get("application/json", {}).get("schema")
            yield (f"{method.upper()} {url}", url, method, schema,
                   not operation.get("security"))  # open to all: a sign-in


def _mentions(message, path) -> bool:
    names = {str(p) for p in path if not isinstance(p, int)}
    text = json.dumps(message, ensure_ascii=False)
    return any(f'"{name}"' in text for name in names)


def _refusal_problem(response, path, sign_in) -> str | None:
    """Why ``response`` is not a refusal naming the field, or ``None`` when it is."""
    status = response.status_code
    body = response.get_json(silent=True)
    if status == 200 and isinstance(body, dict) and isinstance(body.get("results"), list):
        # a batch: each item answered on its own, as a single post would be
        for result in body["results"]:
            if not 400 <= result.get("status", 0) < 500 or \
                    not _mentions(result.get("body", {}).get("message"), path[2:]):
                return f"batch item answered {result.get('status')}: {str(result)[:300]}"
        return None
    allowed = {400, 409, 413, 422} | ({401} if sign_in else set())
    if status not in allowed:
        return f"answered {status}: {response.get_data(as_text=True)[:300]}"
    if not isinstance(body, dict) or not body.get("message"):
        return f"answered {status} without a JSON message"
    if status == 422 and not _mentions(body["message"], path):
        return f"422 does not name the field: {json.dumps(body['message'])[:300]}"
    return None


def _first_pk(app, url: str) -> str | None:
    """The smallest key of the records of the model API that serves ``url``
    (``/api/v1/contracts/{pk}/sign`` → the first contract), or ``None``."""
    from flask_appbuilder.api import ModelRestApi

    for view in app.appbuilder.baseviews:
        if isinstance(view, ModelRestApi) and \
                url.startswith(f"/api/{view.version}/{view.resource_name}/{{pk}}"):
            with app.app_context():
                model = view.datamodel.obj
                row = model.select(model._meta.primary_key).order_by(
                    model._meta.primary_key).first()
                return None if row is None else str(row.get_id())
    return None


def _fill_path(app, url: str) -> str:
    """The URL with a real record for each integer id the path names (a member, an
    event, the model API's own record), so the body reaches validation; other
    parameters stand as their names (``/pos/transactions/pos_id/refunds``)."""
    import re

    def real(match):
        name = match.group(1)
        if name == "pk":  # an action's body is checked before its record is looked up
            return _first_pk(app, url) or "1"
        with app.app_context():
            from zhanggui import database

            table = {"member_id": "members_member", "event_id": "loyalty_event"}.get(name)
            if table is not None:
                row = database.execute_sql(f"SELECT min(id) FROM {table}").fetchone()
                if row and row[0] is not None:
                    return str(row[0])
        return name

    return re.sub(r"{(\w+)}", real, url)


def _json_failures(world) -> dict[str, list[str]]:
    document = world.document
    client = world.app.test_client()
    failures: dict[str, list[str]] = {}
    for label, url, method, schema, sign_in in json_operations(document):
        if label in NO_BODY:
            continue
        problems = failures.setdefault(label, [])
        fields = list(_fields(document, schema)) if schema else []
        if not fields:
            problems.append("the document declares no fields for its request body")
            continue
        target = _fill_path(world.app, url)
        base = _base(document, schema)
        before = row_counts(world.app)
        for path, field_schema in fields:
            for value in _bad_values(field_schema):
                body = copy.deepcopy(base)
                _put(body, path, value)
                response = client.open(target, method=method.upper(),
                                       data=json.dumps(body), headers={
                                           **world.auth["jwt"],
                                           "Content-Type": "application/json"})
                problem = _refusal_problem(response, path, sign_in)
                if problem:
                    shown = repr(value)[:40]
                    problems.append(f"{'.'.join(map(str, path))} = {shown}: {problem}")
        changed = _changed(before, row_counts(world.app))
        if changed:
            problems.append(f"rows written: {changed}")
    return {label: problems for label, problems in failures.items() if problems}


_RESULTS: dict[str, dict[str, list[str]]] = {}


def _cached_json_failures(world):
    if "json" not in _RESULTS:
        _RESULTS["json"] = _json_failures(world)
    return _RESULTS["json"]


def _report(failures) -> str:
    text = "\n\n".join(f"{label}\n  " + "\n  ".join(problems[:12])
                       for label, problems in sorted(failures.items()))
    # an answer may echo a lone surrogate back: keep the report printable
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def test_the_document_offers_json_endpoints_to_check(api_world):
    labels = [label for label, *_ in json_operations(api_world.document)]
    assert "POST /api/v1/pos/transactions" in labels and len(labels) >= 5


def test_every_json_field_refuses_bad_input_and_nothing_is_written(api_world):
    failures = _cached_json_failures(api_world)
    assert not failures, _report(failures)


def test_the_basket_preview_declares_the_body_it_validates(api_world):
    operation = api_world.document["paths"]["/api/v1/loyalty/preview"]["post"]
    fields = {".".join(map(str, path)) for path, _schema in _fields(
        api_world.document, operation["requestBody"]["content"]["application/json"]["schema"])}
    assert fields >= {"lines.0.amount", "lines.0.sku", "lines.0.category",
                      "payments.0.method", "member.phone", "tier", "occurred_at"}
    failures = _cached_json_failures(api_world)
    assert "POST /api/v1/loyalty/preview" not in failures, _report(failures)


# ----------------------------------------------------------------- console forms
def console_forms(app):
    """``(view, kind, url, form class)`` of every registered add and edit form."""
    from zhanggui.console.datamodel import ModelView

    for view in app.appbuilder.baseviews:
        if not isinstance(view, FABModelView):
            continue
        routes = view.include_route_methods
        for kind in ("add", "edit"):
            if routes is not None and kind not in routes:
                continue
            if f"can_{kind}" not in (view.base_permissions or [f"can_{kind}"]):
                continue
            form = view.add_form if kind == "add" else view.edit_form
            if form is None:
                continue
            yield view, kind, form, isinstance(view, ModelView)


def _form_values(view, kind, form_class, app):
    """The fields' names and types, and an existing record's pk for an edit form."""
    pk = None
    with app.test_request_context():
        if kind == "edit":
            count, items = view.datamodel.query(page=0, page_size=1)
            if not items:
                return None, None
            pk = view.datamodel.get_pk_value(items[0])
        form = form_class()
        fields = {name: field for name, field in form._fields.items() if name != "csrf_token"}
    return fields, pk


def _bad_form_posts(fields):
    text = [n for n, f in fields.items() if isinstance(f, (StringField, TextAreaField))
            and not isinstance(f, (DateField, DateTimeField))]
    dates = [n for n, f in fields.items() if isinstance(f, (DateField, DateTimeField))]
    posts = []
    if text:
        posts.append(("NUL", {n: NUL for n in text}, text))
        posts.append(("1 MB", {n: HUGE for n in text}, text))
    if dates:
        for value in ("0001-01-01 00:00:00", "10000-01-01", "2025-13-45"):
            posts.append((value, {n: value for n in dates}, dates))
    return posts


def test_every_console_form_refuses_bad_input_and_nothing_is_written(api_world):
    from zhanggui.testing import _csrf_token

    app, browser = api_world.app, api_world.browser
    failures = []
    checked = 0
    for view, kind, form_class, _ours in console_forms(app):
        fields, pk = _form_values(view, kind, form_class, app)
        if not fields:
            continue
        url = f"{view.route_base}/{kind}" + (f"/{pk}" if pk is not None else "")
        page = browser.get(url)
        if page.status_code != 200:
            continue  # a form the admin does not open (e.g. a screen of its own)
        token = _csrf_token(page.get_data(as_text=True))
        before = row_counts(app)
        for name, data, targets in _bad_form_posts(fields):
            checked += 1
            response = browser.post(url, data={"csrf_token": token, **data})
            where = f"{type(view).__name__} {kind} ({name} in {', '.join(targets)})"
            if response.status_code >= 500 or response.status_code in (301, 302, 303):
                failures.append(f"{where}: answered {response.status_code}")
                continue
            shown = response.get_data(as_text=True)
            if response.status_code == 200 and "has-error" not in shown and \
                    "help-block" not in shown and "alert-danger" not in shown:
                failures.append(f"{where}: the form shows no message")
        changed = _changed(before, row_counts(app))
        if changed:
            failures.append(f"{type(view).__name__} {kind}: rows written {changed}")
    assert checked > 10
    assert not failures, "\n".join(failures)
