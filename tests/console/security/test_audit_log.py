"""The audit log records who viewed, exported or changed what; tampering shows."""
from __future__ import annotations

import os
import threading

import pytest

from zhanggui.console.audit import AuditEntry, record, verify


def entries(app, **where):
    with app.app_context():
        query = AuditEntry.select().order_by(AuditEntry.seq)
        for name, value in where.items():
            query = query.where(getattr(AuditEntry, name) == value)
        return [(e.action, e.resource, e.record_pk, e.fields, e.user_name) for e in query]


def test_showing_a_customer_is_audited_with_who_and_which_record(app, signed_in, shop):
    staff = signed_in("sh_staff", "Store staff", stores=["SH001"])
    assert staff.get(f"/sectest/customers/show/{shop['sh_a']}").status_code == 200
    assert entries(app, action="view") == [
        ("view", "sectest_customer", str(shop["sh_a"]), "", "sh_staff")]


def test_an_edit_records_the_changed_field_names_but_never_their_values(app, signed_in, shop, sec):
    staff = signed_in("sh_staff", "Store staff", stores=["SH001"])
    page = staff.get(f"/sectest/customers/edit/{shop['sh_a']}").get_data(as_text=True)
    staff.post(f"/sectest/customers/edit/{shop['sh_a']}", data={
        "csrf_token": sec.csrf_token(page), "name": "Wang Fang",
        "phone": "13812345678", "home_store": str(shop["sh"])})
    assert entries(app, action="update") == [
        ("update", "sectest_customer", str(shop["sh_a"]), "phone", "sh_staff")]
    with app.app_context():
        for entry in AuditEntry.select():
            assert "13812345678" not in repr(entry.__data__)


def test_api_create_export_and_delete_are_audited(app, signed_in, shop, sec, client):
    signed_in("mkt", "Marketing")
    auth = {"Authorization": f"Bearer {sec.jwt_for(client, 'mkt')['access_token']}"}
    created = client.post("/api/v1/sectest_customer/", headers=auth, json={
        "name": "Qian Yu", "phone": "13700000000", "home_store": shop["sh"]})
    assert created.status_code == 201
    assert client.get("/api/v1/sectest_customer/", headers=auth).status_code == 200
    assert client.delete(f"/api/v1/sectest_customer/{created.json['id']}",
                         headers=auth).status_code == 200
    actions = [(a, pk, fields) for a, _res, pk, fields, _u in entries(app)
               if a in ("create", "export", "delete")]
    pk = str(created.json["id"])
    assert actions[0] == ("create", pk, "home_store,name,phone")
    assert actions[1][0] == "export"
    assert actions[2] == ("delete", pk, "")


def test_a_refused_write_leaves_no_audit_entry(app, signed_in, shop, sec, client):
    signed_in("mkt", "Marketing")
    auth = {"Authorization": f"Bearer {sec.jwt_for(client, 'mkt')['access_token']}"}
    refused = client.post("/api/v1/sectest_customer/", headers=auth, json={
        "name": "Nobody", "phone": "1", "home_store": 99999})
    assert refused.status_code == 422
    assert entries(app, action="create") == []


def test_signing_in_is_audited(app, signed_in):
    signed_in("mgr", "Store manager")
    assert entries(app, action="login") == [("login", "session", entries(app)[0][2], "", "mgr")]


def test_failed_sign_ins_are_audited_without_the_password(app, create_user, login, client):
    create_user("mgr", "Store manager")
    with app.app_context():
        mgr = str(app.appbuilder.sm.find_user(username="mgr").id)
    assert login(client, "mgr", "Wrong-guess-1").status_code == 302  # back to the form
    refused = client.post("/api/v1/security/login", json={
        "username": "mgr", "password": "Wrong-guess-2", "provider": "db"})
    assert refused.status_code == 401
    login(client, "Secret-typed-in-the-wrong-box", "whatever-else")
    assert entries(app, action="login-failed") == [
        ("login-failed", "User", mgr, "password", ""),
        ("login-failed", "User", mgr, "password", ""),
        ("login-failed", "User", None, "username", "")]
    with app.app_context():
        rows = [repr(e.__data__) for e in AuditEntry.select()]
    for secret in ("Wrong-guess", "whatever-else", "Secret-typed"):
        assert not any(secret in row for row in rows), secret
    assert verify_chain(app)


def verify_chain(app) -> bool:
    with app.app_context():
        return verify().ok


def test_a_plugin_records_an_unmasking_with_record(app, create_user):
    with app.test_request_context(headers={"User-Agent": "pytest-browser"},
                                  environ_base={"REMOTE_ADDR": "10.1.2.3"}):
        entry = record("view", "members_member", pk=42, fields=["phone"])
    assert (entry.action, entry.record_pk, entry.fields) == ("view", "42", "phone")
    assert (entry.ip, entry.user_agent) == ("10.1.2.3", "pytest-browser")
    with pytest.raises(ValueError):
        with app.app_context():
            record("peek", "members_member")


def _fill(app, n=5):
    with app.app_context():
        for i in range(n):
            record("view", "members_member", pk=i, fields=["phone"])


def _drop_triggers(app):
    with app.app_context():
        db = app.extensions["zhanggui"].db
        from zhanggui.db import backend

        if backend(db) == "sqlite":
            db.execute_sql("DROP TRIGGER zhanggui_audit_log_no_update")
            db.execute_sql("DROP TRIGGER zhanggui_audit_log_no_delete")
        else:
            db.execute_sql("DROP TRIGGER zhanggui_audit_log_append_only ON zhanggui_audit_log")


def test_the_log_refuses_updates_and_deletes(app):
    _fill(app, 2)
    with app.app_context():
        with pytest.raises(Exception, match="append-only"):
            AuditEntry.update(user_name="someone else").execute()
        app.extensions["zhanggui"].db.close()
    with app.app_context():
        with pytest.raises(Exception, match="append-only"):
            AuditEntry.delete().execute()
        app.extensions["zhanggui"].db.close()
    with app.app_context():
        assert verify().ok and verify().checked == 2


def test_verify_names_the_first_altered_entry(app):
    _fill(app)
    _drop_triggers(app)
    with app.app_context():
        AuditEntry.update(fields="email").where(AuditEntry.seq == 3).execute()
        report = verify()
    assert (report.ok, report.broken_seq, report.checked) == (False, 3, 2)


def test_verify_notices_a_removed_entry_and_a_rewritten_hash(app):
    _fill(app)
    _drop_triggers(app)
    with app.app_context():
        AuditEntry.delete().where(AuditEntry.seq == 2).execute()
        assert verify().broken_seq == 2
        # re-hashing an altered entry breaks the link of the next one
        third = AuditEntry.get(AuditEntry.seq == 3)
        third.fields = "email"
        third.row_hash = third.compute_hash()
        third.save()
        AuditEntry.create(**{**AuditEntry.get(AuditEntry.seq == 1).__data__, "id": None,
                             "seq": 2, "prev_hash": "f" * 64, "row_hash": "f" * 64})
        assert verify().broken_seq == 2


def test_the_cli_exits_1_naming_the_broken_entry(app):
    _fill(app, 3)
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["audit", "verify"])
    assert ok.exit_code == 0 and "3" in ok.output
    _drop_triggers(app)
    with app.app_context():
        AuditEntry.delete().where(AuditEntry.seq == 3).execute()
    broken = runner.invoke(args=["audit", "verify"])
    assert broken.exit_code == 1
    assert "3" in broken.output  # the entry's number, in the terminal's language


def test_concurrent_writers_never_fork_the_chain(app):
    threads_n, per_thread = 6, 15
    errors = []

    def writer(n):
        try:
            with app.app_context():
                db = app.extensions["zhanggui"].db
                for i in range(per_thread):
                    record("export", "members_member", pk=f"{n}-{i}")
                db.close()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(threads_n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with app.app_context():
        report = verify()
        seqs = [e.seq for e in AuditEntry.select(AuditEntry.seq).order_by(AuditEntry.seq)]
    assert report.ok, report
    assert seqs == list(range(1, threads_n * per_thread + 1))


@pytest.mark.skipif(not os.environ.get("ZHANGGUI_TEST_DATABASE_URL", "").startswith("postgres"),
                    reason="the row lock is PostgreSQL's")
def test_on_postgresql_a_second_writer_waits_for_the_chain_head(app):
    """While one transaction holds the head, another writer blocks, then links after it."""
    started, release, done = threading.Event(), threading.Event(), threading.Event()

    def first():
        with app.app_context():
            db = app.extensions["zhanggui"].db
            with db.atomic():
                record("view", "members_member", pk="first")
                started.set()
                release.wait(10)
            db.close()

    def second():
        started.wait(10)
        with app.app_context():
            record("view", "members_member", pk="second")
            app.extensions["zhanggui"].db.close()
        done.set()

    t1, t2 = threading.Thread(target=first), threading.Thread(target=second)
    t1.start(), t2.start()
    assert not done.wait(1.0), "the second writer did not wait for the chain head"
    release.set()
    t1.join(), t2.join()
    with app.app_context():
        assert [e.record_pk for e in AuditEntry.select().order_by(AuditEntry.seq)] == \
            ["first", "second"]
        assert verify().ok


def test_the_auditor_reads_the_log_but_no_write_route_exists(app, signed_in, sec, client):
    _fill(app, 2)
    auditor = signed_in("aud", "Auditor")
    page = auditor.get("/auditlog/list/")
    assert page.status_code == 200 and "members_member" in page.get_data(as_text=True)
    with app.app_context():
        pk = AuditEntry.get(AuditEntry.seq == 1).id
    assert auditor.get(f"/auditlog/show/{pk}").status_code == 200
    for url in ("/auditlog/add", f"/auditlog/edit/{pk}", f"/auditlog/delete/{pk}"):
        assert auditor.get(url).status_code == 404
        assert auditor.post(url).status_code in (400, 404)
    auth = {"Authorization": f"Bearer {sec.jwt_for(client, 'aud')['access_token']}"}
    assert client.get("/api/v1/audit_log/", headers=auth).status_code == 200
    assert client.post("/api/v1/audit_log/", headers=auth, json={}).status_code == 405
    assert client.put(f"/api/v1/audit_log/{pk}", headers=auth, json={}).status_code == 405
    assert client.delete(f"/api/v1/audit_log/{pk}", headers=auth).status_code == 405


def test_the_auditor_has_no_write_rights_anywhere(app):
    with app.app_context():
        role = app.appbuilder.sm.find_role("Auditor")
        writes = [str(pv) for pv in role.permissions
                  if pv.permission.name in ("can_add", "can_edit", "can_delete", "can_post",
                                            "can_put", "can_this_form_post")
                  and pv.view_menu.name != "ResetMyPasswordView"]
    assert writes == []


def test_other_roles_cannot_read_the_audit_log(signed_in):
    staff = signed_in("staff", "Store staff", stores=["SH001"])
    assert staff.get("/auditlog/list/").status_code == 403
