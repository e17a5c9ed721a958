"""Compiling gettext catalogs (.po to .mo) for the core and every plugin."""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po


def compile_dir(path: Path, domain: str) -> int:
    """Compile ``<path>/<lang>/LC_MESSAGES/<domain>.po`` for every language."""
    count = 0
    for po_path in sorted(Path(path).glob(f"*/LC_MESSAGES/{domain}.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            count += 1
            continue
        with po_path.open("rb") as fh:
            catalog = read_po(fh, locale=po_path.parent.parent.name)
        with mo_path.open("wb") as fh:
            write_mo(fh, catalog, use_fuzzy=False)
        count += 1
    return count


def compile_dirs(dirs: Iterable) -> int:
    return sum(compile_dir(d.path, d.domain) for d in dirs)


def _domain_and_sources(folder: Path) -> tuple[str, Path]:
    """``locale/`` is the core's (sources: core/zhanggui); a plugin's
    ``<pkg>/translations`` belongs to ``<pkg>``."""
    folder = folder.resolve()
    if folder.name == "translations":
        return folder.parent.name, folder.parent
    return "zhanggui", folder.parent / "core" / "zhanggui"


def update_dir(folder: Path, languages=("zh_CN", "zh_TW", "en")) -> None:
    """Extract messages from the sources into a template and merge them into each
    language's catalog (new messages arrive untranslated; see tests/test_catalogs)."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir
    from babel.messages.pofile import write_po

    domain, sources = _domain_and_sources(folder)
    template = Catalog(project=domain, version="0.1.0", charset="utf-8")
    method_map = [("**/scaffold/template/**", "ignore"), ("**.py", "python"),
                  ("**/templates/**.html", "jinja2")]
    keywords = {"_": None, "_l": None, "gettext": None, "lazy_gettext": None,
                "ngettext": (1, 2), "lazy_ngettext": (1, 2)}
    for filename, lineno, message, comments, context in extract_from_dir(
            str(sources), method_map=method_map, keywords=keywords,
            options_map={"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}}):
        template.add(message, None, [(filename, lineno)], auto_comments=comments,
                     context=context)
    with (folder / f"{domain}.pot").open("wb") as fh:
        write_po(fh, template, omit_header=False, sort_output=True)
    for lang in languages:
        po_path = folder / lang / "LC_MESSAGES" / f"{domain}.po"
        po_path.parent.mkdir(parents=True, exist_ok=True)
        if po_path.exists():
            with po_path.open("rb") as fh:
                catalog = read_po(fh, locale=lang)
        else:
            catalog = Catalog(locale=lang, project=domain, charset="utf-8")
        catalog.update(template, no_fuzzy_matching=True)
        with po_path.open("wb") as fh:
            write_po(fh, catalog, sort_output=True, ignore_obsolete=True,
                     include_previous=False, width=100)


def main(argv=None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m zhanggui.catalogs",
                                     description="Compile (and with --update, first "
                                     "extract and merge) message catalogs.")
    parser.add_argument("--update", action="store_true")
    parser.add_argument("folders", nargs="+", type=Path)
    args = parser.parse_args(argv)
    total = 0
    for folder in args.folders:
        domain, _ = _domain_and_sources(folder)
        if args.update:
            update_dir(folder)
        total += compile_dir(folder, domain)
    print(f"{total} catalog(s) compiled")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
