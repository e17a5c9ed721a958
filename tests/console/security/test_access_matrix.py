"""The generated access matrix: every console URL and every API route of the live app
(all installed plugins) × every default role (the core's seven and any a plugin
declares) × a record of the role's own store and of another store.

Nothing here names a URL of a plugin: the routes come from ``app.url_map``
(:mod:`zhanggui.console.routemap`), the expectation from the role's Flask-AppBuilder
permissions (permission × view menu of the endpoint, and the view's
``base_permissions``) and from the view's store scope.  A store-scoped user must get
403/404 for another store's record (show, edit, delete, API get/put/delete) and never
see it in a list.  The only hand-written parts are :data:`NOT_JUDGED` (routes no rule
of permissions can judge, each with its reason) and :data:`CHECKED_INSIDE` (a second
permission a view checks itself).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import peewee
import pytest

from zhanggui.console.routemap import SAFE_METHODS

ANONYMOUS = "(not signed in)"

#: endpoints (``Blueprint.method``, or ``*.method`` for every view) that no permission
#: rule can judge, with the reason
NOT_JUDGED = {
    "zhanggui_favicon": "the browser's icon for every page, public by design",
    "static": "the core's static files, public by design (test_no_foreign_hosts checks them)",
    "appbuilder.static": "Flask-AppBuilder's static files, public by design "
                         "(test_no_foreign_hosts checks what may be served)",
    "AuthDBView.login": "the sign-in page is open to everyone (rate limited, CSRF tested)",
    "AuthDBView.logout": "signing out needs no permission",
    "LocaleView.index": "the language switch is open to everyone; it saves a preference "
                        "only for the signed-in user themselves",
    "UtilView.back": "Flask-AppBuilder's redirect to the page before; shows nothing",
    "SecurityApi.login": "JWT sign-in, open by design (rate limited)",
    "SecurityApi.refresh": "needs a refresh token, not a permission",
    "DashboardView.index": "any signed-in user; each widget checks its own permission "
                           "(anonymous visitors are sent to sign in: tested below)",
    "ApprovalLinkView.confirm": "a signed, expiring, single-use e-mail link is the "
                                "credential (office approvals; its own tests try forged, "
                                "expired and used links)",
    "*.action": "Flask-AppBuilder checks the named action's own permission inside and "
                "never runs an action by GET while CSRF is on",
    "*.action_post": "as *.action; the posted action's permission is checked inside",
    "campaigns_tracking.opened": "a campaign e-mail's open pixel: no sign-in, the random "
                                 "token is the key (campaigns' own tests)",
    "campaigns_tracking.clicked": "a campaign link's click-through: no sign-in, token as key; "
                                  "redirects only to the campaign's stored link",
    "campaigns_tracking.unsubscribe_page": "one-click unsubscribe from a mailbox: no sign-in, "
                                           "the token is the key",
    "campaigns_tracking.unsubscribe_post": "RFC 8058 one-click unsubscribe, posted by mail "
                                           "clients without a session",
    "CsatPublicView.answer": "the customer's satisfaction survey: no sign-in, the secret "
                             "token in the link is the key (unknown token: 404, tested in "
                             "the call-center plugin)",
}

#: a permission a view checks itself, on top of the one its decorator checks
CHECKED_INSIDE = {
    "MemberView.show_phone": ("members.view_phone", "Zhanggui"),
}

MISSING_PK = 987654321


def not_judged(route) -> str | None:
    endpoint = route.endpoint
    return NOT_JUDGED.get(endpoint) or NOT_JUDGED.get("*." + endpoint.rpartition(".")[2])


# ------------------------------------------------------------------ records
def record_ids(route) -> list:
    """Primary keys of the model behind the route's view, smallest first."""
    model = route.model
    if model is None:
        return []
    if isinstance(model, type) and issubclass(model, peewee.Model):
        pk = model._meta.primary_key
        return [row[0] for row in model.select(pk).order_by(pk).tuples()]
    datamodel = route.view.datamodel  # Flask-AppBuilder's own (SQLAlchemy) screens
    return sorted(datamodel.get_pk_value(item) for item in datamodel.session.query(model))


@dataclass
class Probe:
    route: Any
    url: str
    record: str                  # "own", "other", "missing", "none" or "placeholder"
    expected: frozenset
    role: str
    pk: Any = None
    note: str = ""
    extra: dict = field(default_factory=dict)

    def describe(self, got: str, status: int) -> str:
        return (f"{self.route.method} {self.url} as {self.role!r} ({self.record} record"
                f"{', ' + self.note if self.note else ''}): expected "
                f"{'/'.join(sorted(self.expected))}, got {got} ({status})")


def outcome(response) -> str:
    """What the answer means to the user: ok, denied, missing, bad (refused input) or
    error."""
    status = response.status_code
    if status >= 500:
        return "error"
    if status in (401, 403):
        return "denied"
    if status in (301, 302, 303) and "/login/" in response.headers.get("Location", ""):
        return "denied"
    if status == 404:
        return "missing"
    if status < 400:
        return "ok"
    return "bad"


def allowed(world, role: str, route) -> bool:
    pairs = world.pairs.get(role, set()) | world.public_pairs
    if not route.in_base_permissions or route.permission not in pairs:
        return False
    inside = CHECKED_INSIDE.get(route.endpoint)
    return inside is None or inside in pairs


def _fill(route, pk) -> tuple[dict, bool]:
    """URL values for the route's rule; ``True`` when some value is a stand-in."""
    values, stand_in = {}, False
    for name in route.rule.arguments:
        converter = route.rule._converters.get(name)
        numeric = type(converter).__name__ in ("IntegerConverter", "NumberConverter")
        if name == "pk" and route.model is not None:
            values[name] = pk
        elif name == "version":
            values[name] = "v1"
        elif name == "col_name" and getattr(route.view, "autocomplete_fields", None):
            values[name] = route.view.autocomplete_fields[0]
        else:
            values[name] = 0 if numeric else "no-such-thing"
            stand_in = True
    return values, stand_in


def _url(route, values, query: str = "") -> str:
    _domain, path = route.rule.build(values, append_unknown=False)
    return path + (("?" + query) if query else "")


def probes(world, role: str, route):
    """The requests that judge ``role`` on ``route``."""
    may = allowed(world, role, route)
    scoped_user = role in world.scoped_roles
    has_pk = "pk" in route.rule.arguments and route.model is not None
    safe = route.method in SAFE_METHODS
    if not has_pk:
        values, stand_in = _fill(route, None)
        query = ""
        if route.attr == "list" and not route.is_api:
            query = f"psize_{type(route.view).__name__}=100"
        elif route.attr == "get_list" and route.is_api:
            query = "q=(page_size:100)"
        if not may:
            expected = {"denied"}
        elif safe and not stand_in:
            # an API GET may need query parameters (a phone to look up): 4xx, not 403
            expected = {"ok", "bad"} if route.is_api else {"ok"}
        else:
            expected = {"ok", "bad", "missing"}
        yield Probe(route, _url(route, values, query), "placeholder" if stand_in else "none",
                    frozenset(expected), role)
        return
    ids = record_ids(route)
    if route.is_scoped and scoped_user:
        mine = world.scoped_ids(route)
        own = [i for i in ids if i in mine]
        other = [i for i in ids if i not in mine]
    else:
        own, other = ids, []
    if safe and own:
        yield Probe(route, _url(route, _fill(route, own[0])[0]), "own",
                    frozenset({"ok"} if may else {"denied"}), role, pk=own[0])
    else:
        # a write to a real record of one's own would change the world the other
        # probes see; a missing one is judged the same way by permissions
        yield Probe(route, _url(route, _fill(route, MISSING_PK)[0]), "missing",
                    frozenset({"missing", "bad", "ok"} if may else {"denied"}), role,
                    pk=MISSING_PK)
    if other:
        yield Probe(route, _url(route, _fill(route, other[0])[0]), "other",
                    frozenset({"missing", "denied"}), role, pk=other[0],
                    note=f"user of store {world.store}")


def send(world, role: str, probe: Probe):
    route = probe.route
    method = route.method.lower()
    if route.is_api:
        client = world.anonymous
        headers = {} if role == ANONYMOUS else {"Authorization": f"Bearer {world.jwts[role]}"}
        kwargs = {"headers": headers}
        if route.method not in SAFE_METHODS:
            kwargs["json"] = {}
        return getattr(client, method)(probe.url, **kwargs)
    client = world.anonymous if role == ANONYMOUS else world.clients[role]
    kwargs = {}
    if route.method not in SAFE_METHODS:
        kwargs["data"] = {"csrf_token": world.csrf_token(client)}
    return getattr(client, method)(probe.url, **kwargs)


def _snapshot(world) -> dict:
    """Every record of another store, as stored, for every scoped screen's model."""
    seen = {}
    for route in world.routes:
        if route.is_scoped and route.model is not None and route.model not in seen:
            mine = world.scoped_ids(route)
            model = route.model
            pk = model._meta.primary_key
            rows = model.select().where(pk.not_in(list(mine) or [None])).order_by(pk)
            seen[model] = [tuple(r.values()) for r in rows.dicts()]
    return seen


def _judged_routes(world):
    return [r for r in world.routes if not not_judged(r)]


# ------------------------------------------------------------------ the tests
def test_every_route_is_guarded_by_a_permission_or_listed_with_a_reason(route_world):
    unguarded = sorted({f"{r} ({r.endpoint})" for r in route_world.routes
                        if not not_judged(r) and r.permission is None})
    assert unguarded == [], ("routes without a Flask-AppBuilder permission and not in "
                             "NOT_JUDGED:\n" + "\n".join(unguarded))


def test_the_matrix_covers_every_role_and_a_record_of_another_store(route_world):
    roles = set(route_world.users)
    assert {"Head-office admin", "Store manager", "Store staff", "Call-center agent",
            "Marketing", "Buyer", "Auditor"} <= roles
    assert "POS terminal" in roles, "a role a plugin declares is a role of the matrix"
    assert {"Store manager", "Store staff"} <= route_world.scoped_roles
    assert route_world.store, "the demo chain has stores"
    scoped = [r for r in route_world.routes if r.is_scoped and "pk" in r.rule.arguments]
    assert scoped, "some screen is store-scoped"


def test_each_role_gets_exactly_what_its_permissions_allow(route_world):
    """Every probe answers as the role's permissions say; and what the store-scoped
    roles send (before anyone else, whose writes may rightly touch every store, such
    as the head office recomputing segments) leaves every other store's record as
    stored."""
    app = route_world.app
    failures, count = [], 0
    roles = sorted(route_world.scoped_roles) + sorted(
        set(route_world.users) - route_world.scoped_roles) + [ANONYMOUS]
    with app.app_context():
        all_probes = [p for role in roles for route in _judged_routes(route_world)
                      for p in probes(route_world, role, route)]
        before = _snapshot(route_world)
    changed = None
    for probe in all_probes:
        if changed is None and probe.role not in route_world.scoped_roles:
            with app.app_context():
                after = _snapshot(route_world)
            changed = [m.__name__ for m in before if before[m] != after[m]]
        response = send(route_world, probe.role, probe)
        count += 1
        got = outcome(response)
        if got not in probe.expected:
            failures.append(probe.describe(got, response.status_code))
    assert failures == [], f"{len(failures)} of {count} answers are wrong:\n" + \
        "\n".join(failures)
    assert changed == [], f"a store-scoped role changed another store's records: {changed}"
    assert count > 500


def test_store_scoped_roles_see_no_other_stores_record_in_lists(route_world):
    app = route_world.app
    failures, checked = [], 0
    for role in sorted(route_world.scoped_roles):
        for route in route_world.routes:
            if not (route.is_scoped and route.method == "GET"
                    and route.attr in ("list", "get_list") and allowed(route_world, role, route)):
                continue
            with app.app_context():
                mine = route_world.scoped_ids(route)
                every = set(record_ids(route))
            probe = next(probes(route_world, role, route))
            response = send(route_world, role, probe)
            checked += 1
            if response.status_code != 200:
                failures.append(probe.describe(outcome(response), response.status_code))
                continue
            if route.is_api:
                body = response.json
                shown = set(body.get("ids", []))
                if body.get("count") != len(mine):
                    failures.append(f"GET {probe.url} as {role!r}: count {body.get('count')},"
                                    f" but the user's stores have {len(mine)} records")
            else:
                base = re.escape(route.view.route_base)
                shown = {_pk(v) for v in re.findall(
                    base + r'/(?:show|edit|delete|phone)/([^"?/]+)"',
                    response.get_data(as_text=True))}
                if allowed_show(route_world, role, route) and mine and not shown:
                    failures.append(f"GET {probe.url} as {role!r}: lists none of the "
                                    f"{len(mine)} records of store {route_world.store}")
            leaked = (shown & every) - mine
            if leaked:
                failures.append(f"GET {probe.url} as {role!r} (store {route_world.store}):"
                                f" lists other stores' records {sorted(leaked)[:5]}")
    assert failures == [], "\n".join(failures)
    assert checked, "no store-scoped list was reachable by a store-scoped role"


def fingerprints(route, mine) -> set[str]:
    """Texts that belong to exactly one record of another store: a value of a text
    column found in no record the user may reach (names, codes, POS ids...)."""
    model = route.model
    found: set[str] = set()
    for field in model._meta.sorted_fields:
        if not isinstance(field, peewee.CharField) or isinstance(field, peewee.ForeignKeyField):
            continue
        rows = list(model.select(model._meta.primary_key, field).tuples())
        own = [str(v) for pk, v in rows if pk in mine and v]
        values = [str(v) for _pk_, v in rows if v]
        for pk, value in rows:
            text = str(value or "")
            if pk not in mine and len(text) >= 4 and values.count(text) == 1 and \
                    not any(text in o for o in own):
                found.add(text)
    return set(sorted(found)[:40])


def shows(text: str, body: str) -> bool:
    """``text`` stands in ``body`` as a value of its own: not as a run of digits or
    letters inside a longer one (a card number holding another member's phone
    digits is not that member's phone)."""
    return re.search(r"(?<!\w)" + re.escape(text) + r"(?!\w)", body) is not None


def _readable(response) -> str:
    if response.is_json:
        import json

        return json.dumps(response.json, ensure_ascii=False)
    return response.get_data(as_text=True)


def test_no_page_or_export_of_a_scoped_screen_shows_another_stores_record(route_world):
    """Whatever a scoped screen or API answers without a record in its URL (a list, an
    export, a report a plugin adds), no text of another store's record is in it."""
    app = route_world.app
    failures, checked, visible_to_hq = [], 0, 0
    for role in sorted(route_world.scoped_roles):
        for route in route_world.routes:
            if not (route.is_scoped and route.method == "GET" and not route.rule.arguments
                    and allowed(route_world, role, route)):
                continue
            with app.app_context():
                secrets_ = fingerprints(route, route_world.scoped_ids(route))
            probe = next(probes(route_world, role, route))
            response = send(route_world, role, probe)
            if response.status_code != 200 or not secrets_:
                continue
            checked += 1
            body = _readable(response)
            leaked = sorted(t for t in secrets_ if shows(t, body))
            if leaked:
                failures.append(f"GET {probe.url} as {role!r} (store {route_world.store}):"
                                f" shows other stores' {route.model.__name__} {leaked[:5]}")
            # the same texts are on the head office's page: the check can see a leak
            admin = send(route_world, "Head-office admin", probe)
            visible_to_hq += any(shows(t, _readable(admin)) for t in secrets_)
    assert failures == [], "\n".join(failures)
    assert checked and visible_to_hq, "no scoped page was checked"


def test_autocomplete_offers_a_store_scoped_role_only_its_stores_records(route_world):
    """A foreign key typed into a form offers records of the related model; where a
    screen scopes that model by store, the offers are scoped the same way."""
    app = route_world.app
    failures, checked = [], 0
    scoped_by_model = {r.model: r for r in route_world.routes
                       if r.is_scoped and r.attr == "list" and not r.is_api}
    for role in sorted(route_world.scoped_roles):
        for route in route_world.routes:
            if route.attr != "autocomplete" or not allowed(route_world, role, route):
                continue
            for column in getattr(route.view, "autocomplete_fields", []):
                related = route.view.datamodel.get_related_model(column)
                rule_route = scoped_by_model.get(related)
                if rule_route is None:
                    continue
                with app.app_context():
                    mine = route_world.scoped_ids(rule_route)
                url = _url(route, {"col_name": column})
                response = route_world.clients[role].get(url)
                checked += 1
                offered = {row["id"] for row in response.json["result"]} \
                    if response.status_code == 200 else set()
                if response.status_code != 200 or offered - mine:
                    failures.append(f"GET {url} as {role!r} (store {route_world.store}): "
                                    f"{response.status_code}, offers other stores' "
                                    f"{related.__name__} {sorted(offered - mine)[:5]}")
    assert failures == [], "\n".join(failures)
    assert checked, "no autocomplete of a store-scoped model was tried"


def allowed_show(world, role, list_route) -> bool:
    show = next((r for r in world.routes if r.view is list_route.view and r.attr == "show"),
                None)
    return show is not None and allowed(world, role, show)


def _pk(text: str):
    return int(text) if text.isdigit() else text


def test_every_store_scoped_screen_has_records_of_two_stores_to_judge(route_world):
    """Without a record of another store the matrix cannot try one: give the model
    demo data (``zhanggui_demo_data``)."""
    lacking = []
    with route_world.app.app_context():
        for route in route_world.routes:
            if route.is_scoped and route.attr == "list" and not route.is_api:
                mine, every = route_world.scoped_ids(route), set(record_ids(route))
                if not mine or not (every - mine):
                    lacking.append(f"{route.view.__class__.__name__}: {len(mine)} of "
                                   f"{len(every)} records in store {route_world.store}")
    assert lacking == [], "\n".join(lacking)


def test_an_anonymous_visitor_is_sent_to_sign_in_from_the_dashboard(route_world):
    response = route_world.anonymous.get("/")
    assert response.status_code == 302 and "/login/" in response.headers["Location"]
    for role, client in route_world.clients.items():
        assert client.get("/").status_code == 200, role


def test_the_failure_message_names_url_method_role_expected_and_got():
    class FakeRoute:
        method = "GET"

    probe = Probe(FakeRoute(), "/memberview/show/7", "other", frozenset({"missing"}),
                  "Store staff", note="user of store SH001")
    message = probe.describe("ok", 200)
    assert message == ("GET /memberview/show/7 as 'Store staff' (other record, user of "
                       "store SH001): expected missing, got ok (200)")


@pytest.mark.parametrize("status,location,meaning", [
    (200, "", "ok"), (302, "/memberview/list/", "ok"), (302, "/login/?next=x", "denied"),
    (403, "", "denied"), (401, "", "denied"), (404, "", "missing"), (422, "", "bad"),
    (500, "", "error")])
def test_answers_are_read_as_the_user_sees_them(status, location, meaning):
    class Response:
        status_code = status
        headers = {"Location": location}

    assert outcome(Response()) == meaning


def test_every_granted_permission_exists(route_world):
    """A grant naming a permission no view, menu or plugin declares (a typo, a renamed
    view) silently grants nothing: the role's users would find the screen shut."""
    from zhanggui.console.permsync import wanted_pairs
    from zhanggui.console.security import CORE_PERMISSION_VIEW, SELF_SERVICE, _split

    state = route_world.app.extensions["zhanggui"]
    with route_world.app.app_context():
        declared = {(perm, view) for view, perms in wanted_pairs(state.appbuilder).items()
                    for perm in perms}
    declared |= {(p.name, CORE_PERMISSION_VIEW) for p in state.plugins.permissions()}
    dangling = sorted({f"{grant.role}: {permission}"
                       for grant in state.plugins.default_roles()
                       for permission in grant.permissions + SELF_SERVICE
                       if _split(permission) not in declared})
    assert dangling == [], "grants of permissions nothing declares:\n" + "\n".join(dangling)


def test_every_menu_entry_a_role_is_shown_opens_for_that_role(route_world):
    """Navigation never leads a user to a refusal: each link of the menus on the
    dashboard opens (200) for the role it is shown to."""
    failures, opened = [], 0
    for role, client in sorted(route_world.clients.items()):
        html = client.get("/").get_data(as_text=True)
        links = set(re.findall(r'<a[^>]+href="(/[^"#]*)"', html))
        for url in sorted(links):
            if url.startswith(("/lang/", "/logout/", "/static/")) or url == "/":
                continue
            response = client.get(url)
            opened += 1
            if response.status_code != 200:
                failures.append(f"GET {url} as {role!r}: shown in the menu, answers "
                                f"{response.status_code}")
    assert failures == [], "\n".join(failures)
    assert opened > len(route_world.clients)


def test_a_malformed_record_key_is_not_found_never_a_server_error(route_world):
    """``/show/abc``, ``/api/v1/x/-1``: bad input gets a 4xx, on every route with a key."""
    failures = []
    for route in _judged_routes(route_world):
        if "pk" not in route.rule.arguments or route.model is None:
            continue
        for bad in ("abc", "-1", "1e309", "%00"):
            try:
                url = _url(route, {**_fill(route, bad)[0]})
            except Exception:  # the rule's converter refuses it: no such URL at all
                continue
            # a GET delete is refused by a redirect (CSRF): anything but a 500 will do
            probe = Probe(route, url, "malformed",
                          frozenset({"missing", "bad", "denied", "ok"}), "Head-office admin")
            response = send(route_world, "Head-office admin", probe)
            if outcome(response) not in probe.expected:
                failures.append(probe.describe(outcome(response), response.status_code))
    assert failures == [], "\n".join(failures)


@pytest.mark.parametrize("text, body, seen", [
    ("3148", "<td>6022280081314865</td>", False),       # digits inside a card number
    ("3148", "<td>147****3148</td>", True),             # a masked phone's last four
    ("3148", '{"phone_last4": "3148"}', True),
    ("罗诗涵", "<td>罗诗涵</td>", True),
    ("SH01-0042", "<td>SH01-00421</td>", False),
])
def test_a_leak_is_a_value_of_its_own_not_digits_inside_another(text, body, seen):
    assert shows(text, body) is seen
