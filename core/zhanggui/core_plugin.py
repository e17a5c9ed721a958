"""The core's own contributions, made through the same hooks as any plugin."""
from __future__ import annotations

from flask import current_app

from .i18n import _, _l, core_translation_dir, format_decimal
from .plugins import hookimpl
from .registry import DashboardWidget, RoleGrant, WidgetData

title = _l("Core")
requires: tuple[str, ...] = ()


@hookimpl
def zhanggui_migrations():
    from .core_migrations import MIGRATIONS

    return list(MIGRATIONS)


@hookimpl
def zhanggui_translation_dirs():
    return [core_translation_dir()]


@hookimpl
def zhanggui_default_roles():
    return [RoleGrant("Auditor", ("can_list on PluginsView", "menu_access on Plugins",
                                  "menu_access on Security"))]


def _plugin_tile() -> WidgetData:
    plugins = current_app.extensions["zhanggui"].plugins.plugin_list()
    enabled = [p for p in plugins if p.enabled and not p.builtin]
    return WidgetData(value=format_decimal(len(enabled)),
                      caption=_("%(count)s installed in all", count=len(plugins) - 1))


@hookimpl
def zhanggui_dashboard_widgets():
    return [DashboardWidget(name="core.plugins", title=_l("Plugins enabled"),
                            render=_plugin_tile, order=1000)]
