"""Per-plugin schema migrations, recorded in the ``zhanggui_migration`` table.

Each plugin owns an ordered list of :class:`zhanggui.Migration` steps.  ``migrate``
applies, plugin by plugin in requirement order, the steps not yet recorded; each step
and its record are one transaction (SQLite and PostgreSQL roll DDL back; MySQL
cannot, so a failed step there may leave a half-built table, which the error says).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

import peewee
from playhouse.migrate import MySQLMigrator, PostgresqlMigrator, SqliteMigrator

from .db import Model, UTCDateTimeField, backend, database, utcnow


class MigrationError(RuntimeError):
    """A step failed; the message names the plugin and the step."""

    def __init__(self, plugin: str, step: str, cause: BaseException, rolled_back: bool):
        self.plugin, self.step, self.cause = plugin, step, cause
        state = ("the database is as it was before the step" if rolled_back else
                 "this database cannot roll back schema changes; check the step's tables")
        super().__init__(f"migration {plugin}:{step} failed: {cause} ({state})")


class AppliedMigration(Model):
    """One applied step."""

    plugin = peewee.CharField(max_length=100)
    name = peewee.CharField(max_length=200)
    applied_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "zhanggui_migration"
        indexes = ((("plugin", "name"), True),)


@dataclass
class MigrationContext:
    """What a migration step receives.

    ``db`` is the peewee database, ``migrator`` a ``playhouse.migrate`` schema migrator
    for it (``ctx.run(ctx.migrator.add_column(...))``), ``backend`` one of
    ``sqlite``/``postgresql``/``mysql``.
    """

    db: peewee.Database
    migrator: Any
    backend: str
    plugin: str

    def create_tables(self, models: Iterable[type[peewee.Model]]) -> None:
        """Create tables (and their indexes) as the models declare them *now*.

        Steps that must stay reproducible after the model changes should declare a
        frozen copy of the model inside the step instead of importing the live one.
        """
        self.db.create_tables(list(models), safe=False)

    def run(self, *operations) -> None:
        from playhouse.migrate import migrate

        migrate(*operations)

    def execute_sql(self, sql: str, params: tuple = ()) -> Any:
        return self.db.execute_sql(sql, params)

    def watch_for_caches(self, table: str, columns: tuple[str, ...] = ()) -> None:
        """Drop every worker's cached answers (:func:`zhanggui.cached`) whenever a row
        of ``table`` is inserted, deleted or updated (in ``columns``, if given),
        however it is written: a database trigger raises the cache version stamp in
        the writing transaction."""
        from .console.seccache import watch_sql

        for sql in watch_sql(self.backend, table, tuple(columns)):
            self.db.execute_sql(sql)


def _migrator(db: peewee.Database):
    kind = backend(db)
    if kind == "sqlite":
        return SqliteMigrator(db)
    if kind == "postgresql":
        return PostgresqlMigrator(db)
    return MySQLMigrator(db)


def ensure_table() -> None:
    database.create_tables([AppliedMigration], safe=True)


def applied() -> set[tuple[str, str]]:
    ensure_table()
    return {(m.plugin, m.name) for m in AppliedMigration.select()}


@dataclass(frozen=True)
class PlannedStep:
    plugin: str
    name: str
    description: str
    migration: Any


def plan(migrations_by_plugin: dict[str, list[Any]]) -> list[PlannedStep]:
    """The steps ``migrate`` would run, in order."""
    done = applied()
    return [PlannedStep(plugin, m.name, m.description, m)
            for plugin, steps in migrations_by_plugin.items()
            for m in steps if (plugin, m.name) not in done]


def migrate(migrations_by_plugin: dict[str, list[Any]], progress=None) -> list[PlannedStep]:
    """Apply pending steps; return those applied.  Stops at the first failure."""
    db = database.obj
    steps = plan(migrations_by_plugin)
    transactional = backend(db) != "mysql"
    for step in steps:
        ctx = MigrationContext(db=db, migrator=_migrator(db), backend=backend(db), plugin=step.plugin)
        try:
            if transactional:
                with db.atomic():
                    step.migration.apply(ctx)
                    AppliedMigration.create(plugin=step.plugin, name=step.name)
            else:
                step.migration.apply(ctx)
                AppliedMigration.create(plugin=step.plugin, name=step.name)
        except Exception as exc:  # noqa: BLE001 - reported with plugin and step
            raise MigrationError(step.plugin, step.name, exc, transactional) from exc
        if progress:
            progress(step)
    return steps
