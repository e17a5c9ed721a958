"""Generated schema migrations: ``zhanggui migrations make PLUGIN``.

A plugin keeps its steps as files in ``<package>/migrations/`` (``0001_initial.py``,
``0002_...``), each a list of schema operations::

    from zhanggui.schema import AddColumn, CreateTable

    operations = [
        CreateTable("acme_giftcards_card", [
            ("id", "AutoField", {}),
            ("code", "CharField", {"max_length": 20, "unique": True}),
        ]),
    ]

The *recorded schema* of a plugin is what its steps build, replayed in name order on
an empty description (no database needed).  ``migrations make`` compares it with the
plugin's models and writes the difference as a new step to review and commit;
``migrations check`` exits 1 while they differ.  A column is described by its peewee
field type and the options that reach the database (``null``, ``unique``, ``index``,
``max_length``, ``max_digits``, ``decimal_places``, a literal or module-level-function
``default``, the referenced table of a foreign key).  The steps are applied by
``zhanggui migrate`` like any other (:mod:`zhanggui.migrations`).
"""
from __future__ import annotations

import importlib
import importlib.util
import re
from dataclasses import dataclass, field as dc_field
from pathlib import Path
from typing import Any, Iterable

import peewee

from . import db as zdb
from .registry import Migration
from .schema_fields import SchemaError, build, describe

__all__ = ["AddColumn", "AddIndex", "AlterColumn", "CreateTable", "DropColumn", "DropIndex",
           "DropTable", "SchemaError", "build", "describe", "diff", "load_steps", "make",
           "recorded_state", "state_of_models"]

STEP_RE = re.compile(r"^(\d{4})_(\w+)\.py$")


# --- the recorded schema -------------------------------------------------------------

Columns = dict[str, tuple[str, dict[str, Any]]]


@dataclass
class Table:
    columns: Columns
    indexes: list[tuple[tuple[str, ...], bool]] = dc_field(default_factory=list)


def state_of_models(models: Iterable[type]) -> dict[str, Table]:
    out: dict[str, Table] = {}
    for model in models:
        columns = {f.column_name: describe(f) for f in model._meta.sorted_fields}
        indexes = []
        for fields, unique in model._meta.indexes:
            if isinstance(fields, (list, tuple)):
                names = tuple(model._meta.fields[f].column_name if f in model._meta.fields else f
                              for f in fields)
                indexes.append((names, bool(unique)))
        out[model._meta.table_name] = Table(columns, indexes)
    return out


# --- operations ----------------------------------------------------------------------

class Operation:
    def forward(self, state: dict[str, Table]) -> None:
        raise NotImplementedError

    def apply(self, ctx) -> None:
        raise NotImplementedError


def _model(table: str, columns: Columns, indexes=()) -> type:
    meta: dict[str, Any] = {"table_name": table, "indexes": tuple(indexes)}
    attrs: dict[str, Any] = {}
    for column, (kind, opts) in columns.items():
        attrs[column] = build(kind, opts, column)
    if not any(f.primary_key for f in attrs.values()):
        meta["primary_key"] = False
    attrs["Meta"] = type("Meta", (), meta)
    return type(f"Step_{table}", (zdb.Model,), attrs)


def _index_name(table: str, columns: Iterable[str]) -> str:
    return peewee.make_index_name(table, list(columns))


@dataclass
class CreateTable(Operation):
    table: str
    columns: list[tuple[str, str, dict[str, Any]]]
    indexes: list[tuple[tuple[str, ...], bool]] = dc_field(default_factory=list)

    def forward(self, state):
        state[self.table] = Table({c: (k, dict(o)) for c, k, o in self.columns},
                                  [(tuple(c), u) for c, u in self.indexes])

    def apply(self, ctx):
        model = _model(self.table, {c: (k, o) for c, k, o in self.columns},
                       [(tuple(c), u) for c, u in self.indexes])
        ctx.db.create_tables([model], safe=False)


@dataclass
class DropTable(Operation):
    table: str

    def forward(self, state):
        state.pop(self.table, None)

    def apply(self, ctx):
        ctx.execute_sql(f'DROP TABLE "{self.table}"')


@dataclass
class AddColumn(Operation):
    table: str
    column: str
    kind: str
    options: dict[str, Any] = dc_field(default_factory=dict)

    def forward(self, state):
        state[self.table].columns[self.column] = (self.kind, dict(self.options))

    def apply(self, ctx):
        f = build(self.kind, self.options, self.column)
        if not f.null and f.default is None:
            raise SchemaError(f"{self.table}.{self.column} may not be empty and has no "
                              "default for the existing rows: give it one")
        ctx.run(ctx.migrator.add_column(self.table, self.column, f))
        if self.options.get("index") and not self.options.get("unique") \
                and self.kind not in ("ForeignKeyField", "MemberRef"):
            ctx.run(ctx.migrator.add_index(self.table, (self.column,), False))


@dataclass
class DropColumn(Operation):
    table: str
    column: str

    def forward(self, state):
        state[self.table].columns.pop(self.column, None)

    def apply(self, ctx):
        ctx.run(ctx.migrator.drop_column(self.table, self.column))


@dataclass
class AlterColumn(Operation):
    """A column's type or options changed.  Only emptiness (``null``) and the type
    are changed in the database; review data conversions by hand."""

    table: str
    column: str
    kind: str
    options: dict[str, Any] = dc_field(default_factory=dict)
    was: tuple[str, dict[str, Any]] | None = None

    def forward(self, state):
        state[self.table].columns[self.column] = (self.kind, dict(self.options))

    def apply(self, ctx):
        old_kind, old = self.was or (self.kind, {})
        if old_kind != self.kind or {k: v for k, v in old.items() if k not in ("null", "default", "index")} \
                != {k: v for k, v in self.options.items() if k not in ("null", "default", "index")}:
            ctx.run(ctx.migrator.alter_column_type(self.table, self.column,
                                                   build(self.kind, self.options, self.column)))
        if bool(old.get("null")) != bool(self.options.get("null")):
            op = (ctx.migrator.drop_not_null if self.options.get("null")
                  else ctx.migrator.add_not_null)
            ctx.run(op(self.table, self.column))


@dataclass
class AddIndex(Operation):
    table: str
    columns: tuple[str, ...]
    unique: bool = False

    def forward(self, state):
        state[self.table].indexes.append((tuple(self.columns), self.unique))

    def apply(self, ctx):
        ctx.run(ctx.migrator.add_index(self.table, tuple(self.columns), self.unique))


@dataclass
class DropIndex(Operation):
    table: str
    columns: tuple[str, ...]

    def forward(self, state):
        t = state[self.table]
        t.indexes = [(c, u) for c, u in t.indexes if tuple(c) != tuple(self.columns)]

    def apply(self, ctx):
        ctx.run(ctx.migrator.drop_index(self.table, _index_name(self.table, self.columns)))


# --- steps on disk -------------------------------------------------------------------

def step_files(folder: Path) -> list[Path]:
    return sorted(p for p in Path(folder).glob("*.py") if STEP_RE.match(p.name))


def _load(path: Path, package: str | None):
    name = f"{package}.migrations.{path.stem}" if package else f"zhanggui_step_{path.stem}"
    try:
        return importlib.import_module(name)
    except ImportError:
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)  # type: ignore[union-attr]
        return module


def load_steps(folder: Path, package: str | None = None) -> list[Migration]:
    """The folder's step files as :class:`Migration` steps."""
    steps = []
    for path in step_files(folder):
        module = _load(path, package)
        operations = list(getattr(module, "operations"))

        def apply(ctx, operations=operations):
            for op in operations:
                op.apply(ctx)

        description = (module.__doc__ or "").strip().splitlines()[0:1]
        steps.append(Migration(name=path.stem, apply=apply,
                               description=description[0] if description else ""))
    return steps


def recorded_state(folder: Path, package: str | None = None) -> dict[str, Table]:
    state: dict[str, Table] = {}
    for path in step_files(folder):
        for op in _load(path, package).operations:
            op.forward(state)
    return state


# --- the difference ------------------------------------------------------------------

def diff(old: dict[str, Table], new: dict[str, Table]) -> list[Operation]:
    ops: list[Operation] = []
    created = [t for t in new if t not in old]
    for table in _by_references(created, new):
        ops.append(CreateTable(table, [(c, k, o) for c, (k, o) in new[table].columns.items()],
                               [(tuple(c), u) for c, u in new[table].indexes]))
    for table in sorted(set(old) - set(new)):
        ops.append(DropTable(table))
    for table in sorted(set(old) & set(new)):
        before, after = old[table], new[table]
        for column, (kind, opts) in after.columns.items():
            if column not in before.columns:
                ops.append(AddColumn(table, column, kind, opts))
            elif before.columns[column] != (kind, opts):
                was = before.columns[column]
                if {k: v for k, v in was[1].items() if k != "index"} == \
                        {k: v for k, v in opts.items() if k != "index"} and was[0] == kind:
                    ops.append(AddIndex(table, (column,)) if opts.get("index")
                               else DropIndex(table, (column,)))
                else:
                    ops.append(AlterColumn(table, column, kind, opts, was=was))
        for column in before.columns:
            if column not in after.columns:
                ops.append(DropColumn(table, column))
        old_ix = {tuple(c): u for c, u in before.indexes}
        new_ix = {tuple(c): u for c, u in after.indexes}
        for cols, unique in new_ix.items():
            if old_ix.get(cols) != unique:
                if cols in old_ix:
                    ops.append(DropIndex(table, cols))
                ops.append(AddIndex(table, cols, unique))
        for cols in old_ix:
            if cols not in new_ix:
                ops.append(DropIndex(table, cols))
    return ops


def _by_references(tables: list[str], state: dict[str, Table]) -> list[str]:
    ordered: list[str] = []

    def visit(table: str, path: tuple[str, ...] = ()) -> None:
        if table in ordered or table in path:
            return
        for kind, opts in state[table].columns.values():
            if opts.get("to") in tables:
                visit(opts["to"], path + (table,))
        ordered.append(table)

    for table in sorted(tables):
        visit(table)
    return ordered


def _arg(value: Any) -> str:
    if isinstance(value, list):
        if not value:
            return "[]"
        return "[\n" + "".join(f"        {item!r},\n" for item in value) + "    ]"
    return repr(value)


def render(ops: list[Operation], summary: str, plugin: str) -> str:
    kinds = sorted({type(op).__name__ for op in ops})
    lines = [f'"""{summary}', "",
             f"Written by `zhanggui migrations make {plugin}`; reviewed before committing.",
             '"""', f"from zhanggui.schema import {', '.join(kinds)}", "", "operations = ["]
    for op in ops:
        args = [_arg(getattr(op, f)) for f in op.__dataclass_fields__]
        if isinstance(op, CreateTable) and not op.indexes:
            args = args[:2]
        lines.append(f"    {type(op).__name__}({', '.join(args)}),")
    lines.append("]")
    return "\n".join(lines) + "\n"


def _summary(ops: list[Operation]) -> str:
    parts = []
    for op in ops:
        words = re.sub(r"(?<!^)([A-Z])", r" \1", type(op).__name__).lower()
        column = getattr(op, "column", None) or ", ".join(getattr(op, "columns", ()) or ()) \
            if not isinstance(op, CreateTable) else ""
        parts.append(f"{words} {op.table}" + (f".{column}" if column else ""))
    text = "; ".join(parts)
    return text if len(text) <= 72 else text[:69] + "..."


def make(folder: Path, models: Iterable[type], plugin: str, name: str | None = None,
         package: str | None = None) -> Path | None:
    """Write the next step for the difference between ``models`` and the recorded
    schema; ``None`` when there is none."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "__init__.py").touch()
    ops = diff(recorded_state(folder, package), state_of_models(models))
    if not ops:
        return None
    files = step_files(folder)
    number = int(STEP_RE.match(files[-1].name).group(1)) + 1 if files else 1
    name = name or ("initial" if number == 1 else _auto_name(ops))
    if not re.fullmatch(r"[a-z0-9_]{1,60}", name):
        raise SchemaError(f"step name {name!r} must be lower-case letters, digits and _")
    path = folder / f"{number:04d}_{name}.py"
    path.write_text(render(ops, _summary(ops), plugin), "utf-8")
    return path


def _auto_name(ops: list[Operation]) -> str:
    first = ops[0]
    words = re.sub(r"(?<!^)([A-Z])", r"_\1", type(first).__name__).lower()
    target = getattr(first, "column", None) or getattr(first, "table", "")
    return re.sub(r"[^a-z0-9_]", "_", f"{words}_{target}")[:60]
