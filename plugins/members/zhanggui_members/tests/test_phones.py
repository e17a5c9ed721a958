"""Staff type phone numbers every which way, in four regions; they must all find the
same member, stored as one E.164 number."""
import pytest

from zhanggui_members.profile.phones import (PhoneNumberError, display_phone, mask_mobile,
                                             mobile_candidates, normalize_mobile)


@pytest.mark.parametrize("written", [
    "13800138000", "138 0013 8000", "138-0013-8000", "+86 138 0013 8000", "+8613800138000",
    "0086 138-0013-8000", "(+86) 138 0013 8000", "+86 (138) 0013-8000", "86 13800138000",
    "１３８００１３８０００", " 138.0013.8000 ",
])
def test_every_common_way_of_writing_a_mainland_mobile_gives_the_same_e164(written):
    assert normalize_mobile(written) == "+8613800138000"


@pytest.mark.parametrize("written, region, e164", [
    ("0912 345 678", "TW", "+886912345678"),
    ("0912-345-678", "TW", "+886912345678"),
    ("912345678", "TW", "+886912345678"),
    ("+886 912 345 678", None, "+886912345678"),
    ("00886 912 345 678", "HK", "+886912345678"),
    ("9123 4567", "HK", "+85291234567"),
    ("+852 9123 4567", "CN", "+85291234567"),
    ("6612 3456", "MO", "+85366123456"),
    ("+853 6612 3456", "TW", "+85366123456"),
    ("13800138000", "TW", "+8613800138000"),    # a mainland mobile typed in Taipei
    ("0912345678", "CN", "+886912345678"),      # a mobile in Taiwan only
    ("91234567", "CN", "+85291234567"),         # a mobile in Hong Kong only
    ("63123456", "HK", "+85263123456"),         # Hong Kong's and Macau's: the store's
    ("63123456", "MO", "+85363123456"),
])
def test_a_bare_number_is_read_in_the_stores_region(written, region, e164):
    assert normalize_mobile(written, region) == e164


@pytest.mark.parametrize("written, region, message", [
    ("", "CN", "Enter a mobile phone number."),
    (None, "CN", "Enter a mobile phone number."),
    ("1380013800", "CN", "has 11 digits and starts with 13 to 19"),
    ("12800138000", "CN", "has 11 digits and starts with 13 to 19"),
    ("+86 21 6279 0000", "CN", "has 11 digits and starts with 13 to 19"),   # a landline
    ("02 2345 6789", "TW", "A Taiwan mobile number has 10 digits and starts with 09"),
    ("+886 2 2345 6789", "CN", "A Taiwan mobile number has 10 digits and starts with 09"),
    ("2123 4567", "HK", "not a Hong Kong mobile number"),
    ("+852 2123 4567", "CN", "not a Hong Kong mobile number"),
    ("2812 3456", "MO", "A Macau mobile number has 8 digits and starts with 6"),
    ("63123456", "CN", "more than one region"),
    ("+1 650 253 0000", "CN", "Only mobile numbers of mainland China (+86), Taiwan (+886)"),
    ("0044 20 7946 0000", "CN", "Only mobile numbers of mainland China (+86)"),
    ("138-0013-800a", "CN", "may contain only digits"),
    ("138/0013/8000", "TW", "may contain only digits"),
    ("1" * 41, "CN", "This is not a phone number."),
])
def test_a_number_that_is_no_mobile_of_the_chain_is_refused_with_a_clear_message(
        members_app, written, region, message):
    from flask_babel import force_locale

    with force_locale("en"):
        with pytest.raises(PhoneNumberError) as caught:
            normalize_mobile(written, region)
        assert isinstance(caught.value, ValueError)
        assert message in str(caught.value)


def test_a_look_up_tries_every_region_where_the_number_is_a_mobile():
    assert mobile_candidates("63123456", "MO") == ["+85363123456", "+85263123456"]
    assert mobile_candidates("63123456", "HK") == ["+85263123456", "+85363123456"]
    assert mobile_candidates("+853 6312 3456", "HK") == ["+85363123456"]
    assert mobile_candidates("0212345678", "TW") == []


def test_refusal_messages_do_not_repeat_the_number(members_app):
    for written, region in (("12812345678", "CN"), ("0223456789", "TW"), ("21234567", "HK")):
        with pytest.raises(PhoneNumberError) as caught:
            normalize_mobile(written, region)
        assert written not in str(caught.value)


def test_refusal_is_translated_for_chinese_staff(make_app):
    from flask_babel import force_locale

    from zhanggui.cli import translations_compile_command

    first = make_app(plugins=["members"])
    with first.app_context():      # catalogs ship as .po; the CLI compiles them
        result = first.test_cli_runner().invoke(translations_compile_command)
        assert result.exit_code == 0, result.output
    app = make_app(plugins=["members"], migrate=False)
    with app.app_context():
        for lang, words in (("zh_CN", ("手机", "台湾", "香港", "澳门", "区号")),
                            ("zh_TW", ("手機", "台灣", "香港", "澳門", "區號")),
                            ("en", ("mobile", "Taiwan", "Hong Kong", "Macau", "country code"))):
            with force_locale(lang):
                messages = []
                for written, region in (("12800138000", "CN"), ("0223456789", "TW"),
                                        ("21234567", "HK"), ("28123456", "MO"),
                                        ("63123456", "CN")):
                    with pytest.raises(PhoneNumberError) as caught:
                        normalize_mobile(written, region)
                    messages.append(str(caught.value))   # lazy: rendered in this locale
            text = " ".join(messages)
            assert "13" in messages[0] and all(w in text for w in words), (lang, text)


def test_masked_numbers_hide_at_least_four_digits_and_keep_a_foreign_country_code():
    assert mask_mobile("+8613800138000") == "138****8000"
    assert mask_mobile("13800138000") == "138****8000"          # as stored before E.164
    assert mask_mobile("+886912345678") == "+886 9****5678"
    assert mask_mobile("+886912345678", "TW") == "9****5678"
    assert mask_mobile("+85291234567") == "+852 ****4567"
    assert mask_mobile("+85366123456") == "+853 ****3456"
    assert mask_mobile("+8613800138000", "HK") == "+86 138****8000"
    assert mask_mobile(None) == ""
    assert "1380" not in mask_mobile("1380013800")


def test_a_revealed_number_reads_as_written_in_its_region():
    assert display_phone("+8613800138000") == "138 0013 8000"
    assert display_phone("+886912345678") == "+886 912 345 678"
    assert display_phone("+886912345678", "TW") == "0912 345 678"
    assert display_phone("+85291234567") == "+852 9123 4567"
