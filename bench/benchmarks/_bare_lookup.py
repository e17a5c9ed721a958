"""The baseline of ``lookup_http``: a bare Flask route doing the look-up by
``phone_hash`` in raw SQL over a pooled psycopg2 connection (served by the same
gunicorn as Zhanggui, with the same workers and threads).  No authentication, no
phone normalising or hashing (the hash comes in the query string), no decryption.

``gunicorn "bench.benchmarks._bare_lookup:create_app()"`` with ``BARE_DATABASE_URL``.
"""
from __future__ import annotations

import os

from flask import Flask, jsonify, request

COLUMNS = ("id", "name", "gender", "card_no", "home_store_id", "lifecycle_stage",
           "join_channel", "joined_at")


def create_app() -> Flask:
    from psycopg2.pool import ThreadedConnectionPool

    pool = ThreadedConnectionPool(1, 8, os.environ["BARE_DATABASE_URL"])
    app = Flask("bare-lookup")
    sql = f"SELECT {', '.join(COLUMNS)} FROM members_member WHERE phone_hash = %s"

    @app.get("/health")
    def health():
        return "ok"

    @app.get("/lookup")
    def lookup():
        conn = pool.getconn()
        try:
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute(sql, (request.args.get("h", ""),))
                row = cur.fetchone()
        finally:
            pool.putconn(conn)
        if row is None:
            return jsonify(message="not found"), 404
        member = dict(zip(COLUMNS, row))
        member["joined_at"] = member["joined_at"].isoformat()
        return jsonify(member=member)

    return app
