"""Shared helpers for the members plugin's tests (fixtures come from zhanggui.testing)."""
from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def members_app(make_app):
    """An app with only the members plugin, its tables migrated, inside an app context."""
    app = make_app(plugins=["members"])
    with app.app_context():
        yield app


@pytest.fixture
def sqlite_files(database_url):
    """Bytes of the SQLite database file and its WAL after a checkpoint, or ``None``
    on PostgreSQL (where the tests look at the rows instead)."""
    if not database_url.startswith("sqlite"):
        return None

    def read() -> bytes:
        from zhanggui import database

        database.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        path = Path(database_url.split("sqlite:///", 1)[1])
        data = path.read_bytes()
        for extra in (Path(f"{path}-wal"), Path(f"{path}-journal")):
            if extra.exists():
                data += extra.read_bytes()
        return data

    return read
