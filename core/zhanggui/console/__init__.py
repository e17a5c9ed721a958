"""The web console and REST API on Flask-AppBuilder.

Flask-AppBuilder keeps its users, roles and permissions in its own SQLAlchemy
session against the same database; everything else is peewee, reached through
:mod:`zhanggui.console.datamodel`.  Plugins add screens and APIs by hook; a disabled
plugin adds nothing, so its screens disappear.
"""
from __future__ import annotations

from typing import Any

from flask import Flask
from flask_appbuilder import AppBuilder
from flask_appbuilder.models.sqla.base import SQLA

from ..i18n import install_catalogs, install_locale_choice

CORE_PERMISSION_VIEW = "Zhanggui"


def init_console(app: Flask, state) -> AppBuilder:
    """Build the console; called by ``create_app`` inside an application context."""
    from .auth import ZhangguiSecurityManager
    from .views import PluginsView

    _shared_rate_limit_storage(app, state.settings)
    sqla = SQLA()
    sqla.init_app(app)
    appbuilder = AppBuilder(update_perms=False, security_manager_class=ZhangguiSecurityManager)
    appbuilder.init_app(app, sqla.session)
    install_locale_choice(app)
    install_catalogs(app)
    state.appbuilder = appbuilder
    app.extensions["zhanggui.sqla"] = sqla
    from .seccache import install as install_security_cache

    install_security_cache(app, sqla.session)

    appbuilder.add_view(PluginsView, "Plugins", label=_label("Plugins"),
                        category="Security", category_label=_label("Security"),
                        icon="fa-puzzle-piece")
    for view in state.plugins.admin_views():
        if view.label is None:
            appbuilder.add_view_no_menu(view.view)
        else:
            appbuilder.add_view(view.view, view.name, label=view.label,
                                category=view.category, icon=view.icon,
                                category_label=view.category_label or view.category,
                                category_icon=view.category_icon)
    from ..apiaction import prepare_api_class

    for endpoint in state.plugins.api_endpoints():
        prepare_api_class(endpoint.api)
        appbuilder.add_api(endpoint.api)
    from .menu_api import MenuApi

    appbuilder.add_api(MenuApi)  # instead of Flask-AppBuilder's (FAB_ADD_MENU_API off)
    # after every view and API exists: CSRF for forms and session-cookie API calls,
    # and audited data access for every peewee screen and API (console/auth.py, auditing.py)
    from .auditing import instrument
    from .auth import install as install_auth

    from .actions import install as install_actions
    from .error_pages import install as install_error_pages
    from .offline import install as install_offline

    from .input_guards import install as install_input_guards

    install_input_guards(app)  # before the CSRF check, which reads the body
    from .login_limit import install as install_login_limit

    install_login_limit(app, state.settings["LOGIN_RATE_LIMIT"],
                        state.settings["LOGIN_ACCOUNT_RATE_LIMIT"])
    install_auth(app, appbuilder)
    install_actions(app, appbuilder)
    install_offline(app)
    install_error_pages(app, appbuilder)
    from .openapi_types import install as install_openapi_types

    install_openapi_types()
    instrument(appbuilder)
    return appbuilder


def _shared_rate_limit_storage(app: Flask, settings: dict) -> None:
    """Count sign-in attempts in the queue's Redis when the queue is on Redis, so that
    every gunicorn worker and host shares one count (in memory, each worker would
    allow the limit again).  An explicit ``RATELIMIT_STORAGE_URI`` wins."""
    queue = str(settings.get("QUEUE_URL") or "")
    explicit = "RATELIMIT_STORAGE_URI" in (settings.get("EXTRA") or {})
    if queue.startswith(("redis://", "rediss://")) and not explicit:
        app.config["RATELIMIT_STORAGE_URI"] = queue


def _label(text: str) -> Any:
    from flask_babel import lazy_gettext

    return lazy_gettext(text)


def sync_security(app: Flask) -> None:
    """Create the security tables, every view's permissions, the plugins' own
    permissions and the default roles with their grants.  Idempotent; run by
    ``zhanggui migrate``."""
    from .security import sync_roles

    appbuilder = app.extensions["zhanggui"].appbuilder
    sm = appbuilder.sm
    sm._create_db()  # creates tables only where missing
    sync_roles(app)  # views' permissions, plugin permissions and role grants, one commit
