"""pytest plugin for Zhanggui and its plugins (registered as ``pytest11``).

Fixtures:

* ``database_url`` – a fresh, empty database for this test: an SQLite file, or, when
  ``ZHANGGUI_TEST_DATABASE_URL`` names a PostgreSQL database, a per-worker database
  derived from it whose schema is emptied before each test.
* ``make_app(plugins=None, extra_plugins=(), config=None, migrate=True)`` – build an
  app on that database (all installed plugins unless ``plugins`` names some), with
  the queue running jobs inline and migrations applied.
* ``app``, ``client`` – an app with every installed plugin and its test client.
* ``admin_client`` – a client signed in as a head-office admin, sending the session's
  CSRF token (``X-CSRFToken``) with every request as the console's pages do.
* ``login(client, username, password)`` – sign in through the real login form.
* ``create_user(username, role, password=...)`` – a console user with one role.
* ``make_plugin(name, requires=(), **hooks)`` – a throwaway plugin object for
  ``make_app(extra_plugins=[...])``.
"""
from __future__ import annotations

import os
import re
import types
from urllib.parse import urlparse, urlunparse

import pytest

TEST_DB_ENV = "ZHANGGUI_TEST_DATABASE_URL"
ADMIN_PASSWORD = "admin-Passw0rd-for-tests"


def _worker_id(config) -> str:
    """This session's own suffix: the xdist worker and the process, so that a pytest run
    started from inside a test (a plugin's own suite) never takes its parent's database."""
    worker = getattr(config, "workerinput", {}).get("workerid", "main")
    return f"{worker}_{os.getpid()}"


def _pg_admin_conn(url: str):
    import psycopg2

    parsed = urlparse(url)
    conn = psycopg2.connect(host=parsed.hostname or "127.0.0.1", port=parsed.port or 5432,
                            user=parsed.username or "postgres", password=parsed.password,
                            dbname="postgres")
    conn.autocommit = True
    return conn


@pytest.fixture(scope="session")
def _pg_worker_database(request):
    """A PostgreSQL database for this xdist worker, created and dropped here."""
    base = os.environ.get(TEST_DB_ENV)
    if not base or not base.startswith(("postgres", "postgresql")):
        yield None
        return
    parsed = urlparse(base)
    name = f"{parsed.path.lstrip('/') or 'zhanggui_test'}_{_worker_id(request.config)}"
    name = re.sub(r"[^a-z0-9_]", "_", name.lower())
    conn = _pg_admin_conn(base)
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{name}"')
    yield urlunparse(parsed._replace(path="/" + name))
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    conn.close()


def _reset_pg(url: str) -> None:
    import psycopg2

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = _pg_admin_conn(url)
    with admin.cursor() as cur:  # idle connections of the previous test
        cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = %s AND pid <> pg_backend_pid()", (name,))
    admin.close()
    conn = psycopg2.connect(host=parsed.hostname, port=parsed.port or 5432,
                            user=parsed.username or "postgres", password=parsed.password,
                            dbname=name)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    conn.close()


@pytest.fixture
def database_url(_pg_worker_database, tmp_path) -> str:
    """A fresh, empty database for this test (see the module docstring)."""
    if _pg_worker_database:
        _reset_pg(_pg_worker_database)
        return _pg_worker_database
    return f"sqlite:///{tmp_path / 'zhanggui-test.db'}"


@pytest.fixture
def make_app(database_url, tmp_path):
    """Factory building apps on the test database; closes them afterwards."""
    from .app import create_app
    from .cli import migrate_command

    built = []

    def factory(plugins=None, extra_plugins=(), config=None, migrate=True):
        settings = {
            "DATABASE_URL": database_url,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "QUEUE_URL": "immediate://",
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "EXTRA_PLUGINS": list(extra_plugins),
        }
        if plugins is not None:
            settings["PLUGINS"] = list(plugins)
        settings.update(config or {})
        app = create_app(settings)
        built.append(app)
        if migrate:
            with app.app_context():
                result = app.test_cli_runner().invoke(migrate_command, catch_exceptions=False)
            assert result.exit_code == 0, f"migrate failed: {result.output}"
        return app

    yield factory
    for app in built:
        _close(app)


def _close(app) -> None:
    from .db import close_database

    state = app.extensions["zhanggui"]
    close_database(state.db)
    sqla = app.extensions.get("zhanggui.sqla")
    if sqla is not None:
        with app.app_context():
            sqla.session.remove()
            sqla.engine.dispose()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


def _csrf_token(html: str) -> str | None:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or \
        re.search(r'value="([^"]+)"[^>]*name="csrf_token"', html)
    return match.group(1) if match else None


@pytest.fixture
def login():
    def do_login(client, username, password):
        page = client.get("/login/")
        data = {"username": username, "password": password}
        token = _csrf_token(page.get_data(as_text=True))
        if token:
            data["csrf_token"] = token
        return client.post("/login/", data=data, follow_redirects=False)

    return do_login


@pytest.fixture
def create_user(app):
    from .users import create_user as _create

    def factory(username, role, password=ADMIN_PASSWORD, **kwargs):
        with app.app_context():
            return _create(username, password, role=role, **kwargs)

    return factory


@pytest.fixture
def admin_client(app, create_user, login):
    create_user("admin", "Head-office admin")
    client = app.test_client()
    response = login(client, "admin", ADMIN_PASSWORD)
    assert response.status_code == 302, "admin login failed"
    # like the console's own pages, send the session's CSRF token with every request, so
    # the client may call any API with its session (POST /api/v1/security/login too)
    token = _csrf_token(client.get("/apikeys/add").get_data(as_text=True))
    if token:
        client.environ_base["HTTP_X_CSRFTOKEN"] = token
    return client


@pytest.fixture
def make_plugin():
    """Build a throwaway plugin: ``make_plugin("demo", zhanggui_models=lambda: [...])``."""
    from .plugins import hookimpl

    def factory(name, requires=(), title=None, **hooks):
        plugin = types.ModuleType(f"zhanggui_test_plugin_{name}")
        plugin.name, plugin.requires = name, tuple(requires)
        plugin.title, plugin.version = title or name, "0.0.test"
        for hook_name, func in hooks.items():
            setattr(plugin, hook_name, hookimpl(func))
        return plugin

    return factory


# --- catalog checks a plugin's own tests call ------------------------------------

CATALOG_LANGUAGES = ("zh_CN", "zh_TW", "en")


def plugin_msgids(package) -> set[str]:
    """Messages a plugin package marks for translation: ``_("...")`` / ``_l("...")``
    with a literal in its modules, and ``_("...")`` in its templates."""
    import ast
    from pathlib import Path

    package = Path(package)
    found: set[str] = set()
    for path in package.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in ("_", "_l") and node.args
                    and isinstance(node.args[0], ast.Constant)):
                found.add(node.args[0].value)
    for path in (package / "templates").rglob("*.html"):
        found.update(re.findall(r'_\(\s*"([^"]+)"\s*\)', path.read_text("utf-8")))
    return found


def plugin_catalog(package, lang: str):
    """The plugin's catalog ``translations/<lang>/LC_MESSAGES/<package name>.po``."""
    from pathlib import Path

    from babel.messages.pofile import read_po

    package = Path(package)
    path = package / "translations" / lang / "LC_MESSAGES" / f"{package.name}.po"
    with path.open("rb") as fh:
        return read_po(fh, locale=lang)


def untranslated(package, lang: str) -> list[str]:
    """Marked messages with no translation in ``lang``, sorted."""
    catalog = plugin_catalog(package, lang)
    return sorted(m for m in plugin_msgids(package)
                  if not (catalog.get(m) and catalog.get(m).string))
