"""Money and other decimals in the OpenAPI document as the API really sends them.

Marshmallow's ``Decimal(as_string=True)`` answers ``"1299.00"``, but apispec declares
every ``Decimal`` a ``number`` and writes a range validator's bounds through the
field, as strings: clients that trust the document (and schemathesis) then find
every amount "wrong".  One attribute function on the document's marshmallow
converter declares string decimals as ``type: string, format: decimal`` (their
bounds as ``x-minimum``/``x-maximum``) and turns numeric bounds back into numbers.
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


def install() -> None:
    """Wrap the document builder of Flask-AppBuilder's ``/api/<version>/_openapi``."""
    from flask_appbuilder.api.manager import OpenApi

    if getattr(OpenApi, "_zhanggui_decimals", False):
        return
    build = OpenApi._create_api_spec

    def create_api_spec(version):
        spec = build(version)
        for plugin in spec.plugins:
            converter = getattr(plugin, "converter", None)
            if converter is not None:
                converter.add_attribute_function(decimal_properties)
        return spec

    OpenApi._create_api_spec = staticmethod(create_api_spec)
    OpenApi._zhanggui_decimals = True
