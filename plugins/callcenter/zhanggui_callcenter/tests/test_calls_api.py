"""A PBX connector reports calls to POST /api/v1/callcenter/calls; the call log keeps
them once, linked to the member and the agent."""
from zhanggui_callcenter.calls.models import Call, CallEvent
from zhanggui_callcenter.screenpop.models import PopEvent
from zhanggui_callcenter.tests.conftest import Connector, api_key, make_agent


def _count(app, model):
    with app.app_context():
        return model.select().count()


def test_a_call_rings_is_answered_and_ends_in_the_log(cc_app, pbx, member):
    make_agent(cc_app, "li", "8001")
    started = pbx.event("c-1", "started", caller="+86 138-0013-8000", extension="8001",
                        occurred_at="2026-03-02T02:00:00Z")
    assert started.status_code == 201
    call = started.get_json()["call"]
    assert call["phone"] == "+8613800138000" and call["member_id"] == member
    assert call["state"] == "ringing" and call["extension"] == "8001"
    assert pbx.event("c-1", "answered", occurred_at="2026-03-02T02:00:05Z").status_code == 201
    ended = pbx.event("c-1", "ended", occurred_at="2026-03-02T02:03:05Z",
                      recording_url="https://pbx.example.com/rec/c-1.wav",
                      outcome="resolved", notes="问积分")
    assert ended.status_code == 201
    body = ended.get_json()["call"]
    assert body["state"] == "ended" and body["duration_seconds"] == 180
    with cc_app.app_context():
        stored = Call.get()
        assert stored.recording_url.endswith("c-1.wav") and stored.notes == "问积分"
        assert stored.agent.extension == "8001"


def test_a_replayed_event_gets_the_same_answer_and_changes_nothing(cc_app, pbx, member):
    first = pbx.event("c-2", "started", caller="13800138000", extension="8009",
                      occurred_at="2026-03-02T02:00:00Z")
    again = pbx.event("c-2", "started", caller="13800138000", extension="8009",
                      occurred_at="2026-03-02T02:00:00Z")
    assert first.status_code == 201 and again.status_code == 200
    assert again.get_data() == first.get_data()
    assert _count(cc_app, Call) == 1 and _count(cc_app, CallEvent) == 1


def test_the_same_event_with_other_details_is_refused_with_409(cc_app, pbx, member):
    pbx.event("c-3", "started", caller="13800138000", occurred_at="2026-03-02T02:00:00Z")
    other = pbx.event("c-3", "started", caller="13900139000",
                      occurred_at="2026-03-02T02:00:00Z")
    assert other.status_code == 409
    with cc_app.app_context():
        assert Call.get().phone == "+8613800138000"


def test_bad_bodies_get_field_messages_and_nothing_is_written(cc_app, pbx):
    cases = [
        ({"event": "started", "caller": "13800138000"}, "call_id"),
        ({"call_id": "x", "event": "exploded", "caller": "13800138000"}, "event"),
        ({"call_id": "x", "event": "started"}, "caller"),
        ({"call_id": "x", "event": "started", "caller": "+1 415 555 0100"}, "caller"),
        ({"call_id": "x\x00y", "event": "started", "caller": "13800138000"}, "call_id"),
        ({"call_id": "x" * 5000, "event": "started", "caller": "13800138000"}, "call_id"),
        ({"call_id": "x", "event": "started", "caller": "13800138000",
          "occurred_at": "9999-01-01T00:00:00Z"}, "occurred_at"),
        ({"call_id": "x", "event": "started", "caller": "13800138000",
          "occurred_at": "2026-03-02T02:00:00"}, "occurred_at"),
        ({"call_id": "x", "event": "ended", "caller": "13800138000",
          "recording_url": "javascript:alert(1)"}, "recording_url"),
        ({"call_id": "x", "event": "answered"}, "caller"),
    ]
    for body, field in cases:
        response = pbx.post(body)
        assert response.status_code == 422, body
        assert field in response.get_json()["message"], (body, response.get_json())
    assert pbx.post(["not", "an", "object"]).status_code == 422
    assert _count(cc_app, Call) == 0 and _count(cc_app, CallEvent) == 0


def test_numbers_of_taiwan_hong_kong_and_macau_are_kept_in_e164(cc_app, pbx):
    for call_id, caller, e164 in [("t", "0912 345 678", "+886912345678"),
                                  ("h", "+852 9123 4567", "+85291234567"),
                                  ("m", "00853 6612 3456", "+85366123456")]:
        body = pbx.event(call_id, "started", caller=caller).get_json()
        assert body["call"]["phone"] == e164 and body["call"]["member_id"] is None


def test_an_unknown_caller_is_linked_once_they_become_a_member(cc_app, pbx):
    from zhanggui_callcenter.calls.service import relink_unknown_callers
    from zhanggui_members.profile.services import register_member

    pbx.event("c-4", "started", caller="13700137000")
    with cc_app.app_context():
        assert Call.get().member_id is None
        new = register_member(name="新会员", phone="137 0013 7000")
        assert relink_unknown_callers() == 1
        assert Call.get().member_id == new.id
        assert relink_unknown_callers() == 0           # running it again changes nothing


def test_only_connectors_may_post_calls(cc_app, pbx):
    agent_key = api_key(cc_app, "agent-key", "Call-center agent")
    agent = Connector(cc_app, agent_key)
    assert agent.event("c-5", "started", caller="13800138000").status_code == 403
    anonymous = cc_app.test_client().post("/api/v1/callcenter/calls",
                                          json={"call_id": "c", "event": "started"})
    assert anonymous.status_code == 401
    assert _count(cc_app, Call) == 0


def test_a_call_ringing_at_an_extension_pops_for_that_agent_only(cc_app, pbx, member):
    li = make_agent(cc_app, "li", "8001")
    make_agent(cc_app, "zhang", "8002")
    pbx.event("c-6", "started", caller="13800138000", extension="8001")
    pbx.event("c-6", "answered", extension="8001")
    with cc_app.app_context():
        assert [p.agent_id for p in PopEvent.select()] == [li]


def test_the_call_schemas_are_in_the_openapi_document(cc_app, admin_client):
    spec = admin_client.get("/api/v1/_openapi").get_json()
    schemas = spec["components"]["schemas"]
    assert "call_id" in schemas["CallEventSchema"]["properties"]
    post = spec["paths"]["/api/v1/callcenter/calls"]["post"]
    assert post["requestBody"]["content"]["application/json"]["schema"]["$ref"] \
        == "#/components/schemas/CallEventSchema"
    assert "/api/v1/callcenter/screen-pop" in spec["paths"]
