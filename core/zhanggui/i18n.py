"""Translations and locale choice.

The core's catalogs live in ``locale/`` at the top of the source tree (shipped inside
the package as ``zhanggui/locale`` when installed), domain ``zhanggui``; each plugin
registers its own folder and domain with ``zhanggui_translation_dirs``.  Messages are
looked up in every registered domain; where two domains translate the same msgid the
later plugin wins, so a plugin should keep to its own wording.

Locale choice, first that applies: the user's saved preference, ``?lang=``, the
browser's ``Accept-Language``, the configured default.
"""
from __future__ import annotations

from pathlib import Path

from flask import Flask, g, has_request_context, request, session
from flask_babel import format_currency, format_date, format_datetime, format_decimal
from flask_babel import Domain, format_percent, get_locale, gettext, lazy_gettext, ngettext
from flask_babel import _get_current_context
from babel import support

from .registry import TranslationDir

__all__ = ["_", "_l", "ngettext", "format_currency", "format_date", "format_datetime",
           "format_decimal", "format_percent", "get_locale", "core_translation_dir",
           "init_i18n", "select_locale"]

_ = gettext
_l = lazy_gettext


def core_translation_dir() -> TranslationDir:
    """The core's catalog folder: ``locale/`` in a source tree, else inside the package."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parent.parent / "locale", here / "locale"):
        if candidate.is_dir():
            return TranslationDir(domain="zhanggui", path=candidate)
    return TranslationDir(domain="zhanggui", path=here / "locale")


class CatalogDomain(Domain):
    """Flask-Babel's domain, looking catalogs up by the plain tag (``zh_CN``).

    Babel spells Chinese locales with their script (``zh_Hans_CN``), which gettext
    would never match to a ``zh_CN`` folder; the plain tag is tried first, then
    Babel's spelling and the bare language (Flask-AppBuilder's own ``zh`` folder).
    """

    def get_translations(self):
        ctx = _get_current_context()
        if ctx is None:
            return support.NullTranslations()
        locale = get_locale()
        key = (str(locale), self.domain[0])
        if key in self.cache:
            return self.cache[key]
        tags = [str(locale)]
        if locale.territory:
            tags.insert(0, f"{locale.language}_{locale.territory}")
        translations = support.Translations()
        for index, dirname in enumerate(self.translation_directories):
            domain = self.domain[0] if len(self.domain) == 1 else self.domain[index]
            catalog = support.Translations.load(dirname, tags, domain)
            translations.merge(catalog)
            if hasattr(catalog, "plural"):
                translations.plural = catalog.plural
        self.cache[key] = translations
        return translations


def install_catalogs(app: Flask) -> None:
    """Make every lookup go through :class:`CatalogDomain` (after Babel is set up)."""
    babel = app.extensions["babel"].instance
    babel.__dict__["domain_instance"] = CatalogDomain(domain=app.config["BABEL_DOMAIN"])


def init_i18n(app: Flask, plugins) -> None:
    """Point Flask-Babel at every catalog (Flask-AppBuilder's own comes first)."""
    dirs = plugins.translation_dirs()
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(str(d.path) for d in dirs)
    # Flask-AppBuilder prepends its own folder, whose domain is "messages".
    app.config["BABEL_DOMAIN"] = ";".join(["messages"] + [d.domain for d in dirs])
    app.extensions["zhanggui.translation_dirs"] = dirs


def select_locale() -> str:
    """The locale for this request (see the module docstring for the order)."""
    from flask import current_app

    languages = list(current_app.config["LANGUAGES"])
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    if not has_request_context():
        return cli_locale(languages, default)
    user = getattr(g, "user", None)
    preferred = getattr(user, "zhanggui_locale", None)
    if preferred in languages:
        return preferred
    asked = request.args.get("lang") or request.args.get("_l_")
    if asked in languages:
        session["locale"] = asked
        return asked
    if session.get("locale") in languages:
        return session["locale"]
    best = request.accept_languages.best_match(
        [lang.replace("_", "-") for lang in languages] + ["zh-Hans", "zh-Hant", "zh"])
    if best:
        best = {"zh-Hans": "zh_CN", "zh-Hant": "zh_TW", "zh": "zh_CN",
                "zh-HK": "zh_TW"}.get(best, best.replace("-", "_"))
        if best in languages:
            return best
    return default


def cli_locale(languages: list[str], default: str) -> str:
    """The terminal's language (``LC_ALL``, ``LC_MESSAGES``, ``LANG``) for CLI output."""
    import os

    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if not value or value.split(".")[0] in {"C", "POSIX"}:
            continue
        tag = value.split(".")[0].replace("-", "_")
        if tag.startswith(("zh_TW", "zh_HK", "zh_Hant")):
            tag = "zh_TW"
        elif tag.startswith("zh"):
            tag = "zh_CN"
        elif tag.startswith("en"):
            tag = "en"
        if tag in languages:
            return tag
        break
    return default
