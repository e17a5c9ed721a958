"""A call rings at an agent's extension: the screen pop reaches that agent's browser
and nobody else's, also when the PBX reports the call to another server process than
the one the agent's browser talks to (the pops travel through the database)."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from zhanggui.testing import ADMIN_PASSWORD

PLUGINS = "callcenter,members,loyalty"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def cc_app(make_app):
    return make_app(plugins=PLUGINS.split(","))


@pytest.fixture
def second_server(cc_app, database_url, tmp_path):
    """The same app in another process: gunicorn with two workers on the same database."""
    port = _free_port()
    env = {**os.environ, "ZHANGGUI_DATABASE_URL": database_url,
           "ZHANGGUI_INSTANCE_PATH": str(tmp_path / "instance"),
           "ZHANGGUI_SECRET_KEY": "test-secret-key", "ZHANGGUI_PLUGINS": PLUGINS,
           "ZHANGGUI_QUEUE_URL": "immediate://"}
    log = open(tmp_path / "gunicorn.log", "wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "2",
         "--worker-class", "gthread", "--threads", "4", "--log-level", "warning",
         "zhanggui.app:create_app()"],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                pytest.fail((tmp_path / "gunicorn.log").read_text())
            try:
                urllib.request.urlopen(url + "/login/", timeout=5)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(30)
        log.close()


@pytest.fixture
def live_server(cc_app):
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, cc_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def pbx_key(cc_app):
    from zhanggui.users import create_user
    from zhanggui_callcenter.calls.models import Agent
    from zhanggui_members.profile.services import register_member

    with cc_app.app_context():
        for username, extension in (("li", "8001"), ("zhang", "8002")):
            user = create_user(username, ADMIN_PASSWORD, role="Call-center agent")
            Agent.create(user_id=user.id, display_name=username, extension=extension)
        register_member(name="王芳", phone="13800138000")
        connector = create_user("pbx", ADMIN_PASSWORD, role="CTI connector")
    with cc_app.test_request_context():
        sm = cc_app.appbuilder.sm
        return sm.create_api_key(sm.get_user_by_id(connector.id), "pbx")["key"]


def _ring(base_url, key, call_id, caller, extension):
    body = json.dumps({"call_id": call_id, "event": "started", "caller": caller,
                       "extension": extension}).encode()
    request = urllib.request.Request(f"{base_url}/api/v1/callcenter/calls", data=body,
                                     headers={"Authorization": f"Bearer {key}",
                                              "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 201


def test_the_pop_reaches_only_the_ringing_agents_browser_across_two_servers(
        live_server, second_server, pbx_key, browser, sign_in, screenshot):
    li = browser.new_context(locale="en-US").new_page()
    zhang = browser.new_context(locale="en-US").new_page()
    for page, base, name in ((li, live_server, "li"), (zhang, second_server, "zhang")):
        page.set_default_timeout(20000)
        sign_in(page, base, name, ADMIN_PASSWORD)
        page.goto(f"{base}/callcenter/console/")
        page.wait_for_selector("#zg-pop .zg-waiting")

    # the PBX reports li's call to the other process than li's browser talks to
    _ring(second_server, pbx_key, "call-1", "+86 138 0013 8000", "8001")
    li.wait_for_selector(".zg-pop-member:has-text('王芳')")
    assert "+8613800138000" in li.locator("#zg-pop").inner_text()
    screenshot(li, "li-popped")

    _ring(live_server, pbx_key, "call-2", "13912345678", "8002")
    zhang.wait_for_selector(".zg-pop-phone:has-text('+8613912345678')")
    assert "Not a member" in zhang.locator("#zg-pop").inner_text()
    time.sleep(3)                 # two more polling rounds for each browser
    assert "王芳" not in zhang.locator("#zg-pop").inner_text()
    assert "+8613912345678" not in li.locator("#zg-pop").inner_text()
    screenshot(zhang, "zhang-popped")
    li.context.close()
    zhang.context.close()
