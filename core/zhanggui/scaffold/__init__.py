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
# a distribution name (PEP 503, normalised): acme-giftcards, acme.giftcards
DIST_RE = re.compile(r"^[a-z][a-z0-9]*([-_.][a-z0-9]+)+$")


class ScaffoldError(ValueError):
    """The plugin cannot be written; the message says why."""


def scaffold(name: str, directory: str | Path = ".", title: str | None = None) -> Path:
    """``shelf_talker`` -> distribution ``zhanggui-shelf-talker``, package
    ``zhanggui_shelf_talker``; a distribution name with a dash or dot (``acme-giftcards``)
    is kept: distribution ``acme-giftcards``, package and plugin name ``acme_giftcards``."""
    lowered = name.lower()
    if DIST_RE.match(lowered) and ("-" in lowered or "." in lowered) and len(lowered) <= 60:
        dist = re.sub(r"[-_.]+", "-", lowered)
        pkg = name = dist.replace("-", "_")
    elif NAME_RE.match(name) and not keyword.iskeyword(name):
        dist, pkg = f"zhanggui-{name.replace('_', '-')}", f"zhanggui_{name}"
    else:
        raise ScaffoldError(f"plugin name {name!r} must be 2-40 lower-case letters, digits or "
                            "underscores, starting with a letter, or a distribution name "
                            "such as acme-giftcards")
    target = Path(directory) / dist
    if target.exists():
        raise ScaffoldError(f"{target} exists already; choose another folder or name")
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
