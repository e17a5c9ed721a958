"""One side of the console list benchmark, in its own interpreter: ``zhanggui`` (the
app with every plugin, our ``MemberView`` over peewee) or ``fab`` (a bare Flask +
Flask-AppBuilder app with a stock SQLAlchemy ``ModelView`` mapped onto the same
``members_member`` rows).  Signs in, then requests each case ``warmup`` times
untimed and ``repeat`` times timed through the Flask test client.

argv: kind, then a JSON object {"cases": {name: {"filter": [col, fragment] | null,
"order": col, "direction": "asc"|"desc", "page": n}}, "page_size": n, "repeat": n,
"warmup": n, "username": u, "password": p}.  Prints one JSON line: per case the
median, every sample (ms), the HTTP status, the record count and the names shown.
"""
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import quote

VIEW = "MemberView"        # both sides' view class, so the list arguments are the same
LIST_COLUMNS = 9           # profile (6) and segmentation (3) columns, on both sides


def fab_app(username, password):
    import sqlalchemy as sa
    from flask import Flask
    from flask_appbuilder import AppBuilder, Model, ModelView
    from flask_appbuilder.models.sqla.base import SQLA
    from flask_appbuilder.models.sqla.interface import SQLAInterface
    from sqlalchemy.orm import relationship

    from zhanggui_members.profile.crypto import cipher_for_secret
    from zhanggui_members.profile.phones import mask_last4, mask_mobile

    cipher = cipher_for_secret(os.environ["ZHANGGUI_FIELD_KEY"], "members.phone")

    class Store(Model):
        __tablename__ = "members_store"
        id = sa.Column(sa.Integer, primary_key=True)
        code = sa.Column(sa.String(20))
        name = sa.Column(sa.String(100))

        def __repr__(self):
            return self.name

    class MemberScore(Model):
        __tablename__ = "members_member_score"
        member_id = sa.Column(sa.Integer, sa.ForeignKey("members_member.id"),
                              primary_key=True)
        value_group = sa.Column(sa.String(12))
        rfm = sa.Column(sa.SmallInteger)
        clv = sa.Column(sa.Numeric(12, 2))

    class Member(Model):
        __tablename__ = "members_member"
        id = sa.Column(sa.Integer, primary_key=True)
        name = sa.Column(sa.String(100))
        phone_encrypted = sa.Column(sa.String(200))
        phone_hash = sa.Column(sa.String(64))
        phone_last4 = sa.Column(sa.String(4))
        card_no = sa.Column(sa.String(32))
        home_store_id = sa.Column(sa.Integer, sa.ForeignKey("members_store.id"))
        home_store = relationship(Store)
        lifecycle_stage = sa.Column(sa.String(20))
        joined_at = sa.Column(sa.DateTime(timezone=True))
        score = relationship(MemberScore, uselist=False)

        def masked_phone(self):
            # the same mask our MemberView shows, from the same ciphertext
            if self.phone_encrypted:
                return mask_mobile(cipher.decrypt(self.phone_encrypted))
            return mask_last4(self.phone_last4)

    class MemberView(ModelView):
        datamodel = SQLAInterface(Member)
        # our member directory's columns: the profile, then the segmentation scores
        list_columns = ["name", "masked_phone", "card_no", "home_store", "lifecycle_stage",
                        "joined_at", "score.value_group", "score.rfm", "score.clv"]
        search_columns = ["name", "card_no", "phone_hash", "phone_last4", "home_store",
                          "lifecycle_stage", "joined_at"]
        order_columns = ["name", "card_no", "lifecycle_stage", "joined_at"]
        base_permissions = ["can_list", "can_show"]

    url = os.environ["ZHANGGUI_DATABASE_URL"]
    app = Flask("fab_baseline")
    app.config.update(SECRET_KEY="fab-bench", SQLALCHEMY_DATABASE_URI=url.replace(
        "postgresql://", "postgresql+psycopg2://"), FAB_UPDATE_PERMS=True,
        WTF_CSRF_ENABLED=True, AUTH_TYPE=1, AUTH_ROLE_ADMIN="Admin")
    db = SQLA()
    db.init_app(app)
    builder = AppBuilder()
    with app.app_context():
        builder.init_app(app, db.session)
        builder.add_view(MemberView, "Members")
        sm = builder.sm
        if sm.find_user(username=username) is None:
            sm.add_user(username, "Bench", "Admin", f"{username}@example.com",
                        sm.find_role("Admin"), password)
    return app


def zhanggui_app():
    from zhanggui.app import create_app

    return create_app()


def sign_in(client, username, password):
    page = client.get("/login/").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    data = {"username": username, "password": password}
    if token:
        data["csrf_token"] = token.group(1)
    done = client.post("/login/", data=data)
    if done.status_code != 302:
        raise SystemExit(f"sign-in as {username} failed: {done.status_code}")


def case_url(view, case, page_size):
    args = [f"psize_{VIEW}={page_size}", f"_oc_{VIEW}={case['order']}",
            f"_od_{VIEW}={case['direction']}"]
    if case.get("page"):
        args.append(f"page_{VIEW}={case['page']}")
    if case.get("filter"):
        column, fragment = case["filter"]
        filters = view._filters.get_search_filters()[column]
        index = next(i for i, f in enumerate(filters) if type(f).__name__ == "FilterContains")
        args.append(f"_flt_{index}_{column}={quote(fragment)}")
    return "/memberview/list/?" + "&".join(args)


def _profiler():
    """With ZG_BENCH_PROFILE=<folder>, a running pyinstrument profiler of the timed
    requests (its report lands in the folder; the figures are then inflated)."""
    if not os.environ.get("ZG_BENCH_PROFILE"):
        return None
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0005)
    profiler.start()
    return profiler


def main():
    from zhanggui.sqlcount import count_statements, install

    install()  # before either app opens a connection: statements per page are counted
    kind = sys.argv[1]
    spec = json.loads(sys.argv[2])
    app = fab_app(spec["username"], spec["password"]) if kind == "fab" else zhanggui_app()
    view = next(v for v in app.extensions["appbuilder"].baseviews
                if type(v).__name__ == VIEW)
    client = app.test_client()
    sign_in(client, spec["username"], spec["password"])
    out = {}
    clock = time.perf_counter
    for name, case in spec["cases"].items():
        url = case_url(view, case, spec["page_size"])
        for _ in range(spec["warmup"]):
            response = client.get(url)
        with count_statements() as sent:
            client.get(url)
        samples = []
        profiler = _profiler()
        for _ in range(spec["repeat"]):
            started = clock()
            response = client.get(url)
            body = response.get_data()
            samples.append((clock() - started) * 1000)
        if profiler is not None:
            profiler.stop()
            Path(os.environ["ZG_BENCH_PROFILE"], f"{kind}-{name}.txt").write_text(
                profiler.output_text(unicode=True, show_all=False))
        html = body.decode("utf-8")
        if os.environ.get("ZG_BENCH_DUMP"):       # to look at what each side rendered
            Path(os.environ["ZG_BENCH_DUMP"], f"{kind}-{name}.html").write_text(html)
        rows = [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
                for row in re.split(r"<tr[^>]*>", html)[1:]]
        # a member's row: its actions, then the nine list columns, the name first
        names = [re.sub(r"<[^>]+>", "", cells[1]).strip() for cells in rows
                 if len(cells) == 1 + LIST_COLUMNS]
        out[name] = {"url": url, "status": response.status_code, "median_ms":
                     statistics.median(samples), "samples_ms": samples, "rows": len(names), "names": names,
                     "bytes": len(body), "statements": len(sent)}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
