"""Requests reuse the process's pooled connections instead of opening their own."""
from __future__ import annotations

import threading


def _open_connections(db) -> set[int]:
    return {id(conn) for _ts, _n, conn in db._connections}


def test_requests_reuse_one_pooled_connection(app, admin_client):
    db = app.extensions["zhanggui"].db
    admin_client.get("/")
    kept = _open_connections(db)
    assert kept and db.is_closed()  # returned to the pool at the end of the request
    for _ in range(5):
        assert admin_client.get("/").status_code == 200
    assert _open_connections(db) == kept


def test_a_burst_of_threads_gets_connections_and_the_pool_keeps_only_its_size(make_app):
    app = make_app(config={"DATABASE_POOL_SIZE": 2})
    db = app.extensions["zhanggui"].db
    barrier, errors = threading.Barrier(6), []

    def hold():
        try:
            db.connect(reuse_if_open=True)
            barrier.wait(timeout=30)  # all six hold a connection at once
            db.execute_sql("SELECT 1")
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            db.close()

    threads = [threading.Thread(target=hold) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(_open_connections(db)) == 2
