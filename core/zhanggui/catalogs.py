"""Message catalogs of the core and every plugin: extract, merge, compile.

``python -m zhanggui.catalogs [--update | --check | --list] [--installed] [FOLDER...]``
where a folder is the core's ``locale/`` or a plugin's ``<package>/translations`` (a
third-party plugin's too: the domain is the package's name, the sources its ``.py``
files and ``templates/**.html``).  ``--installed`` adds the core's folder and every
folder an installed plugin registers by ``zhanggui_translation_dirs`` (whatever its
name or place: a plugin in ``plugins/``, one scaffolded by ``zhanggui plugin new``
and installed with pip, a third party's).  Without a flag it compiles ``.po`` to
``.mo``; ``--update`` first extracts the sources' messages and merges them into the
zh_CN, zh_TW and en catalogs; ``--check`` only reports catalogs that lag behind their
sources; ``--list`` prints each folder with its domain.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po


def compile_dir(path: Path, domain: str) -> int:
    """Compile ``<path>/<lang>/LC_MESSAGES/<domain>.po`` for every language whose
    ``.mo`` is missing or older; return how many were compiled."""
    count = 0
    for po_path in sorted(Path(path).glob(f"*/LC_MESSAGES/{domain}.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as fh:
            catalog = read_po(fh, locale=po_path.parent.parent.name)
        with mo_path.open("wb") as fh:
            write_mo(fh, catalog, use_fuzzy=False)
        count += 1
    return count


def compile_dirs(dirs: Iterable) -> int:
    return sum(compile_dir(d.path, d.domain) for d in dirs)


LANGUAGES = ("zh_CN", "zh_TW", "en")
SOURCE_LANGUAGE = "en"   # msgids are English: an English msgstr starts as the msgid

KEYWORDS = {"_": None, "_l": None, "N_": None, "gettext": None, "lazy_gettext": None,
            "ngettext": (1, 2), "lazy_ngettext": (1, 2),
            "lazy_formatter_gettext": None}  # Flask-AppBuilder's, formatted later
METHOD_MAP = [("**/scaffold/template/**", "ignore"), ("**/tests/**", "ignore"),
              ("**/translations/**", "ignore"), ("**.py", "python"),
              ("**/templates/**.html", "jinja2")]
OPTIONS_MAP = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}}


# a folder's domain when it is not ``<pkg>/translations``, registered by --installed
_DOMAINS: dict[Path, str] = {}


def _domain_and_sources(folder: Path) -> tuple[str, Path]:
    """``locale/`` is the core's (sources: core/zhanggui); a plugin's
    ``<pkg>/translations`` belongs to ``<pkg>``; a folder a plugin registers under
    another name belongs to its registered domain, its sources the folder's parent."""
    folder = folder.resolve()
    domain = _DOMAINS.get(folder)
    if domain == "zhanggui" or (domain is None and folder.name != "translations"):
        return "zhanggui", Path(__file__).resolve().parent
    return domain or folder.parent.name, folder.parent


def installed_dirs() -> list[tuple[str, Path]]:
    """``(domain, folder)`` of the core and of every installed plugin, by the
    plugins' own ``zhanggui_translation_dirs`` (plugins are loaded, no app is built)."""
    from .plugins import PluginHost

    found: dict[Path, str] = {}
    for tdir in PluginHost().translation_dirs():
        found.setdefault(Path(tdir.path).resolve(), tdir.domain)
    return [(domain, path) for path, domain in found.items()]


def _foreign_sources(domain: str) -> list[tuple[str, Path]]:
    """Packages whose messages the core's catalog translates too.

    Flask-AppBuilder ships no Traditional Chinese and a Simplified catalog that
    misses much of what we show; its msgids go into the core's catalog (merged
    after Flask-AppBuilder's own), so every screen of the console reads natively.
    """
    if domain != "zhanggui":
        return []
    import flask_appbuilder

    return [("flask_appbuilder", Path(flask_appbuilder.__file__).parent)]


def extract(folder: Path):
    """The template catalog (``.pot``) of ``folder``'s domain, from its sources."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir

    domain, sources = _domain_and_sources(Path(folder))
    template = Catalog(project=domain, version="0.1.0", charset="utf-8")
    roots = [("", sources)] + _foreign_sources(domain)
    for prefix, root in roots:
        for filename, lineno, message, comments, context in extract_from_dir(
                str(root), method_map=METHOD_MAP, keywords=KEYWORDS,
                options_map=OPTIONS_MAP):
            if not message or (isinstance(message, tuple) and not message[0]):
                continue
            where = f"{prefix}/{filename}" if prefix else filename
            template.add(message, None, [(where, lineno)], auto_comments=comments,
                         context=context)
    return template


def _read(po_path: Path, lang: str):
    from babel.messages.catalog import Catalog

    if po_path.exists():
        with po_path.open("rb") as fh:
            return read_po(fh, locale=lang)
    return Catalog(locale=lang, charset="utf-8")


def update_dir(folder: Path, languages=LANGUAGES) -> None:
    """Extract messages from the sources into a template and merge them into each
    language's catalog.  New messages arrive untranslated in zh_CN and zh_TW (the
    tests under tests/i18n fail until someone translates them); in English they
    start as their msgid."""
    from babel.messages.pofile import write_po

    folder = Path(folder)
    domain, _sources = _domain_and_sources(folder)
    template = extract(folder)
    with (folder / f"{domain}.pot").open("wb") as fh:
        write_po(fh, template, omit_header=False, sort_output=True, width=100)
    for lang in languages:
        po_path = folder / lang / "LC_MESSAGES" / f"{domain}.po"
        po_path.parent.mkdir(parents=True, exist_ok=True)
        catalog = _read(po_path, lang)
        catalog.project = domain
        catalog.fuzzy = False
        catalog.update(template, no_fuzzy_matching=True)
        if lang == SOURCE_LANGUAGE:
            for message in catalog:
                if message.id and not message.string:
                    message.string = message.id
        with po_path.open("wb") as fh:
            write_po(fh, catalog, sort_output=True, ignore_obsolete=True,
                     include_previous=False, width=100)


def stale_messages(folder: Path, languages=LANGUAGES) -> dict[str, dict[str, list[str]]]:
    """What ``--update`` would change: per language, the msgids the sources have and
    the catalog lacks (``missing``), and those only the catalog has (``obsolete``)."""
    folder = Path(folder)
    domain, _sources = _domain_and_sources(folder)
    wanted = {_key(m.id) for m in extract(folder) if m.id}
    report = {}
    for lang in languages:
        have = {_key(m.id) for m in _read(folder / lang / "LC_MESSAGES" / f"{domain}.po",
                                          lang) if m.id}
        missing, obsolete = sorted(wanted - have), sorted(have - wanted)
        if missing or obsolete:
            report[lang] = {"missing": missing, "obsolete": obsolete}
    return report


def _key(msgid) -> str:
    return msgid[0] if isinstance(msgid, (tuple, list)) else msgid


def main(argv=None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m zhanggui.catalogs",
                                     description="Compile (and with --update, first "
                                     "extract and merge) message catalogs.")
    parser.add_argument("--update", action="store_true",
                        help="extract the messages of the folder's package and merge "
                        "them into its catalogs first")
    parser.add_argument("--check", action="store_true",
                        help="compile nothing; exit 1 when the catalogs lag behind "
                        "the sources (for CI)")
    parser.add_argument("--installed", action="store_true",
                        help="also every catalog folder of the core and of each "
                        "installed plugin (zhanggui_translation_dirs)")
    parser.add_argument("--list", action="store_true",
                        help="print each folder with its domain and do nothing else")
    parser.add_argument("folders", nargs="*", type=Path)
    args = parser.parse_args(argv)
    folders = [f.resolve() for f in args.folders]
    if args.installed:
        for domain, path in installed_dirs():
            _DOMAINS[path] = domain
            if path not in folders:
                folders.append(path)
    if not folders:
        parser.error("name a catalog folder, or --installed")
    args.folders = folders
    if args.list:
        for folder in folders:
            print(f"{_domain_and_sources(folder)[0]}\t{folder}")
        return 0
    if args.check:
        stale = {str(f): stale_messages(f) for f in args.folders}
        stale = {f: r for f, r in stale.items() if r}
        for folder, report in stale.items():
            for lang, kinds in report.items():
                for kind, ids in kinds.items():
                    for msgid in ids:
                        print(f"{folder} {lang}: {kind} {msgid!r}")
        return 1 if stale else 0
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
