"""``zhanggui plugin new NAME``: write a working third-party plugin distribution.

The template lives beside this module (``template/``); ``__pkg__`` in a path becomes
the import package name and ``$name``-style placeholders in files are filled in.
Catalogs are compiled right away so the new plugin shows translated text at once.
"""
from __future__ import annotations

import keyword
import re
from pathlib import Path
from string import Template

from ..catalogs import compile_dir

TEMPLATE = Path(__file__).parent / "template"
NAME_RE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


class ScaffoldError(ValueError):
    """The plugin cannot be written; the message says why."""


def scaffold(name: str, directory: str | Path = ".", title: str | None = None) -> Path:
    if not NAME_RE.match(name) or keyword.iskeyword(name):
        raise ScaffoldError(f"plugin name {name!r} must be 2-40 lower-case letters, digits or "
                            "underscores, starting with a letter")
    dist = f"zhanggui-{name.replace('_', '-')}"
    target = Path(directory) / dist
    if target.exists():
        raise ScaffoldError(f"{target} exists already; choose another folder or name")
    pkg = f"zhanggui_{name}"
    values = {"name": name, "pkg": pkg, "dist": dist,
              "title": title or name.replace("_", " ").capitalize(),
              "Model": "".join(part.capitalize() for part in name.split("_")) + "Note"}
    for source in sorted(TEMPLATE.rglob("*")):
        if source.is_dir() or source.suffix in {".pyc", ".mo"} or "__pycache__" in source.parts:
            continue
        rel = Path(*(part.replace("__pkg__", pkg).replace("__name__", name)
                     for part in source.relative_to(TEMPLATE).parts))
        if rel.suffix == ".tmpl":
            rel = rel.with_suffix("")
        dest = target / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(Template(source.read_text("utf-8")).safe_substitute(values), "utf-8")
    compile_dir(target / pkg / "translations", pkg)
    return target
