"""``POST /api/v1/members/merges``: fold one member into another.

Body ``{"source": <member id>, "target": <member id>}``.  201 with the merge record;
422 with field messages (``{"message": {"source": [...], "target": [...]}}``) and
nothing changed for a member that does not exist, is erased or already merged, is
outside the caller's stores, or is the other one; 403 without ``members.merge``.
Authentication as for the rest of the API (JWT or API key).
"""
from __future__ import annotations

from flask_appbuilder.api import BaseApi, expose
from flask_appbuilder.security.decorators import permission_name, protect
from marshmallow import EXCLUDE, Schema, fields, validate

from zhanggui import _, _l, has_permission

from ..answers import json_answer as _json
from ..answers import json_object_body
from .command import MergeError, MergeMembers

MERGE_PERMISSION = "members.merge"
_MEMBER_NUMBER = {"required": _l("Give a member by its number."),
                  "null": _l("Give a member by its number."),
                  "invalid": _l("Give a member by its number.")}


class MemberMergeSchema(Schema):
    """The body of a merge; checks it and declares it in the OpenAPI document."""

    class Meta:
        unknown = EXCLUDE

    source = fields.Integer(required=True, strict=True, error_messages=_MEMBER_NUMBER,
                            validate=validate.Range(min=1, max=2**63 - 1),
                            metadata={"description": "The member folded away"})
    target = fields.Integer(required=True, strict=True, error_messages=_MEMBER_NUMBER,
                            validate=validate.Range(min=1, max=2**63 - 1),
                            metadata={"description": "The member kept"})


def merge_json(merge) -> dict:
    return {"id": merge.id, "source": merge.source_id, "target": merge.target_id,
            "merged_at": merge.merged_at.isoformat(), "merged_by": merge.merged_by_name,
            "moved": merge.moved_counts(), "fields": merge.field_names()}


class MemberMergeApi(BaseApi):
    """Merges of duplicate member records."""

    resource_name = "members"
    openapi_spec_tag = "Members"
    openapi_spec_component_schemas = (MemberMergeSchema,)

    @expose("/merges", methods=["POST"])
    @protect()
    @permission_name("merge")
    def post_merge(self):
        """Fold member ``source`` into member ``target`` in one transaction.
        ---
        post:
          summary: Merge two member records of one customer
          description: >-
            Moves the source's linked accounts, purchases (with refunds), tags and
            every plugin's records to the target, retires the source (merged_into)
            and answers 201 with the merge record. 422 with field messages, and
            nothing changed, for bad input.
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  $ref: '#/components/schemas/MemberMergeSchema'
          responses:
            201:
              description: Merged
            400:
              description: The body is not JSON
            403:
              description: The caller may not merge members
            422:
              description: Invalid; nothing changed
        """
        from zhanggui.console.scope import user_store_codes

        if not has_permission(MERGE_PERMISSION):
            return _json(403, {"message": _("You may not merge members.")})
        data, error = json_object_body()
        if error:
            return error
        problems = MemberMergeSchema().validate(data)
        if problems:
            return _json(422, {"message": {key: [str(m) for m in messages]
                                           for key, messages in problems.items()}})
        try:
            merge = MergeMembers(data["source"], data["target"],
                                 stores=user_store_codes()).run()
        except MergeError as exc:
            return _json(422, {"message": exc.messages})
        return _json(201, {"merge": merge_json(merge)})
