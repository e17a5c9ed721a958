"""API actions: endpoints beyond CRUD, with declared request and response schemas.

    from marshmallow import Schema, fields
    from zhanggui import ApiError, api_action
    from zhanggui.console.datamodel import ModelRestApi, PeeweeInterface

    class RedeemIn(Schema):
        amount = fields.Decimal(required=True, places=2, as_string=True)

    class GiftCardApi(ModelRestApi):
        resource_name = "giftcards"
        datamodel = PeeweeInterface(GiftCard)

        @api_action("/<code>/redeem", methods=["POST"], request=RedeemIn,
                    response=CardOut, permission="redeem")
        def redeem(self, code, data):
            \"\"\"Spend from a card.\"\"\"
            if ...:
                raise ApiError(409, "insufficient_balance", _("Not enough on the card."))
            return {"code": code, "balance": ...}

One declaration does everything:

* the route (``/api/v1/<resource_name>/<code>/redeem``), with Flask-AppBuilder's
  authentication (JWT, API key, or the console session plus its CSRF token);
* the permission ``can_<permission> on <API class name>`` (``can_redeem on
  GiftCardApi``), created by ``zhanggui migrate``, held by Head-office admin and
  granted to other roles with a ``RoleGrant``.  ``permission`` defaults to the
  method's name;
* validation: the JSON body (query string for GET and DELETE) is loaded with
  ``request``; a body that is not a JSON object answers 400, invalid fields 422
  ``{"message": {field: [messages]}}`` in the caller's language, and the method never
  runs.  The method gets the loaded data as ``data``, path variables by name;
* the answer: the method returns a dict (or ``(dict, status)``), dumped with
  ``response`` when given, answered with ``status`` (default 200).  Any key is fine,
  ``code`` included.  :class:`ApiError` answers ``{"code", "message"}`` with its
  status;
* the OpenAPI document: the summary (first docstring line), the schemas as
  components, the request body or query parameters, and the answers.
"""
from __future__ import annotations

import functools
from typing import Any, Callable

from flask import Response, jsonify, make_response, request

STATUS_TEXT = {200: "OK", 201: "Created", 202: "Accepted", 204: "No content"}


class ApiError(Exception):
    """An answer other than success: ``ApiError(409, "insufficient_balance", msg)``
    answers ``{"code": "insufficient_balance", "message": msg}`` with status 409."""

    def __init__(self, status: int, code: str, message: Any = ""):
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message = status, code, message

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message}


def json_response(data: Any, status: int = 200) -> Response:
    """A JSON answer from any dict (keys such as ``code`` included; ``Decimal`` as a
    string); use it where Flask-AppBuilder's ``self.response(status, **kwargs)`` would
    take ``code`` for the status."""
    return make_response(jsonify(data), status)


def api_action(url: str, methods: list[str] | tuple[str, ...] = ("POST",), *,
               request: type | None = None, response: type | None = None,
               status: int = 200, permission: str | None = None,
               errors: dict[int, str] | None = None) -> Callable:
    """Declare an API endpoint on a ``BaseApi``/``ModelRestApi`` (see the module doc).

    ``errors`` adds documented error answers (``{409: "Not enough on the card"}``).
    """
    from flask_appbuilder.api import expose
    from flask_appbuilder.security.decorators import permission_name, protect

    request_schema, response_schema = request, response
    methods = [m.upper() for m in methods]

    def decorate(func: Callable) -> Callable:
        perm = permission or func.__name__

        @functools.wraps(func)
        def handler(self, **path):
            from .console.datamodel.messages import translate_messages
            from .i18n import _

            try:
                if request_schema is not None:
                    from marshmallow import ValidationError

                    if methods[0] in ("GET", "DELETE"):
                        raw: Any = _args()
                    else:
                        raw = _json_body()
                        if not isinstance(raw, dict):
                            return json_response({"code": "invalid", "message": _(
                                "The request body must be a JSON object.")}, 400)
                    try:
                        path["data"] = request_schema().load(raw)
                    except ValidationError as err:
                        return json_response({"code": "invalid", "message":
                                              translate_messages(err.messages)}, 422)
                result = func(self, **path)
            except ApiError as exc:
                return json_response(exc.as_dict(), exc.status)
            if isinstance(result, Response):
                return result
            answer_status = status
            if isinstance(result, tuple):
                result, answer_status = result
            if response_schema is not None:
                result = response_schema().dump(result)
            return json_response(result, answer_status)

        handler.__doc__ = _openapi_doc(func, methods, request_schema, response_schema,
                                       status, errors or {}, url)
        handler._zhanggui_schemas = tuple(s for s in (request_schema, response_schema) if s)
        handler._zhanggui_permission = perm
        return expose(url, methods=methods)(protect()(permission_name(perm)(handler)))

    return decorate


def _args() -> dict[str, Any]:
    return {k: v for k, v in request.args.items() if k != "lang"}


def _json_body() -> Any:
    return request.get_json(silent=True)


#: werkzeug converters of a route's variables, as OpenAPI types
_PATH_TYPES = {"int": "integer", "float": "number"}


def _path_parameters(url: str) -> list[dict[str, Any]]:
    """Every ``<name>`` / ``<converter:name>`` of the route, declared as a required path
    parameter (OpenAPI requires each one the path names)."""
    import re

    found = []
    for converter, name in re.findall(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>", url):
        found.append({"in": "path", "name": name, "required": True,
                      "schema": {"type": _PATH_TYPES.get(converter, "string")}})
    return found


def _openapi_doc(func, methods, request_schema, response_schema, status, errors,
                 url: str = "") -> str:
    import yaml

    doc = (func.__doc__ or func.__name__.replace("_", " ")).strip()
    summary = doc.splitlines()[0]
    spec: dict[str, Any] = {"summary": summary}
    if "\n" in doc:
        spec["description"] = doc.split("\n", 1)[1].strip()
    answers: dict[Any, Any] = {}
    ok: dict[str, Any] = {"description": STATUS_TEXT.get(status, "OK")}
    if response_schema is not None:
        ok["content"] = {"application/json": {"schema": {
            "$ref": f"#/components/schemas/{response_schema.__name__}"}}}
    answers[status] = ok
    parameters = _path_parameters(url)
    if parameters:
        spec["parameters"] = parameters
    if request_schema is not None:
        ref = {"$ref": f"#/components/schemas/{request_schema.__name__}"}
        if methods[0] in ("GET", "DELETE"):
            # a class path: apispec expands it into one query parameter per field
            spec["parameters"] = parameters + [{"in": "query", "schema": (
                f"{request_schema.__module__}.{request_schema.__name__}")}]
        else:
            spec["requestBody"] = {"required": True,
                                   "content": {"application/json": {"schema": ref}}}
            answers[400] = {"description": "The body is not a JSON object"}
        answers[422] = {"description": "Invalid fields: {\"message\": {field: [messages]}}"}
    for code, text in errors.items():
        answers[code] = {"description": text}
    answers[401] = {"$ref": "#/components/responses/401"}
    answers[403] = {"$ref": "#/components/responses/403"}
    spec["responses"] = answers
    return doc + "\n---\n" + yaml.safe_dump({m.lower(): spec for m in methods},
                                            sort_keys=False, allow_unicode=True)


def prepare_api_class(api: type) -> None:
    """Add the schemas of the class's API actions to its OpenAPI components (called
    by the console before the API is registered)."""
    schemas = list(api.openapi_spec_component_schemas or ())
    renamed = dict(api.method_permission_name or {})
    for name in dir(api):
        action = getattr(api, name, None)
        for schema in getattr(action, "_zhanggui_schemas", ()):
            if schema not in schemas:
                schemas.append(schema)
        if renamed and hasattr(action, "_zhanggui_permission"):
            renamed.setdefault(name, action._zhanggui_permission)
    api.openapi_spec_component_schemas = tuple(schemas)
    if renamed:
        api.method_permission_name = renamed
