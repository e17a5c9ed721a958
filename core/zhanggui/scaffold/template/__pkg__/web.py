"""The console screen and the REST API of the $name plugin (thin)."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from zhanggui import ApiError, _, _l, api_action
from zhanggui.console.datamodel import ModelRestApi, ModelView, PeeweeInterface

from .models import $Model


class ${Model}View(ModelView):
    datamodel = PeeweeInterface($Model)
    list_title = _l("$title notes")
    list_columns = ["title", "member", "created_at"]
    add_columns = edit_columns = ["title", "member"]


class RenameIn(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))


class NoteOut(Schema):
    id = fields.Integer()
    title = fields.String()


class ${Model}Api(ModelRestApi):
    resource_name = "${name}_notes"
    datamodel = PeeweeInterface($Model)
    list_columns = show_columns = ["id", "title", "member_id", "created_at"]

    @api_action("/<int:pk>/rename", request=RenameIn, response=NoteOut,
                errors={404: "No such note"})
    def rename(self, pk, data):
        """Give a note another title."""
        note = $Model.get_or_none($Model.id == pk)
        if note is None:
            raise ApiError(404, "not_found", _("No such note."))
        note.title = data["title"]
        note.save()
        return note
