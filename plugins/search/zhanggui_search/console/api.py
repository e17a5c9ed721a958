"""``GET /api/v1/search/?q=``: the same search for apps and the call-center client."""
from __future__ import annotations

from flask_appbuilder.api import BaseApi
from marshmallow import Schema, fields, validate

from zhanggui import _l, api_action

from ..querying import MAX_QUERY, current_scope, search


class SearchQuery(Schema):
    q = fields.String(required=True, validate=validate.Length(min=1, max=MAX_QUERY),
                      metadata={"description": "Words, pinyin, initials, a card number "
                                               "or a phone's last four digits"})
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))
    type = fields.String(load_default=None, validate=validate.Length(max=100),
                         metadata={"description": "Only this source (e.g. members.members)"})


class SearchHit(Schema):
    type = fields.String(attribute="source")
    key = fields.String()
    title = fields.String()
    body = fields.String()
    url = fields.String()
    score = fields.Float()


class SearchResults(Schema):
    query = fields.String()
    count = fields.Integer()
    results = fields.List(fields.Nested(SearchHit))


class SearchApi(BaseApi):
    resource_name = "search"
    openapi_spec_tag = "Search"
    allow_browser_login = True

    @api_action("/", methods=["GET"], request=SearchQuery, response=SearchResults,
                permission="query")
    def query(self, data):
        """Full-text search over the records the caller may open."""
        only = [data["type"]] if data.get("type") else None
        hits = search(data["q"], current_scope(), limit=data["limit"], only=only)
        return {"query": data["q"], "count": len(hits), "results": hits}


API_TITLE = _l("Search")
