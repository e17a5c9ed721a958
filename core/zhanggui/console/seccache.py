"""Security answers cached per worker, invalidated across workers and hosts.

Every API call and console page asks who the caller is and what they may do: the
API key's row and its user, the user's roles and permissions, the Public role's
permissions, the user's stores.  Read from the database each time that is a dozen
statements a request; here each worker keeps the answers in memory:

* for at most ``SECURITY_CACHE_SECONDS`` (default 30), then they are read again;
* and not a moment longer than the next change: every change to a user, role,
  permission, group, API key or store assignment raises a **version stamp** (the one
  row of ``zhanggui_security_version``) in the same transaction as the change.  A
  request that needs a security answer reads the stamp once (one indexed
  single-row ``SELECT``), and a worker whose stamp is behind drops everything it
  cached.  The stamp lives in the database every worker and host already shares, so
  a role taken away in one worker is refused by every other worker on its next
  request, whatever queue or cache server a deployment has.

What raises the stamp: any flush of Flask-AppBuilder's session that adds, changes or
deletes a user (bar the sign-in counters FAB updates at every login), role,
permission, view, permission-on-view, group or API key (bar ``last_used_on``) — so
FAB's own screens, ours, ``zhanggui migrate`` and the CLI are all covered — and a
database trigger on every table a migration *watches*
(:meth:`zhanggui.MigrationContext.watch_for_caches`): the store assignments here,
loyalty's settings, tiers and earning rules, whoever writes them (a screen, a bulk
``UPDATE``, another host).  The same stamp and cache serve plugins' own per-worker
caches (:func:`zhanggui.cached`).
"""
from __future__ import annotations

import threading
import time
from typing import Any, Callable

import peewee
from flask import Flask, current_app, has_app_context, has_request_context, request

from ..db import Model, database

STAMP_TABLE = "zhanggui_security_version"

# columns FAB writes on every sign-in or key use: no one's rights change with them
_USER_NOISE = {"last_login", "login_count", "fail_login_count", "changed_on", "changed_by_fk"}
_KEY_NOISE = {"last_used_on"}
_SECURITY_TABLES = {"ab_user", "ab_role", "ab_permission", "ab_view_menu",
                    "ab_permission_view", "ab_permission_view_role", "ab_user_role",
                    "ab_group", "ab_user_group", "ab_group_role", "ab_api_key"}


class SecurityVersion(Model):
    """The single row whose ``version`` every security change raises."""

    id = peewee.IntegerField(primary_key=True)
    version = peewee.BigIntegerField(default=0)

    class Meta:
        table_name = STAMP_TABLE


def migrate_security_version(ctx) -> None:
    """Migration ``core:0005_security_stamp``."""

    class SecurityVersion0005(Model):
        id = peewee.IntegerField(primary_key=True)
        version = peewee.BigIntegerField(default=0)

        class Meta:
            table_name = STAMP_TABLE

    ctx.create_tables([SecurityVersion0005])
    SecurityVersion0005.insert(id=1, version=0).on_conflict_ignore().execute()
    ctx.watch_for_caches("zhanggui_user_store")


def watch_sql(backend: str, table: str, columns: tuple[str, ...] = ()) -> list[str]:
    """Statements creating the triggers that raise the stamp whenever ``table``
    changes (an update only when it touches one of ``columns``, if given)."""
    of = f" OF {', '.join(columns)}" if columns else ""
    bump = f"UPDATE {STAMP_TABLE} SET version = version + 1 WHERE id = 1"
    if backend == "postgresql":
        return [
            "CREATE OR REPLACE FUNCTION zhanggui_cache_changed() RETURNS trigger AS $$ "
            f"BEGIN {bump}; RETURN NULL; END $$ LANGUAGE plpgsql",
            f"DROP TRIGGER IF EXISTS zg_cache_{table} ON {table}",
            f"CREATE TRIGGER zg_cache_{table} AFTER INSERT OR UPDATE{of} OR DELETE "
            f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION zhanggui_cache_changed()",
        ]
    if backend == "sqlite":
        return [f"CREATE TRIGGER IF NOT EXISTS zg_cache_{table}_{event.split()[0].lower()} "
                f"AFTER {event} ON {table} BEGIN {bump}; END"
                for event in ("INSERT", f"UPDATE{of}", "DELETE")]
    return []  # MySQL: workers see changes after SECURITY_CACHE_SECONDS


class SecurityCache:
    """One worker's cached security answers (``app.extensions["zhanggui.security"]``)."""

    def __init__(self, lifetime: float):
        self.lifetime = lifetime
        self.version: int | None = None
        self._entries: dict[Any, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def check(self) -> bool:
        """Read the stamp once per request; drop everything if it moved.  False when
        there is no stamp to read (a database not migrated yet): cache nothing."""
        # memo in the request's environ, not in ``g``: ``g`` belongs to the app
        # context, which a caller holding one shares between requests
        environ = request.environ if has_request_context() else {}
        checked = environ.get("zhanggui.security_checked")
        if checked is not None:
            return checked
        try:
            row = (SecurityVersion.select(SecurityVersion.version)
                   .where(SecurityVersion.id == 1).tuples().first())
        except peewee.DatabaseError:
            if database.in_transaction():
                raise
            row = None
        environ["zhanggui.security_checked"] = row is not None
        if row is None:
            return False
        if row[0] != self.version:
            with self._lock:
                self._entries.clear()
                self.version = row[0]
        return True

    def get(self, key: Any, load: Callable[[], Any], keep_none: bool = True) -> Any:
        """The cached answer for ``key``, or ``load()``'s (kept for the lifetime)."""
        if self.lifetime <= 0 or not self.check():
            return load()
        now = time.monotonic()
        hit = self._entries.get(key)
        if hit is not None and now - hit[0] < self.lifetime:
            return hit[1]
        value = load()
        if value is not None or keep_none:
            with self._lock:
                if len(self._entries) > 10000:  # a worker serves a few hundred users
                    self._entries.clear()
                self._entries[key] = (now, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def security_cache() -> SecurityCache | None:
    if not has_app_context():
        return None
    return current_app.extensions.get("zhanggui.security")


def security_changed() -> None:
    """Raise the stamp (inside the caller's transaction, if any): every worker drops
    its cached security answers at its next request.  This worker at once."""
    SecurityVersion.update(version=SecurityVersion.version + 1) \
        .where(SecurityVersion.id == 1).execute()
    cache = security_cache()
    if cache is not None:
        cache.clear()
        cache.version = None


def _changes_rights(obj: Any, sa_inspect) -> bool:
    table = getattr(getattr(obj, "__table__", None), "name", None)
    if table not in _SECURITY_TABLES:
        return False
    noise = _USER_NOISE if table == "ab_user" else _KEY_NOISE if table == "ab_api_key" \
        else set()
    if not noise:
        return True
    state = sa_inspect(obj)
    changed = {attr.key for attr in state.attrs if attr.history.has_changes()}
    return bool(changed - noise)


def install(app: Flask, session) -> None:
    """The per-worker cache and the stamp raised by every security change flushed
    through FAB's SQLAlchemy session ``session`` (a scoped session)."""
    from sqlalchemy import event, inspect as sa_inspect, text

    app.extensions["zhanggui.security"] = SecurityCache(
        app.extensions["zhanggui"].settings["SECURITY_CACHE_SECONDS"])
    bump = text(f"UPDATE {STAMP_TABLE} SET version = version + 1 WHERE id = 1")

    @event.listens_for(session, "after_flush")
    def _raise_stamp(sa_session, _context):
        touched = list(sa_session.new) + list(sa_session.deleted) + \
            [o for o in sa_session.dirty if sa_session.is_modified(o)]
        if any(_changes_rights(obj, sa_inspect) for obj in touched):
            sa_session.execute(bump)
            sa_session.info["zhanggui.security_changed"] = True

    @event.listens_for(session, "after_commit")
    def _drop_own(sa_session):
        if sa_session.info.pop("zhanggui.security_changed", False):
            cache = app.extensions.get("zhanggui.security")
            if cache is not None:
                cache.clear()
                cache.version = None

    @event.listens_for(session, "after_rollback")
    def _forget(sa_session):
        sa_session.info.pop("zhanggui.security_changed", None)
