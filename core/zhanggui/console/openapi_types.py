"""Money and other decimals in the OpenAPI document as the API really sends them.

Marshmallow's ``Decimal(as_string=True)`` answers ``"1299.00"``, but apispec declares
every ``Decimal`` a ``number`` and writes a range validator's bounds through the
field, as strings: clients that trust the document (and schemathesis) then find
every amount "wrong".  One attribute function on the document's marshmallow
converter declares string decimals as ``type: string, format: decimal`` (their
bounds as ``x-minimum``/``x-maximum``) and turns numeric bounds back into numbers.

Error answers: Flask-AppBuilder declares every error's ``message`` a string, but a
refused body answers its field messages as an object (``{"name": ["..."]}``).  The
shared error responses are registered first, with ``message`` either.
"""
from __future__ import annotations

from decimal import Decimal

from marshmallow import fields


def decimal_properties(self, field, ret, **kwargs):
    if not isinstance(field, fields.Decimal):
        return {}
    if field.as_string:
        ret["type"], ret["format"] = "string", "decimal"
        for bound in ("minimum", "maximum"):
            if bound in ret:
                ret[f"x-{bound}"] = str(ret.pop(bound))
    else:
        for bound in ("minimum", "maximum"):
            if isinstance(ret.get(bound), (str, Decimal)):
                ret[bound] = float(ret[bound])
    return {}


#: an error answer's ``message``: a sentence, or field messages by field name
ERROR_MESSAGE = {"oneOf": [
    {"type": "string"},
    {"type": "object", "description": "Messages by field name",
     "additionalProperties": True},
]}
ERRORS = {"400": "Bad request", "401": "Unauthorized", "403": "Forbidden",
          "404": "Not found", "422": "Could not process entity", "500": "Fatal error"}


def error_responses() -> dict[str, dict]:
    return {code: {"description": text, "content": {"application/json": {"schema": {
        "type": "object", "properties": {"message": ERROR_MESSAGE}}}}}
        for code, text in ERRORS.items()}


def install() -> None:
    """Wrap the document builder of Flask-AppBuilder's ``/api/<version>/_openapi``."""
    from flask_appbuilder.api.manager import OpenApi

    if getattr(OpenApi, "_zhanggui_decimals", False):
        return
    build = OpenApi._create_api_spec

    def create_api_spec(version):
        spec = build(version)
        for code, answer in error_responses().items():
            spec.components.response(code, answer)
        for plugin in spec.plugins:
            converter = getattr(plugin, "converter", None)
            if converter is not None:
                converter.add_attribute_function(decimal_properties)
        return spec

    OpenApi._create_api_spec = staticmethod(create_api_spec)
    OpenApi._zhanggui_decimals = True
