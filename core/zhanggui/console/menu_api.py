"""``GET /api/v1/menu/``: Flask-AppBuilder's menu API, documented as it answers.

The menu groups its entries with separators, which the API sends as the string
``"-"`` among the entry objects; Flask-AppBuilder's own document declares only
objects.  Same class name, so the permission (``can_get on MenuApi``) is unchanged.
"""
from __future__ import annotations

from flask import current_app
from flask_appbuilder.api import expose
from flask_appbuilder.menu import MenuApi as FABMenuApi
from flask_appbuilder.security.decorators import permission_name, protect

_ENTRY = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "description": "The internal menu item name"},
        "label": {"type": "string", "description": "The menu item's label, translated"},
        "icon": {"type": "string", "nullable": True},
        "url": {"type": "string"},
        "childs": {"type": "array", "items": {"oneOf": [
            {"$ref": "#/components/schemas/MenuEntry"},
            {"$ref": "#/components/schemas/MenuSeparator"}]}},
    },
}
_SEPARATOR = {"type": "string", "enum": ["-"],
              "description": "A separator between groups of entries"}


class MenuApi(FABMenuApi):
    """The menu the signed-in user may reach, separators declared."""

    def add_apispec_components(self, api_spec) -> None:
        super().add_apispec_components(api_spec)
        for name, schema in (("MenuEntry", _ENTRY), ("MenuSeparator", _SEPARATOR)):
            if name not in api_spec.components.schemas:
                api_spec.components.schema(name, schema)

    @expose("/", methods=["GET"])
    @protect(allow_browser_login=True)
    @permission_name("get")
    def get_menu_data(self):
        """The menu the user may reach, as a forest.
        ---
        get:
          description: >-
            The menu the user has access to: entries with a url, or with childs
            (entries and "-" separators).
          responses:
            200:
              description: The menu
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      result:
                        type: array
                        items:
                          oneOf:
                          - $ref: '#/components/schemas/MenuEntry'
                          - $ref: '#/components/schemas/MenuSeparator'
            401:
              $ref: '#/components/responses/401'
        """
        return self.response(200, result=current_app.appbuilder.menu.get_data())
