"""Money, numbers, percentages, dates and times in the reader's locale.

Every helper formats for the current request's locale (outside a request: the
terminal's language, see :func:`zhanggui.i18n.cli_locale`), or for ``locale=`` when
given.  Times are stored as UTC and shown in a local time zone: ``tz=`` (a store's
zone), else the signed-in user's saved zone, else the ``TIMEZONE`` setting.

Money shows the symbol a Chinese retail reader expects whatever the language:
``¥`` for CNY, ``NT$`` for TWD, ``HK$`` for HKD (Babel alone writes ``CN¥`` in
English and a bare ``$`` for TWD in zh_TW).  In templates the same helpers are
filters: ``{{ amount|money("CNY") }}``, ``{{ n|number }}``, ``{{ r|percentage }}``,
``{{ ts|local_datetime }}``, ``{{ ts|local_date(store.timezone) }}``.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel import Locale
from babel import dates as babel_dates
from babel import numbers as babel_numbers

__all__ = ["CURRENCY_SYMBOLS", "current_locale", "current_timezone", "format_local_date",
           "format_local_datetime", "format_local_time", "format_money", "format_number",
           "format_percentage", "register_filters"]

CURRENCY_SYMBOLS = {"CNY": "¥", "TWD": "NT$", "HKD": "HK$", "MOP": "MOP$", "USD": "US$"}


def current_locale(locale: str | Locale | None = None) -> Locale:
    """``locale`` parsed, else the request's (or the CLI's) locale."""
    if locale is not None:
        return locale if isinstance(locale, Locale) else Locale.parse(str(locale))
    from flask import current_app, has_app_context

    if not has_app_context():
        return Locale.parse("en")
    from flask_babel import get_locale

    found = get_locale()
    if found is not None:
        return found
    return Locale.parse(current_app.config.get("BABEL_DEFAULT_LOCALE", "en"))


def current_timezone(tz: str | dt.tzinfo | None = None) -> dt.tzinfo:
    """``tz`` (a zone name or tzinfo), else the user's zone, else the settings' zone."""
    if isinstance(tz, dt.tzinfo):
        return tz
    if tz:
        return ZoneInfo(str(tz))
    from flask import current_app, has_app_context

    if has_app_context():
        from .i18n import select_timezone

        chosen = select_timezone() or current_app.config.get("BABEL_DEFAULT_TIMEZONE")
        if chosen:
            return ZoneInfo(str(chosen))
    return ZoneInfo("UTC")


def format_money(amount: Decimal | int | str, currency: str = "CNY", *,
                 locale: str | Locale | None = None) -> str:
    """``Decimal("1234.5"), "CNY"`` -> ``¥1,234.50`` (``NT$1,234.50`` for TWD,
    ``HK$1,234.50`` for HKD), with the currency's own number of decimals and the
    locale's grouping and sign.  Floats are refused: money is ``Decimal``."""
    if isinstance(amount, float):
        raise TypeError("money must be a Decimal (or int/str), not float")
    loc = current_locale(locale)
    currency = currency.upper()
    text = babel_numbers.format_currency(Decimal(amount), currency, locale=loc)
    symbol = CURRENCY_SYMBOLS.get(currency)
    if symbol:
        babel_symbol = babel_numbers.get_currency_symbol(currency, locale=loc)
        if babel_symbol != symbol:
            text = text.replace(babel_symbol, symbol, 1)
    return text


def format_number(value, decimals: int | None = None, *,
                  locale: str | Locale | None = None) -> str:
    """``1234567.891`` -> ``1,234,567.891``; ``decimals`` fixes the decimal places."""
    loc = current_locale(locale)
    if decimals is None:
        return babel_numbers.format_decimal(value, locale=loc)
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return babel_numbers.format_decimal(value, format=pattern, locale=loc,
                                        decimal_quantization=True)


def format_percentage(ratio, decimals: int = 1, *, locale: str | Locale | None = None) -> str:
    """A ratio as a percentage: ``0.125`` -> ``12.5%`` (``decimals`` places, at most)."""
    loc = current_locale(locale)
    pattern = "#,##0" + ("." + "#" * decimals if decimals > 0 else "") + "%"
    return babel_numbers.format_percent(ratio, format=pattern, locale=loc)


def _aware_utc(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        raise ValueError("a naive datetime is ambiguous; pass a timezone-aware UTC value")
    return value


def format_local_datetime(utc_dt: dt.datetime, tz: str | dt.tzinfo | None = None,
                          format: str = "medium", *,
                          locale: str | Locale | None = None) -> str:
    """A UTC instant in local time: ``2026-11-23 09:05Z`` in Asia/Shanghai is
    ``2026年11月23日 17:05`` (zh_CN), ``2026年11月23日 下午5:05`` (zh_TW),
    ``Nov 23, 2026, 5:05 PM`` (en, with a narrow no-break space before PM).  ``format`` is the date's length (``short``,
    ``medium``, ``long``); the time is always hours and minutes."""
    loc = current_locale(locale)
    zone = current_timezone(tz)
    local = _aware_utc(utc_dt).astimezone(zone)
    date_text = babel_dates.format_date(local.date(), format, locale=loc)
    time_text = babel_dates.format_time(local, "short", tzinfo=zone, locale=loc)
    return loc.datetime_formats[format].format(time_text, date_text)


def format_local_date(value: dt.date | dt.datetime, tz: str | dt.tzinfo | None = None,
                      format: str = "medium", *, locale: str | Locale | None = None) -> str:
    """A date (or the local date of a UTC instant): ``2026年11月23日`` (zh_CN and
    zh_TW), ``Nov 23, 2026`` (en)."""
    loc = current_locale(locale)
    if isinstance(value, dt.datetime):
        value = _aware_utc(value).astimezone(current_timezone(tz)).date()
    return babel_dates.format_date(value, format, locale=loc)


def format_local_time(utc_dt: dt.datetime, tz: str | dt.tzinfo | None = None, *,
                      locale: str | Locale | None = None) -> str:
    """Hours and minutes of a UTC instant in local time: ``17:05`` / ``下午5:05`` / ``5:05 PM``."""
    loc = current_locale(locale)
    zone = current_timezone(tz)
    return babel_dates.format_time(_aware_utc(utc_dt).astimezone(zone), "short",
                                   tzinfo=zone, locale=loc)


def register_filters(app) -> None:
    """The helpers as Jinja filters of ``app``."""
    app.jinja_env.filters.update(
        money=format_money, number=format_number, percentage=format_percentage,
        local_datetime=format_local_datetime, local_date=format_local_date,
        local_time=format_local_time)
