"""The application factory.

``create_app(config=None)`` reads the settings, loads the enabled plugins in
requirement order, points the shared peewee database at the configured URL, builds
the job queue and the Flask-AppBuilder console, and hands the finished app to every
plugin's ``zhanggui_app_ready``.  Nothing is created at import time.

Production: ``gunicorn "zhanggui.app:create_app()"`` plus ``zhanggui worker``.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import peewee
from flask import Flask

from .config import load_settings, resolve_instance
from .db import database, open_database, sqlalchemy_url
from .jobs import JobQueue
from .plugins import PluginHost

log = logging.getLogger("zhanggui")


@dataclass
class Zhanggui:
    """Per-application state, at ``app.extensions["zhanggui"]``."""

    settings: dict[str, Any]
    plugins: PluginHost
    db: peewee.Database
    queue: JobQueue
    appbuilder: Any = None


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build a Zhanggui application.

    ``config`` overrides settings (``{"DATABASE_URL": ...}``, with or without the
    ``ZHANGGUI_`` prefix) and may carry Flask or Flask-AppBuilder keys, which go to
    ``app.config`` as they are.  ``EXTRA_PLUGINS`` (a list of plugin objects with a
    ``name``) registers plugins that are not installed, for tests.
    """
    overrides = dict(config or {})
    extra_plugins = overrides.pop("EXTRA_PLUGINS", [])
    settings = load_settings(overrides)
    instance = resolve_instance(settings)

    # Flask-AppBuilder's hint to run `flask fab create-admin` is wrong for us
    logging.getLogger("flask_appbuilder.security.manager").setLevel(logging.ERROR)
    app = Flask("zhanggui", instance_path=str(instance), instance_relative_config=True)
    app.config.update(_flask_config(settings))
    app.config.update(settings["EXTRA"])

    plugins = PluginHost(enabled=settings["PLUGINS"], disabled=settings["DISABLED_PLUGINS"],
                         extra=extra_plugins, trace=settings["TRACE_HOOKS"])
    from .memberref import bind_member_refs

    bind_member_refs(m for ms in plugins.models_by_plugin().values() for m in ms)
    db = open_database(settings["DATABASE_URL"], pool_size=settings["DATABASE_POOL_SIZE"])
    database.initialize(db)
    state = Zhanggui(settings=settings, plugins=plugins, db=db, queue=None)  # type: ignore[arg-type]
    app.extensions["zhanggui"] = state
    state.queue = JobQueue(app, settings["QUEUE_URL"], plugins.jobs())

    @app.before_request
    def _open_db():
        db.connect(reuse_if_open=True)

    @app.teardown_request
    def _close_db(exc):
        if not db.is_closed():
            db.close()  # pooled: back to the pool, still open

    from .i18n import init_i18n
    init_i18n(app, plugins)
    from .console import init_console
    with app.app_context():
        init_console(app, state)
        plugins.app_ready(app)
    from .cli import register_commands
    register_commands(app)
    return app


def _flask_config(settings: dict[str, Any]) -> dict[str, Any]:
    langs = settings["LANGUAGES"]
    return {
        "SECRET_KEY": settings["SECRET_KEY"],
        "TESTING": settings["TESTING"],
        "SQLALCHEMY_DATABASE_URI": sqlalchemy_url(settings["DATABASE_URL"]),
        "SQLALCHEMY_TRACK_MODIFICATIONS": False,
        "APP_NAME": "Zhanggui",
        "SQLALCHEMY_ENGINE_OPTIONS": _engine_options(settings),
        "APP_THEME": "",
        "WTF_CSRF_ENABLED": settings["CSRF_ENABLED"],
        "AUTH_TYPE": 1,  # AUTH_DB
        "AUTH_ROLE_ADMIN": "Head-office admin",
        "AUTH_ROLE_PUBLIC": "Public",
        "AUTH_USER_REGISTRATION": False,
        # sign-ins are limited by zhanggui.console.login_limit (one count for the
        # console form and the API), not by Flask-AppBuilder's per-view limit
        "AUTH_RATE_LIMITED": False,
        "AUTH_RATE_LIMIT": settings["LOGIN_RATE_LIMIT"],
        "RATELIMIT_ENABLED": not settings["TESTING"],
        "RATELIMIT_STORAGE_URI": "memory://",
        "FAB_PASSWORD_HASH_METHOD": "scrypt",
        # An API key is 256 random bits, found by its keyed look-up hash: a stretched
        # hash protects guessable passwords, not random keys, and scrypt cost every
        # till request ~100 ms of CPU (bench/benchmarks/pos_ingest.py).  One salted
        # SHA-256 round; keys made earlier with scrypt still verify, slowly.
        "FAB_API_KEY_HASH_METHOD": "pbkdf2:sha256:1",
        "FAB_API_SWAGGER_UI": True,
        "FAB_ADD_MENU_API": False,   # zhanggui.console.menu_api documents the separators
        "MAX_CONTENT_LENGTH": settings["MAX_CONTENT_LENGTH"],
        "FAB_API_KEY_ENABLED": True,
        "FAB_ADD_SECURITY_API": False,
        "FAB_UPDATE_PERMS": False,   # permissions are synced by `zhanggui migrate`
        "FAB_CREATE_DB": False,      # security tables are created by `zhanggui migrate`
        "FAB_INDEX_VIEW": "zhanggui.console.views.DashboardView",
        "FAB_BASE_TEMPLATE": "zhanggui/baselayout.html",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "BABEL_DEFAULT_LOCALE": settings["DEFAULT_LANGUAGE"],
        "BABEL_DEFAULT_TIMEZONE": settings["TIMEZONE"],
        "LANGUAGES": {lang: {"flag": _FLAGS[lang], "name": _LANGUAGE_NAMES[lang]}
                      for lang in langs},
    }


def _engine_options(settings: dict[str, Any]) -> dict[str, Any]:
    """FAB's SQLAlchemy engine: a kept pool without a ping per checkout (a ``SELECT 1``
    before every request's first statement); connections are recycled after the
    peewee pool's stale time instead, and a dead one fails one request, not all."""
    from .db import POOL_STALE_SECONDS

    options: dict[str, Any] = {"pool_pre_ping": False, "pool_recycle": POOL_STALE_SECONDS}
    size = settings["DATABASE_POOL_SIZE"]
    if size > 0 and not str(settings["DATABASE_URL"]).startswith("sqlite"):
        # kept: the peewee pool's size; a burst may open 10 more, closed on return
        options.update(pool_size=size, max_overflow=10)
    return options


_FLAGS = {"zh_CN": "cn", "zh_TW": "tw", "en": "gb"}
_LANGUAGE_NAMES = {"zh_CN": "简体中文", "zh_TW": "繁體中文", "en": "English"}
