"""Members of the Taipei, Hong Kong and Macau stores keep their local mobile numbers:
stored in E.164, found however staff or a till write them, and numbers stored before
E.164 are rewritten by the migration ``0009_phones_e164``."""
import pytest

from zhanggui_members.profile.crypto import phone_cipher
from zhanggui_members.profile.models import Member, Store
from zhanggui_members.profile.services import find_member, member_phone, register_member


def _store(code, country, currency="CNY", tz="Asia/Shanghai"):
    return Store.create(code=code, name=code, city=code, region=code, currency=currency,
                        timezone=tz, country=country)


@pytest.fixture
def chain(members_app):
    return {"SH01": _store("SH01", "CN"), "TP01": _store("TP01", "TW", "TWD", "Asia/Taipei"),
            "HK01": _store("HK01", "HK", "HKD", "Asia/Hong_Kong"),
            "MO01": _store("MO01", "MO", "HKD", "Asia/Macau")}


def test_a_bare_number_takes_the_home_stores_region_and_is_stored_in_e164(chain):
    taipei = register_member(name="陳怡君", phone="0912 345 678", home_store=chain["TP01"])
    macau = register_member(name="何嘉欣", phone="6312 3456", home_store=chain["MO01"])
    hong_kong = register_member(name="李嘉欣", phone="6312 3456", home_store=chain["HK01"])
    assert member_phone(taipei) == "+886912345678"
    assert member_phone(macau) == "+85363123456" and member_phone(hong_kong) == "+85263123456"
    stored = Member.get_by_id(taipei.id)
    assert stored.phone_hash == phone_cipher().lookup_hash("+886912345678")
    assert stored.phone_last4 == "5678" and stored.masked_phone() == "+886 9****5678"


@pytest.mark.parametrize("written, region", [
    ("0912345678", None), ("0912 345 678", "TW"), ("912345678", "TW"),
    ("+886 912 345 678", None), ("00886-912-345-678", "HK"), ("+886912345678", "CN"),
])
def test_a_taipei_member_is_found_by_national_and_international_number(chain, written, region):
    member = register_member(name="陳怡君", phone="0912345678", home_store=chain["TP01"])
    register_member(name="王秀英", phone="13800138000", home_store=chain["SH01"])
    assert find_member(phone=written, region=region).id == member.id


def test_a_number_of_two_regions_finds_the_member_who_has_it(chain):
    macau = register_member(name="何嘉欣", phone="+853 6312 3456", home_store=chain["MO01"])
    assert find_member(phone="63123456").id == macau.id            # HK first: nobody
    assert find_member(phone="6312-3456", region="HK").id == macau.id
    hong_kong = register_member(name="李嘉欣", phone="+852 6312 3456", home_store=chain["HK01"])
    assert find_member(phone="63123456", region="HK").id == hong_kong.id
    assert find_member(phone="63123456", region="MO").id == macau.id
    assert find_member(phone="+852 63123456", region="MO").id == hong_kong.id


def test_a_mainland_mobile_registered_in_taipei_stays_a_mainland_number(chain):
    member = register_member(name="王秀英", phone="13800138000", home_store=chain["TP01"])
    assert member_phone(member) == "+8613800138000"
    assert find_member(phone="138 0013 8000", region="TW").id == member.id


def test_the_phone_region_setting_reads_bare_numbers_without_a_store(make_app):
    app = make_app(plugins=["members"], config={"PHONE_REGION": "HK"})
    with app.app_context():
        member = register_member(name="李嘉欣", phone="6312 3456")
        assert member_phone(member) == "+85263123456"
        assert find_member(phone="63123456").id == member.id


def test_the_till_and_the_lookup_api_take_local_spellings(pos_app):
    from zhanggui_members.tests.conftest import PosClient, api_token
    from zhanggui_members.tests.helpers import sale_body

    with pos_app.app_context():
        taipei = _store("TP01", "TW", "TWD", "Asia/Taipei")
        member = register_member(name="陳怡君", phone="+886 912 345 678", home_store=taipei)
    till = PosClient(pos_app, api_token(pos_app, "pos-tp01", "POS terminal", stores=("TP01",)))
    body = sale_body("TP01-20251111-0001", member={"phone": "0912-345-678"}, store="TP01")
    answer = till.sale(body)
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["member"]["id"] == member.id
    for written in ("0912345678", "+886912345678", "00886 912 345 678"):
        found = till.get("/api/v1/members/lookup", query_string={"phone": written})
        assert found.status_code == 200 and found.get_json()["member"]["id"] == member.id
    refused = till.sale(sale_body("TP01-20251111-0002", member={"phone": "02 2345 6789"},
                                  store="TP01"))
    assert refused.status_code == 422
    assert "09" in refused.get_json()["message"]["member"]["phone"][0]
