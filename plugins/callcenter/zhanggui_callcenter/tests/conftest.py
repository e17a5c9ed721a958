"""Fixtures of the call-center tests: an app with members and loyalty, a PBX
connector holding a real API key, agents with extensions."""
from __future__ import annotations

import datetime as dt

import pytest

PLUGINS = ["callcenter", "members", "loyalty"]


class Connector:
    """Calls the API as a PBX connector does: its own API key, JSON bodies."""

    def __init__(self, app, key):
        self.app, self.client = app, app.test_client()
        self.headers = {"Authorization": f"Bearer {key}"}

    def event(self, call_id, event, **fields):
        body = {"call_id": call_id, "event": event, **fields}
        return self.client.post("/api/v1/callcenter/calls", json=body, headers=self.headers)

    def post(self, body):
        return self.client.post("/api/v1/callcenter/calls", json=body, headers=self.headers)

    def get(self, path):
        return self.client.get(path, headers=self.headers)


def make_user(app, username, role, email=None):
    from zhanggui.testing import ADMIN_PASSWORD
    from zhanggui.users import create_user

    with app.app_context():
        return create_user(username, ADMIN_PASSWORD, role=role, email=email).id


def make_agent(app, username, extension, team=None, role="Call-center agent"):
    from zhanggui_callcenter.calls.models import Agent

    user_id = make_user(app, username, role, email=f"{username}@example.com")
    with app.app_context():
        return Agent.create(user_id=user_id, display_name=username, extension=extension,
                            email=f"{username}@example.com", team=team).id


def api_key(app, username, role):
    user_id = make_user(app, username, role)
    with app.test_request_context():
        sm = app.appbuilder.sm
        return sm.create_api_key(sm.get_user_by_id(user_id), f"{username} key")["key"]


@pytest.fixture
def cc_app(make_app):
    return make_app(plugins=PLUGINS)


@pytest.fixture
def pbx(cc_app):
    return Connector(cc_app, api_key(cc_app, "pbx-sh", "CTI connector"))


@pytest.fixture
def member(cc_app):
    """A member with phone 13800138000, a purchase at counter SH01-COS01 and consent."""
    from zhanggui_members.profile.services import register_member
    from zhanggui_members.tests.helpers import make_purchase, make_store

    with cc_app.app_context():
        store = make_store("SH01")
        m = register_member(name="王芳", phone="13800138000", home_store=store)
        make_purchase(m, store)
        return m.id


def at(*args):
    return dt.datetime(*args, tzinfo=dt.timezone.utc)
