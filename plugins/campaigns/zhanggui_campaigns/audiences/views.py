"""The audience screen: conditions as JSON with a live count beside them."""
from __future__ import annotations

import json

from flask import g, jsonify, request
from flask_appbuilder import expose, has_access
from flask_appbuilder.security.decorators import permission_name
from wtforms import validators

from zhanggui import _, _l, utcnow
from zhanggui.console.datamodel import ModelView, PeeweeInterface

from .definition import AudienceError, count, criteria_by_name, parse
from .models import Audience

EXAMPLE = ('{"all": [{"criterion": "members.lifecycle", "value": ["active"]}, '
           '{"any": [{"criterion": "members.value_group", "value": ["loyal"]}, '
           '{"criterion": "members.rfm", "op": ">=", "value": 12}]}]}')


def _valid_definition(form, field):
    try:
        parse(field.data)
    except AudienceError as exc:
        raise validators.ValidationError(
            " ".join(f"{where}: {' '.join(msgs)}" for where, msgs in exc.errors.items())) \
            from None


class AudienceView(ModelView):
    datamodel = PeeweeInterface(Audience)
    list_title = _l("Audiences")
    add_title = _l("Add audience")
    edit_title = _l("Edit audience")
    show_title = _l("Audience")
    base_permissions = ["can_list", "can_show", "can_add", "can_edit", "can_count"]
    list_columns = ["name", "last_count", "counted_at", "created_by"]
    add_columns = edit_columns = ["name", "description", "definition"]
    show_columns = ["name", "description", "definition", "last_count", "counted_at",
                    "created_by", "created_at"]
    search_columns = ["name"]
    order_columns = ["name", "last_count", "counted_at"]
    validators_columns = {"definition": [_valid_definition]}
    add_template = "campaigns/audience_add.html"
    edit_template = "campaigns/audience_edit.html"

    description_columns = {"definition": _l(
        "Conditions as JSON, nested with \"all\" (and), \"any\" (or) and \"not\". "
        "Example: %(example)s The conditions on offer are listed below the form.",
        example=EXAMPLE)}

    def _store(self, item):
        tree = parse(item.definition)
        item.definition = json.dumps(tree, ensure_ascii=False)
        item.last_count, item.counted_at = count(tree), utcnow()

    def pre_add(self, item):
        item.created_by = getattr(getattr(g, "user", None), "username", "") or ""
        self._store(item)

    def pre_update(self, item):
        self._store(item)

    @expose("/criteria/", methods=["GET"])
    @has_access
    @permission_name("count")
    def criteria(self):
        """The conditions every installed plugin offers (JSON, for the editor)."""
        return jsonify(criteria=[
            {"name": c.name, "label": str(c.label), "kind": c.kind,
             "operators": list(c.operators),
             "choices": [[code, str(label)] for code, label in c.choices()]
             if c.choices else None}
            for c in criteria_by_name().values()])

    @expose("/count/", methods=["POST"])
    @has_access
    @permission_name("count")
    def count_now(self):
        """The live count shown while editing (JSON)."""
        try:
            tree = parse(request.form.get("definition", ""))
        except AudienceError as exc:
            return jsonify(errors=exc.errors), 422
        return jsonify(count=count(tree))
