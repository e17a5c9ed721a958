"""Two send workers (real processes) share a 10,000-member campaign through a real
SMTP server; one is killed mid-send.  Every consenting member gets exactly one
message, nobody else gets any, and members who withdraw while still queued get none."""
from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from .conftest import Sink, free_port, make_campaign

SIZE = 10_000
KILL_AT = 400


def bulk_chain(n: int) -> tuple[set, set]:
    """``n`` members; 9 in 10 have an address, 8 in 10 consent to e-mail.  Returns
    (addresses that may be mailed, every address)."""
    from zhanggui import utcnow, write_transaction
    from zhanggui_members.consent.service import ensure_texts
    from zhanggui_members.consent.models import ConsentRecord, ConsentState
    from zhanggui_members.marketing.emails import email_cipher
    from zhanggui_members.marketing.models import MemberEmail
    from zhanggui_members.profile.models import Member, Store

    now = utcnow()
    ensure_texts([("email", "v1", "同意", "同意", "I agree",
                   dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc))])
    store = Store.create(code="SH01", name="SH01", city="上海", region="华东")
    cipher = email_cipher()
    mailable, every = set(), set()
    with write_transaction():
        for start in range(0, n, 1000):
            rows = [{"id": i + 1, "name": f"会员{i}", "home_store": store.id, "joined_at": now,
                     "join_channel": "store", "lifecycle_stage": "active", "gender": "unknown"}
                    for i in range(start, min(n, start + 1000))]
            Member.insert_many(rows).execute()
            emails, records, states = [], [], []
            for row in rows:
                i = row["id"] - 1
                address = f"m{i}@example.com"
                if i % 10 != 9:
                    emails.append({"member": row["id"], "email_encrypted": cipher.encrypt(address),
                                   "email_hash": cipher.lookup_hash(address), "updated_at": now})
                    every.add(address)
                if i % 10 not in (7, 8):
                    records.append({"id": row["id"], "member": row["id"], "channel": "email",
                                    "granted": True, "source": "store", "text_version": "v1",
                                    "recorded_at": now, "recorded_by": "test"})
                    states.append({"member": row["id"], "channel": "email", "granted": True,
                                   "changed_at": now, "record_id": row["id"]})
                    if i % 10 != 9:
                        mailable.add(address)
            MemberEmail.insert_many(emails).execute()
            ConsentRecord.insert_many(records).execute()
            ConsentState.insert_many(states).execute()
        # rows were written with their ids: move PostgreSQL's sequences past them, so
        # the consent changes made during the send get fresh ids
        from zhanggui.db import backend

        if backend(Member._meta.database) == "postgresql":
            for model in (Member, ConsentRecord):
                table = model._meta.table_name
                model._meta.database.execute_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))")
    return mailable, every


def _server(handler):
    from aiosmtpd.controller import Controller

    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, f"smtp://127.0.0.1:{port}"


def _worker(database_url, tmp_path, smtp_url, name):
    env = {**os.environ,
           "ZHANGGUI_DATABASE_URL": database_url, "ZHANGGUI_INSTANCE_PATH": str(tmp_path / "w"),
           "ZHANGGUI_SECRET_KEY": "test-secret-key", "ZHANGGUI_QUEUE_URL": "immediate://",
           "ZHANGGUI_PLUGINS": "members,campaigns", "ZHANGGUI_MARKETING_SMTP_URL": smtp_url,
           "ZHANGGUI_MARKETING_QUIET_HOURS": "", "ZHANGGUI_MARKETING_RATE_EMAIL": "0",
           "ZHANGGUI_MARKETING_LEASE_SECONDS": "3", "LANG": "C.UTF-8"}
    command = str(Path(sys.executable).parent / "zhanggui")
    return subprocess.Popen([command, "campaigns", "send",
                             str(1), "--worker", name, "--chunk", "100"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def test_a_killed_worker_loses_and_doubles_nothing(make_app, database_url, tmp_path):
    from zhanggui_campaigns.sending.launch import launch
    from zhanggui_campaigns.sending.models import Recipient
    from zhanggui_members.consent.service import record_consent

    from .conftest import TEST_SETTINGS

    app = make_app(plugins=["members", "campaigns"], config=dict(TEST_SETTINGS))
    with app.app_context():
        mailable, every = bulk_chain(SIZE)
        campaign = make_campaign({"all": [{"criterion": "members.store", "op": "in",
                                           "value": ["SH01"]}]})
        assert campaign.id == 1
        assert launch(campaign.id, start_jobs=False) == SIZE
    sink_a, sink_b = Sink(), Sink()
    killed = threading.Event()
    procs = {}

    def kill_a(number):
        if number == KILL_AT and not killed.is_set():
            os.kill(procs["a"].pid, signal.SIGKILL)  # while it waits for our 250
            killed.set()

    sink_a.on_message = kill_a
    server_a, url_a = _server(sink_a)
    server_b, url_b = _server(sink_b)
    try:
        procs["a"] = _worker(database_url, tmp_path, url_a, "worker-a")
        procs["b"] = _worker(database_url, tmp_path, url_b, "worker-b")
        # members who withdraw while their message is still queued
        deadline = time.monotonic() + 300
        while len(sink_b.messages) < 800 and time.monotonic() < deadline:
            time.sleep(0.05)
        with app.app_context():
            queued = [r.member_id for r in Recipient.select(Recipient.member_id)
                      .where(Recipient.status == "queued").order_by(Recipient.id.desc())
                      .limit(60)]
            for member_id in queued:
                record_consent(member_id, "email", False, "console")
        assert procs["a"].wait(timeout=600) == -signal.SIGKILL
        output_b = procs["b"].communicate(timeout=600)[0].decode()
        assert procs["b"].returncode == 0, output_b
        time.sleep(3.5)  # worker a's lease on what it had claimed runs out
        last = _worker(database_url, tmp_path, url_b, "worker-c")
        output_c = last.communicate(timeout=600)[0].decode()
        assert last.returncode == 0, output_c
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.kill()
        server_a.stop()
        server_b.stop()
    assert killed.is_set(), "worker a was killed mid-send"
    received = sink_a.addresses() + sink_b.addresses()
    with app.app_context():
        rows = list(Recipient.select(Recipient.member_id, Recipient.status))
        cancelled = {f"m{r.member_id - 1}@example.com" for r in rows if r.status == "cancelled"}
        sent = sum(1 for r in rows if r.status == "sent")
        assert not [r for r in rows if r.status in ("queued", "claimed")]
    assert cancelled, "some members withdrew while still queued"
    assert len(received) == len(set(received)), "nobody got a message twice"
    assert set(received) == mailable - cancelled
    assert not set(received) & (every - mailable), "nobody without consent got one"
    assert sent == len(received)
