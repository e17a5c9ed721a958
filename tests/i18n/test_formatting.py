"""Money, numbers, percentages, dates and times read as each locale writes them."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from zhanggui import (format_local_date, format_local_datetime, format_local_time,
                      format_money, format_number, format_percentage)

UTC = dt.timezone.utc
# 09:05 UTC is 17:05 in Shanghai and Taipei; CLDR puts a narrow no-break space (U+202F)
# before AM/PM in English
INSTANT = dt.datetime(2026, 11, 23, 9, 5, tzinfo=UTC)


@pytest.mark.parametrize("locale", ["zh_CN", "zh_TW", "en"])
@pytest.mark.parametrize("currency, expected", [
    ("CNY", "¥1,234.50"), ("TWD", "NT$1,234.50"), ("HKD", "HK$1,234.50")])
def test_money_shows_the_symbol_of_its_currency_in_every_language(locale, currency, expected):
    assert format_money(Decimal("1234.5"), currency, locale=locale) == expected


def test_refunds_show_a_minus_sign_before_the_symbol():
    assert format_money(Decimal("-88"), "CNY", locale="zh_CN") == "-¥88.00"
    assert format_money(Decimal("-88"), "TWD", locale="zh_TW") == "-NT$88.00"


def test_money_is_rounded_to_the_currency_and_refuses_floats():
    assert format_money(Decimal("0.005"), "CNY", locale="en") == "¥0.00"
    assert format_money(Decimal("1234567.891"), "HKD", locale="zh_TW") == "HK$1,234,567.89"
    with pytest.raises(TypeError):
        format_money(12.5, "CNY", locale="zh_CN")


def test_other_currencies_keep_babels_symbol():
    assert format_money(Decimal("1000"), "USD", locale="en") == "US$1,000.00"
    assert format_money(Decimal("1000"), "JPY", locale="zh_CN") == "JP¥1,000"


@pytest.mark.parametrize("locale", ["zh_CN", "zh_TW", "en"])
def test_numbers_and_percentages(locale):
    assert format_number(1234567.891, locale=locale) == "1,234,567.891"
    assert format_number(Decimal("1234.5"), 2, locale=locale) == "1,234.50"
    assert format_number(42, 0, locale=locale) == "42"
    assert format_percentage(0.125, locale=locale) == "12.5%"
    assert format_percentage(Decimal("0.3333"), 2, locale=locale) == "33.33%"
    assert format_percentage(0.5, 0, locale=locale) == "50%"


@pytest.mark.parametrize("locale, expected", [
    ("zh_CN", "2026年11月23日"), ("zh_TW", "2026年11月23日"), ("en", "Nov 23, 2026")])
def test_dates(locale, expected):
    assert format_local_date(dt.date(2026, 11, 23), locale=locale) == expected


@pytest.mark.parametrize("locale, expected", [
    ("zh_CN", "2026年11月23日 17:05"), ("zh_TW", "2026年11月23日 下午5:05"),
    ("en", "Nov 23, 2026, 5:05\u202fPM")])
def test_a_utc_instant_is_shown_in_the_stores_time_zone(locale, expected):
    assert format_local_datetime(INSTANT, "Asia/Shanghai", locale=locale) == expected


def test_the_local_date_of_an_instant_can_be_the_next_day():
    late = dt.datetime(2026, 11, 23, 20, 30, tzinfo=UTC)   # 04:30 next day in Taipei
    assert format_local_date(late, "Asia/Taipei", locale="en") == "Nov 24, 2026"
    assert format_local_date(late, "America/Los_Angeles", locale="en") == "Nov 23, 2026"
    assert format_local_time(late, "Asia/Taipei", locale="zh_TW") == "凌晨4:30"  # CLDR: small hours
    assert format_local_datetime(late, "Asia/Taipei", "short", locale="zh_CN") == \
        "2026/11/24 04:30"


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="naive"):
        format_local_datetime(dt.datetime(2026, 11, 23, 9, 5), "Asia/Shanghai", locale="en")


def test_without_a_locale_the_requests_language_and_the_configured_zone_apply(app):
    with app.test_request_context("/?lang=zh_TW"):
        assert format_money(Decimal("99"), "TWD") == "NT$99.00"
        assert format_local_datetime(INSTANT) == "2026年11月23日 下午5:05"
    with app.test_request_context("/", headers={"Accept-Language": "en-US"}):
        assert format_local_datetime(INSTANT) == "Nov 23, 2026, 5:05\u202fPM"
        assert format_local_datetime(INSTANT, "Europe/London") == "Nov 23, 2026, 9:05\u202fAM"


def test_templates_have_the_helpers_as_filters(app):
    with app.test_request_context("/?lang=zh_CN"):
        template = app.jinja_env.from_string(
            "{{ amount|money('CNY') }} {{ n|number }} {{ r|percentage }} "
            "{{ ts|local_date }} {{ ts|local_datetime('Asia/Taipei') }} {{ ts|local_time }}")
        assert template.render(amount=Decimal("1234.5"), n=1234567, r=0.25, ts=INSTANT) == \
            "¥1,234.50 1,234,567 25% 2026年11月23日 2026年11月23日 17:05 17:05"
