"""``/search/?q=``: results grouped by type, highlighted (thin: see ``querying``)."""
from __future__ import annotations

from flask import request
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.security.decorators import permission_name

from zhanggui import _

from ..querying import MAX_QUERY, current_scope, grouped, highlight, search

PAGE = 60


class SearchView(BaseView):
    route_base = "/search"
    default_view = "index"
    base_permissions = ["can_query"]

    @expose("/")
    @has_access
    @permission_name("query")
    def index(self):
        query = (request.args.get("q") or "").strip()
        error = None
        groups = []
        if len(query) > MAX_QUERY:
            error = _("Type at most %(n)d characters.", n=MAX_QUERY)
        elif query:
            groups = grouped(search(query, current_scope(), limit=PAGE))
        return self.render_template("search/results.html", query=query, groups=groups,
                                    error=error, highlight=highlight,
                                    title=_("Search"))
