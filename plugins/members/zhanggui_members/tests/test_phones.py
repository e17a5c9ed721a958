"""Staff type phone numbers every which way; they must all find the same member."""
import pytest

from zhanggui_members.profile.phones import PhoneNumberError, mask_mobile, normalize_mobile


@pytest.mark.parametrize("written", [
    "13800138000", "138 0013 8000", "138-0013-8000", "+86 138 0013 8000", "+8613800138000",
    "0086 138-0013-8000", "(+86) 138 0013 8000", "+86 (138) 0013-8000", "86 13800138000",
    "１３８００１３８０００", " 138.0013.8000 ",
])
def test_every_common_way_of_writing_a_mobile_number_gives_the_same_11_digits(written):
    assert normalize_mobile(written) == "13800138000"


@pytest.mark.parametrize("written, message", [
    ("", "Enter a mobile phone number."),
    (None, "Enter a mobile phone number."),
    ("1380013800", "has 11 digits; this one has 10"),
    ("138001380001", "has 11 digits; this one has 12"),
    ("12800138000", "starts with 13 to 19"),
    ("23800138000", "starts with 13 to 19"),
    ("+852 9123 4567", "Only mainland China mobile numbers (+86)"),
    ("00852 9123 4567", "Only mainland China mobile numbers (+86)"),
    ("138-0013-800a", "may contain only digits"),
    ("138/0013/8000", "may contain only digits"),
])
def test_a_number_that_is_not_a_mainland_mobile_is_refused_with_a_clear_message(
        members_app, written, message):
    from flask_babel import force_locale

    with force_locale("en"):
        with pytest.raises(PhoneNumberError) as caught:
            normalize_mobile(written)
        assert isinstance(caught.value, ValueError)
        assert message in str(caught.value)


def test_refusal_messages_do_not_repeat_the_number(members_app):
    with pytest.raises(PhoneNumberError) as caught:
        normalize_mobile("12812345678")
    assert "12812345678" not in str(caught.value)


def test_refusal_is_translated_for_chinese_staff(make_app):
    from flask_babel import force_locale

    from zhanggui.cli import translations_compile_command

    first = make_app(plugins=["members"])
    with first.app_context():      # catalogs ship as .po; the CLI compiles them
        result = first.test_cli_runner().invoke(translations_compile_command)
        assert result.exit_code == 0, result.output
    app = make_app(plugins=["members"], migrate=False)
    with app.app_context():
        for lang, word in (("zh_CN", "手机"), ("zh_TW", "手機"), ("en", "mobile")):
            with force_locale(lang):
                with pytest.raises(PhoneNumberError) as caught:
                    normalize_mobile("12800138000")
                message = str(caught.value)    # lazy: rendered in the current locale
            assert "13" in message and word in message, (lang, message)


def test_masked_number_shows_the_first_three_and_last_four_digits():
    assert mask_mobile("13800138000") == "138****8000"
    assert mask_mobile(None) == ""
    assert "1380" not in mask_mobile("1380013800")
