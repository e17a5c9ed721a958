"""One cold start, in a fresh interpreter: ``zhanggui`` (create_app with every
installed plugin) or ``fab`` (a bare Flask + Flask-AppBuilder app on the same
database), then the first request (GET /login/).  Prints one JSON line."""
import json
import sys
import time

started = time.perf_counter()


def fab_app():
    import os

    from flask import Flask
    from flask_appbuilder import AppBuilder
    from flask_appbuilder.models.sqla.base import SQLA

    url = os.environ["ZHANGGUI_DATABASE_URL"]
    app = Flask("fab_baseline")
    app.config.update(SECRET_KEY="x", SQLALCHEMY_DATABASE_URI=url.replace(
        "postgresql://", "postgresql+psycopg2://"), FAB_UPDATE_PERMS=False,
        FAB_CREATE_DB=False, WTF_CSRF_ENABLED=True, AUTH_TYPE=1)
    db = SQLA()
    db.init_app(app)
    builder = AppBuilder(update_perms=False)
    with app.app_context():
        builder.init_app(app, db.session)
    return app


def rss_kb():
    fields = {}
    with open("/proc/self/status") as status:
        for line in status:
            key, _, value = line.partition(":")
            fields[key] = value.strip()
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


if sys.argv[1] == "zhanggui":
    from zhanggui.app import create_app

    app = create_app()
else:
    app = fab_app()
created = time.perf_counter()
response = app.test_client().get("/login/")
first = time.perf_counter()
rss, peak = rss_kb()
print(json.dumps({"status": response.status_code, "create_s": created - started,
                  "first_request_s": first - created, "total_s": first - started,
                  "rss_kb": rss, "peak_kb": peak}))
