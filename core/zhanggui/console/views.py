"""The console shell: dashboard and plugin list."""
from __future__ import annotations

from flask import current_app, g, redirect, url_for
from flask_appbuilder import BaseView, IndexView, expose, has_access

from .security import has_permission


class DashboardView(IndexView):
    """The landing page: every widget the user may see, from every enabled plugin."""

    index_template = "zhanggui/dashboard.html"

    @expose("/")
    def index(self):
        user = getattr(g, "user", None)
        if user is None or not user.is_authenticated:
            return redirect(url_for(self.appbuilder.sm.auth_view.__class__.__name__ + ".login"))
        plugins = current_app.extensions["zhanggui"].plugins
        tiles = []
        for widget in plugins.dashboard_widgets():
            if widget.permission and not has_permission(widget.permission):
                continue
            tiles.append((widget, widget.render()))
        return self.render_template(self.index_template, appbuilder=self.appbuilder,
                                    tiles=tiles)


class PluginsView(BaseView):
    """Installed plugins with version, state and requirements."""

    route_base = "/plugins"
    default_view = "list"

    @expose("/")
    @has_access
    def list(self):
        plugins = current_app.extensions["zhanggui"].plugins.plugin_list()
        return self.render_template("zhanggui/plugins.html", plugins=plugins)
