"""A till or the call center looks a member up by phone or card: GET /api/v1/members/lookup."""
import pytest

from zhanggui_members.profile.services import register_member
from zhanggui_members.tests.helpers import sale_body

URL = "/api/v1/members/lookup"


@pytest.fixture
def member(pos_app, till):
    from zhanggui_members.profile.models import Store

    with pos_app.app_context():
        member = register_member(name="王秀英", phone="13800138000", card_no="600001",
                                 home_store=Store.get(Store.code == "SH01"))
    till.sale(sale_body(member={"card": "600001"}))
    return member


def test_a_member_is_found_by_phone_however_written_and_shown_masked(till, member):
    response = till.get(URL, query_string={"phone": "+86 138-0013-8000"})
    assert response.status_code == 200
    found = response.get_json()["member"]
    assert found["id"] == member.id and found["name"] == "王秀英"
    assert found["phone"] == "138****8000" and "13800138000" not in response.get_data(True)
    assert found["home_store"]["code"] == "SH01"
    assert found["purchases"] == {"count": 1, "last_at": "2025-11-11T02:30:00+00:00",
                                  "net_spent": "1387.90"}


def test_a_member_is_found_by_card(till, member):
    assert till.get(URL, query_string={"card": "6000 01"}).get_json()["member"]["id"] == member.id


def test_an_unknown_member_is_404_and_bad_input_422(till, member):
    assert till.get(URL, query_string={"phone": "13900000000"}).status_code == 404
    assert till.get(URL, query_string={"card": "999"}).status_code == 404
    malformed = till.get(URL, query_string={"phone": "021-6279 0000"})
    assert malformed.status_code == 422 and "phone" in malformed.get_json()["message"]
    assert till.get(URL).status_code == 422


def test_the_lookup_needs_a_token(pos_app, member):
    assert pos_app.test_client().get(URL, query_string={"card": "600001"}).status_code == 401
