"""The consent API keeps to the caller's stores like the 360° view, refuses text that
cannot be stored with field messages, and every read and change is audited."""
import pytest

from zhanggui.console.audit import AuditEntry
from zhanggui_members.consent.models import ConsentRecord, GuardianConsent
from zhanggui_members.tests.conftest import PosClient, api_token
from zhanggui_members.tests.test_consent import consent_app  # noqa: F401  (fixture)

GRANT = {"channel": "sms", "granted": True, "source": "store", "text_version": "v1"}


def _urls(member):
    base = f"/api/v1/members/{member}"
    return [(f"{base}/consents", GRANT), (f"{base}/consents/withdraw-all", {"source": "pos"}),
            (f"{base}/guardian-consent", {"guardian_name": "李娜", "relation": "母亲",
                                          "source": "store"})]


@pytest.mark.parametrize("role", ["Store manager", "Store staff", "POS terminal"])
def test_another_stores_member_is_not_found_for_reading_or_changing(consent_app, role):  # noqa: F811
    api = PosClient(consent_app, api_token(consent_app, "sh01-user", role, stores=("SH01",)))
    other = consent_app.beijing_id
    read = api.get(f"/api/v1/members/{other}/consents")
    assert read.status_code == 404 and "consents" not in read.get_json()
    for url, body in _urls(other):
        assert api.post(url, body).status_code == 404, url
    own = api.get(f"/api/v1/members/{consent_app.adult_id}/consents")
    assert own.status_code in (200, 403)   # 403: a role without the consent permission
    with consent_app.app_context():
        assert ConsentRecord.select().count() == 0 and GuardianConsent.select().count() == 0


def test_the_head_office_reaches_every_stores_member(consent_app):  # noqa: F811
    api = PosClient(consent_app, api_token(consent_app, "hq", "Head-office admin"))
    assert api.get(f"/api/v1/members/{consent_app.beijing_id}/consents").status_code == 200
    assert api.get("/api/v1/members/999999/consents").status_code == 404
    assert api.get(f"/api/v1/members/{2 ** 63}/consents").status_code == 404


def test_reads_and_changes_are_in_the_audit_log(consent_app):  # noqa: F811
    api = PosClient(consent_app, api_token(consent_app, "pos-sh01", "POS terminal",
                                           stores=("SH01",)))
    member, child = consent_app.adult_id, consent_app.child_id
    with consent_app.app_context():
        start = AuditEntry.select().count()
    assert api.get(f"/api/v1/members/{member}/consents").status_code == 200
    assert api.post(f"/api/v1/members/{member}/consents", GRANT).status_code == 201
    assert api.post(f"/api/v1/members/{member}/consents",
                    dict(GRANT, text_version="v9")).status_code == 422       # refused
    assert api.post(f"/api/v1/members/{child}/guardian-consent",
                    _urls(child)[2][1]).status_code == 201
    assert api.get(f"/api/v1/members/{consent_app.beijing_id}/consents").status_code == 404
    with consent_app.app_context():
        record = ConsentRecord.get()
        guardian = GuardianConsent.get()
        entries = [(e.action, e.resource, e.record_pk, e.user_name) for e in
                   AuditEntry.select().where(AuditEntry.seq > start).order_by(AuditEntry.seq)]
    assert entries == [("view", "members_member", str(member), "pos-sh01"),
                       ("create", "members_consent_record", str(record.id), "pos-sh01"),
                       ("create", "members_guardian_consent", str(guardian.id), "pos-sh01")]


BAD = {"nul": "v\x001", "surrogate": "v\ud8001", "huge": "v" * 1_000_000}


@pytest.mark.parametrize("kind", sorted(BAD))
@pytest.mark.parametrize("where", ["text_version", "guardian_name", "relation", "source"])
def test_text_that_cannot_be_stored_is_422_with_the_field_and_nothing_written(
        consent_app, where, kind):  # noqa: F811
    api = PosClient(consent_app, api_token(consent_app, "hq", "Head-office admin"))
    member = consent_app.child_id
    if where == "text_version":
        url, body = f"/api/v1/members/{member}/consents", dict(GRANT, text_version=BAD[kind])
    else:
        url, body = _urls(member)[2]
        body = dict(body, **{where: BAD[kind]})
    response = api.post(url, body)
    assert response.status_code == 422, response.get_data(as_text=True)[:200]
    assert list(response.get_json()["message"]) == [where]
    with consent_app.app_context():
        assert ConsentRecord.select().count() == 0 and GuardianConsent.select().count() == 0


@pytest.mark.parametrize("when", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00",
                                  "2026-13-01T00:00:00+08:00", "yesterday", 5, ["x"]])
def test_a_guardian_consent_time_that_does_not_exist_is_422(consent_app, when):  # noqa: F811
    api = PosClient(consent_app, api_token(consent_app, "hq", "Head-office admin"))
    url, body = _urls(consent_app.child_id)[2]
    response = api.post(url, dict(body, consented_at=when))
    assert response.status_code == 422
    assert list(response.get_json()["message"]) == ["consented_at"]


@pytest.mark.parametrize("granted", ["yes", 1, None, ["true"]])
def test_granted_must_be_true_or_false(consent_app, granted):  # noqa: F811
    api = PosClient(consent_app, api_token(consent_app, "hq", "Head-office admin"))
    response = api.post(f"/api/v1/members/{consent_app.adult_id}/consents",
                        dict(GRANT, granted=granted))
    assert response.status_code == 422 and list(response.get_json()["message"]) == ["granted"]


def test_the_openapi_document_declares_the_consent_bodies(consent_app):  # noqa: F811
    from zhanggui_members.consent.schemas import GuardianConsentRequest

    api = PosClient(consent_app, api_token(consent_app, "hq", "Head-office admin"))
    doc = api.get("/api/v1/_openapi").get_json()
    post = doc["paths"]["/api/v1/members/{member_id}/guardian-consent"]["post"]
    ref = post["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    declared = doc["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert set(declared["properties"]) == set(GuardianConsentRequest().fields)
    assert declared["properties"]["guardian_name"]["maxLength"] == 100
