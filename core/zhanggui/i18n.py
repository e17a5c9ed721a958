"""Translations and locale choice.

The core's catalogs live in ``locale/`` at the top of the source tree (shipped inside
the package as ``zhanggui/locale`` when installed), domain ``zhanggui``; each plugin
registers its own folder and domain with ``zhanggui_translation_dirs``.  Messages are
looked up in every registered domain; where two domains translate the same msgid the
core's catalog wins (it also carries Flask-AppBuilder's messages, so the console's own
screens read the same whatever plugins are installed), then the later plugin, so a
plugin should keep to its own wording.

Locale choice, first that applies: the signed-in user's saved preference (table
``zhanggui_user_preference``, saved by the console's language switch), ``?lang=``
(kept in the session for the console), the browser's ``Accept-Language``, the
configured default.  The REST API skips the preference and the session.  Outside a
request (the CLI), the terminal's ``LANG`` decides.
"""
from __future__ import annotations

from pathlib import Path

import peewee
from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import format_currency, format_date, format_datetime, format_decimal
from flask_babel import Domain, format_percent, get_locale, gettext, lazy_gettext, ngettext
from flask_babel import _get_current_context
from babel import support

from .registry import TranslationDir

__all__ = ["_", "_l", "ngettext", "format_currency", "format_date", "format_datetime",
           "format_decimal", "format_percent", "get_locale", "core_translation_dir",
           "current_language", "init_i18n", "install_locale_choice", "match_accept_language", "select_locale",
           "select_timezone"]

_ = gettext
_l = lazy_gettext

#: the console's name (``APP_NAME``) as the navbar shows it in each language: the
#: templates translate the configured name, so a chain that renames it keeps its own
BRAND = _l("Zhanggui")


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
    would never match to a ``zh_CN`` folder.  The tags tried are exact: gettext's
    own fallback from ``zh_TW`` to the bare ``zh`` would hand Traditional Chinese
    users Flask-AppBuilder's Simplified catalog, so Traditional falls back to
    ``zh_HK`` and Simplified to ``zh`` only (see :func:`catalog_tags`).
    """

    def get_translations(self):
        ctx = _get_current_context()
        if ctx is None:
            return support.NullTranslations()
        locale = get_locale()
        key = (str(locale), self.domain[0])
        if key in self.cache:
            return self.cache[key]
        tags = catalog_tags(locale)
        translations = support.Translations()
        for index, dirname in enumerate(self.translation_directories):
            domain = self.domain[0] if len(self.domain) == 1 else self.domain[index]
            catalog = _load_exact(dirname, tags, domain)
            if catalog is None:
                continue
            translations.merge(catalog)
            if hasattr(catalog, "plural"):
                translations.plural = catalog.plural
        # the empty msgid holds each catalog's header ("Project-Id-Version: ..."):
        # gettext("") must stay "", e.g. for a column without a description
        translations._catalog.pop("", None)
        self.cache[key] = translations
        return translations


def catalog_tags(locale) -> list[str]:
    """Catalog folder names to try for ``locale``, best first, never across scripts."""
    from babel import Locale

    locale = Locale.parse(str(locale)) if not isinstance(locale, Locale) else locale
    if locale.language == "zh":
        traditional = locale.script == "Hant" or locale.territory in {"TW", "HK", "MO"}
        if traditional:
            return ["zh_TW", "zh_Hant_TW", "zh_Hant", "zh_HK"]
        return ["zh_CN", "zh_Hans_CN", "zh_Hans", "zh"]
    tags = [str(locale)]
    if locale.territory:
        tags.insert(0, f"{locale.language}_{locale.territory}")
    if locale.language not in tags:
        tags.append(locale.language)
    return tags


def _load_exact(dirname: str, tags: list[str], domain: str):
    for tag in tags:
        path = Path(dirname) / tag / "LC_MESSAGES" / f"{domain}.mo"
        if path.is_file():
            with path.open("rb") as fh:
                return support.Translations(fh, domain=domain)
    return None


def install_catalogs(app: Flask) -> None:
    """Make every lookup go through :class:`CatalogDomain` (after Babel is set up)."""
    babel = app.extensions["babel"].instance
    babel.__dict__["domain_instance"] = CatalogDomain(domain=app.config["BABEL_DOMAIN"])


def init_i18n(app: Flask, plugins) -> None:
    """Point Flask-Babel at every catalog (Flask-AppBuilder's own comes first) and
    give templates the formatting filters (``money``, ``local_datetime``, ...)."""
    from .formatting import register_filters

    dirs = plugins.translation_dirs()
    # the core's catalog is merged last: a plugin's "Search" or "Name" must not
    # change the wording of Flask-AppBuilder's buttons and the core's screens
    merged = ([d for d in dirs if d.domain != "zhanggui"]
              + [d for d in dirs if d.domain == "zhanggui"])
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(str(d.path) for d in merged)
    # Flask-AppBuilder prepends its own folder, whose domain is "messages".
    app.config["BABEL_DOMAIN"] = ";".join(["messages"] + [d.domain for d in merged])
    app.extensions["zhanggui.translation_dirs"] = dirs
    register_filters(app)
    app.jinja_env.globals["current_language"] = current_language
    from .console.dates import date_input_hint, format_input_date

    app.jinja_env.globals["date_input_hint"] = date_input_hint
    app.jinja_env.globals["format_input_date"] = format_input_date


def current_language() -> str:
    """The configured language tag in use (``zh_CN``, ``zh_TW``, ``en``), not
    Babel's spelling (``zh_Hans_CN``)."""
    locale = get_locale()
    if locale is None:
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    return catalog_tags(locale)[0] if locale.language == "zh" else locale.language


def install_locale_choice(app: Flask) -> None:
    """After Flask-AppBuilder is built: our locale and time-zone selectors, and its
    language switch (``/lang/<locale>``) saving the choice of a signed-in user."""
    babel = app.extensions["babel"]
    babel.locale_selector = select_locale
    babel.timezone_selector = select_timezone
    app.before_request(_lazy_wtforms_translations)
    endpoint = "LocaleView.index"
    original = app.view_functions.get(endpoint)
    if original is None:
        return

    def switch_language(locale, **kwargs):
        response = original(locale=locale, **kwargs)
        user_id = _signed_in_user_id()
        if user_id is not None and locale in current_app.config["LANGUAGES"]:
            from .preferences import save_preference

            save_preference(user_id, locale=locale)
        return response

    switch_language.__wrapped__ = original  # type: ignore[attr-defined]
    app.view_functions[endpoint] = switch_language

    @app.before_request
    def _translate_labels_once():
        # at the first request every view is registered, whoever registered it
        if not app.extensions.get("zhanggui.security_labels"):
            translate_security_labels(app.appbuilder)
            app.extensions["zhanggui.security_labels"] = True


def N_(message: str) -> str:
    """Mark ``message`` for extraction only; it is translated where it is shown."""
    return message


# Column labels that Flask-AppBuilder's security views make from column names
# (``first_name`` -> "First Name") without translating them.
SECURITY_COLUMN_LABELS = (
    N_("Active"), N_("Changed By"), N_("Changed On"), N_("Created By"), N_("Created On"),
    N_("Description"), N_("Email"), N_("Fail Login Count"), N_("First Name"),
    N_("Groups"), N_("Label"), N_("Last Login"), N_("Last Name"), N_("Login Count"),
    N_("Name"), N_("Password"), N_("Role"), N_("Roles"), N_("User"), N_("Users"),
)


def translate_security_labels(appbuilder) -> None:
    """Translate the made-up column labels of Flask-AppBuilder's security views (and
    of our subclasses of them); other views label their columns themselves."""
    for view in appbuilder.baseviews:
        if not any(c.__module__.startswith("flask_appbuilder.security")
                   for c in type(view).__mro__):
            continue
        labels = getattr(view, "label_columns", None) or {}
        for column, label in list(labels.items()):
            if type(label) is str and label in SECURITY_COLUMN_LABELS:
                labels[column] = lazy_gettext(label)
        # forms built at start-up copied the labels (search filters, placeholders)
        for name in ("search_form", "add_form", "edit_form"):
            form = getattr(view, name, None)
            for field in vars(form).values() if form is not None else ():
                _translate_unbound_label(field)


def _translate_unbound_label(field) -> None:
    args, kwargs = getattr(field, "args", None), getattr(field, "kwargs", None)
    label = kwargs.get("label") if isinstance(kwargs, dict) else None
    if type(label) is str and label in SECURITY_COLUMN_LABELS:
        kwargs["label"] = lazy_gettext(label)
    first = args[0] if isinstance(args, tuple) and args else None
    if type(first) is str and first in SECURITY_COLUMN_LABELS:
        field.args = (lazy_gettext(first),) + args[1:]


class _WTFormsTranslations:
    """WTForms' own catalogs, found with :func:`catalog_tags`.

    Flask-WTF loads them with gettext's fallback, which gives zh_TW readers WTForms'
    Simplified ``zh`` catalog; it takes whatever it finds on the request instead.
    Resolved on first use, so requests without a form pay nothing.
    """

    _loaded = None

    def _translations(self):
        if self._loaded is None:
            from wtforms.i18n import messages_path

            found = _load_exact(messages_path(), catalog_tags(get_locale()), "wtforms")
            self._loaded = found or support.NullTranslations()
        return self._loaded

    def ugettext(self, string):
        return self._translations().ugettext(string)

    def ungettext(self, singular, plural, n):
        return self._translations().ungettext(singular, plural, n)


def _lazy_wtforms_translations() -> None:
    request.wtforms_translations = _WTFormsTranslations()


def _is_api_request() -> bool:
    return request.path.startswith("/api/")


def _signed_in_user_id() -> int | None:
    user = getattr(g, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return getattr(user, "id", None)


def user_preference():
    """The signed-in console user's saved preference (once per request)."""
    from .preferences import NO_PREFERENCE, load_preference

    if not has_request_context():
        return NO_PREFERENCE
    cached = getattr(g, "_zhanggui_preference", None)
    if cached is not None:
        return cached
    user_id = None if _is_api_request() else _signed_in_user_id()
    try:
        preference = load_preference(user_id)
    except (peewee.OperationalError, peewee.ProgrammingError):
        preference = NO_PREFERENCE  # before `zhanggui migrate` made the table
    g._zhanggui_preference = preference
    return preference


def select_locale() -> str:
    """The locale for this request (see the module docstring for the order).

    The REST API answers in the request's language only (``?lang=``, then
    ``Accept-Language``): a POS terminal's messages must not depend on a cookie.
    A console visitor's ``?lang=`` (or the navbar's switch) is kept in the session,
    so the choice sticks before signing in too.
    """
    languages = list(current_app.config["LANGUAGES"])
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    if not has_request_context():
        return cli_locale(languages, default)
    api = _is_api_request()
    if not api:
        preferred = user_preference().locale
        if preferred in languages:
            return preferred
    asked = request.args.get("lang") or request.args.get("_l_")
    if asked:
        asked = asked.replace("-", "_")
    if asked in languages:
        if not api:
            session["locale"] = asked
        return asked
    if not api and session.get("locale") in languages:
        return session["locale"]
    return match_accept_language(request.accept_languages, languages) or default


def select_timezone() -> str | None:
    """The signed-in user's time zone, else ``None`` (the configured one)."""
    return user_preference().timezone if has_request_context() else None


def match_accept_language(accept, languages: list[str]) -> str | None:
    """The first of ``languages`` the browser accepts, in its order of preference.

    Chinese is matched by script, not by werkzeug's prefix rule, which would send
    ``zh-HK`` and ``zh-Hant`` readers to Simplified Chinese: Hant, TW, HK and MO
    mean ``zh_TW``; Hans, CN, SG, MY and a bare ``zh`` mean ``zh_CN``.
    """
    for value, quality in accept:
        if quality <= 0 or value == "*":
            continue
        tag = _language_for_tag(value)
        if tag in languages:
            return tag
    return None


def _language_for_tag(value: str) -> str:
    parts = value.replace("_", "-").lower().split("-")
    if parts[0] == "zh":
        rest = set(parts[1:])
        if rest & {"hant", "tw", "hk", "mo"}:
            return "zh_TW"
        return "zh_CN"
    if parts[0] == "en":
        return "en"
    return value.replace("-", "_")


def cli_locale(languages: list[str], default: str) -> str:
    """The terminal's language (``LC_ALL``, ``LC_MESSAGES``, ``LANG``) for CLI output."""
    import os

    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if not value or value.split(".")[0] in {"C", "POSIX"}:
            continue
        tag = value.split(".")[0].replace("-", "_")
        if tag.startswith(("zh_TW", "zh_HK", "zh_MO", "zh_Hant")):
            tag = "zh_TW"
        elif tag.startswith("zh"):
            tag = "zh_CN"
        elif tag.startswith("en"):
            tag = "en"
        if tag in languages:
            return tag
        break
    return default
