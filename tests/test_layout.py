"""Every plugin package stays readable: no import circles, no module over 500 lines.

The import graph is built statically with :mod:`ast` from every ``import`` in a
package, the ones inside functions too: an import moved into a function to dodge a
circle at start-up is still a circle for the reader.  ``if TYPE_CHECKING:`` blocks are
left out (they never run).  Tests and the scaffold's template are not part of the
graph; migrations are exempt from the size limit (they keep their history).

The core is not held to this yet: it has import circles of its own (the package
``__init__`` and ``plugins``, ``console.datamodel``, ``formatting`` and ``i18n``) and
``console/datamodel/interface.py`` is over the limit.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MAX_LINES = 500
PLUGIN_PACKAGES = sorted(p for p in (ROOT / "plugins").glob("*/zhanggui_*")
                         if (p / "__init__.py").is_file())


def package_modules(package: Path) -> dict[str, tuple[Path, bool]]:
    """``{dotted name: (file, is a package)}`` for the package's code (no tests, no
    templates)."""
    found = {}
    for path in sorted(package.rglob("*.py")):
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        if {"tests", "template", "templates"} & set(parts[:-1]):
            continue
        is_package = parts[-1] == "__init__"
        found[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return found


def _skipped(node: ast.AST) -> bool:
    if not isinstance(node, ast.If):
        return False
    test = node.test
    return ((isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
            or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"))


def _imports(module: str, is_package: bool, tree: ast.AST):
    """``(target module, imported name or None)`` for every import in ``tree``."""
    pending = [tree]
    while pending:
        node = pending.pop()
        for child in ast.iter_child_nodes(node):
            if _skipped(child):
                continue
            if isinstance(child, ast.Import):
                for alias in child.names:
                    yield alias.name, None
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = module.split(".") if is_package else module.split(".")[:-1]
                    base = base[:len(base) - child.level + 1]
                    target = ".".join(base + ([child.module] if child.module else []))
                else:
                    target = child.module or ""
                for alias in child.names:
                    yield target, alias.name
            pending.append(child)


def import_graph(package: Path) -> dict[str, set[str]]:
    """Which of the package's modules each of its modules imports."""
    modules = package_modules(package)
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, (path, is_package) in modules.items():
        tree = ast.parse(path.read_text("utf-8"), filename=str(path))
        for target, imported in _imports(name, is_package, tree):
            if imported and f"{target}.{imported}" in modules:
                graph[name].add(f"{target}.{imported}")  # ``from . import module``
            if target in modules and target != name:
                graph[name].add(target)
    return graph


def import_circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            for nxt in successors:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph[nxt]))))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        circles.append(sorted(group))
    return circles


def long_modules(package: Path) -> dict[str, int]:
    """Modules over :data:`MAX_LINES` lines, migrations and templates aside (tests
    count: a test module that long holds two stories)."""
    found = {}
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(package.parent).with_suffix("").parts
        if "migrations" in parts or {"template", "templates"} & set(parts):
            continue
        lines = len(path.read_text("utf-8").splitlines())
        if lines > MAX_LINES:
            found[".".join(parts)] = lines
    return found


@pytest.mark.parametrize("package", PLUGIN_PACKAGES, ids=lambda p: p.name)
def test_a_plugin_has_no_import_circle(package):
    circles = import_circles(import_graph(package))
    assert circles == [], "import circles (move what both sides need into a third module):\n" \
        + "\n".join(" -> ".join(c) for c in circles)


@pytest.mark.parametrize("package", PLUGIN_PACKAGES, ids=lambda p: p.name)
def test_no_plugin_module_is_over_500_lines(package):
    assert long_modules(package) == {}, "split these modules by what they do"


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    return root / "zhanggui_sample"


def test_the_check_finds_a_circle_hidden_in_a_function(tmp_path):
    package = _write(tmp_path, {
        "zhanggui_sample/__init__.py": "",
        "zhanggui_sample/models.py": "def later():\n    from .orders import service\n",
        "zhanggui_sample/orders/__init__.py": "",
        "zhanggui_sample/orders/service.py": "from ..models import later\n",
        "zhanggui_sample/orders/views.py": "from . import service\n",
        "zhanggui_sample/typing_only.py": ("from typing import TYPE_CHECKING\n"
                                           "if TYPE_CHECKING:\n    from .models import later\n"),
    })
    assert import_circles(import_graph(package)) == [
        ["zhanggui_sample.models", "zhanggui_sample.orders.service"]]


def test_the_check_finds_a_long_module_but_not_a_long_migration(tmp_path):
    package = _write(tmp_path, {
        "zhanggui_sample/__init__.py": "",
        "zhanggui_sample/report.py": "x = 1\n" * (MAX_LINES + 1),
        "zhanggui_sample/migrations/m0001.py": "x = 1\n" * (MAX_LINES + 1),
        "zhanggui_sample/migrations.py": "x = 1\n" * (MAX_LINES + 1),
        "zhanggui_sample/short.py": "x = 1\n" * MAX_LINES,
    })
    assert long_modules(package) == {"zhanggui_sample.report": MAX_LINES + 1}
