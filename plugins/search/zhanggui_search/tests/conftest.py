"""Fixtures of the search plugin's tests (the rest come from zhanggui.testing)."""
from __future__ import annotations

import pytest

PLUGINS = ["members", "suppliers", "callcenter", "search"]


def _is_postgresql(url: str) -> bool:
    return url.startswith("postgres")


@pytest.fixture(params=["whoosh", "postgresql"])
def backend_name(request, database_url):
    if request.param == "postgresql" and not _is_postgresql(database_url):
        pytest.skip("the postgresql backend runs on a PostgreSQL test database")
    return request.param


@pytest.fixture
def search_app(make_app, backend_name, tmp_path):
    """The four plugins on one backend, inside an app context."""
    app = make_app(plugins=PLUGINS, config={"SEARCH_BACKEND": backend_name,
                                            "SEARCH_INDEX_DIR": str(tmp_path / "ix")})
    with app.app_context():
        yield app


@pytest.fixture
def whoosh_app(make_app, tmp_path):
    app = make_app(plugins=PLUGINS, config={"SEARCH_BACKEND": "whoosh",
                                            "SEARCH_INDEX_DIR": str(tmp_path / "ix")})
    with app.app_context():
        yield app
