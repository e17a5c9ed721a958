"""Generated from ``app.url_map``: every POST/PUT/PATCH/DELETE route of the console and
the API refuses a signed-in browser session that sends no CSRF token, and changes
nothing; the same request passes the CSRF check with the token, and API routes pass
it with a JWT or an API key (which a cross-site page cannot send)."""
from __future__ import annotations

import peewee

from zhanggui.console.routemap import STATE_CHANGING

MISSING_PK = 987654321
SESSION_ROLES = ("Head-office admin", "Store staff")


#: endpoints posted to without a session by design, with the reason
NO_SESSION = {
    "campaigns_tracking.unsubscribe_post": "RFC 8058 one-click unsubscribe: a mail client "
                                           "posts it; the random token in the URL is the key",
}


def _state_changing(world):
    return [r for r in world.routes if r.method in STATE_CHANGING
            and r.endpoint not in NO_SESSION]


def _url(route, pk):
    values = {}
    for name in route.rule.arguments:
        converter = type(route.rule._converters.get(name)).__name__
        if name == "pk":
            values[name] = pk
        elif name == "version":
            values[name] = "v1"
        else:
            values[name] = 0 if converter in ("IntegerConverter", "NumberConverter") \
                else "no-such-thing"
    return route.rule.build(values, append_unknown=False)[1]


def _real_pk(route):
    model = route.model
    if isinstance(model, type) and issubclass(model, peewee.Model):
        row = model.select(model._meta.primary_key).order_by(model._meta.primary_key) \
            .tuples().first()
        return row[0] if row else MISSING_PK
    if model is not None:
        item = route.view.datamodel.session.query(model).first()
        return route.view.datamodel.get_pk_value(item) if item is not None else MISSING_PK
    return MISSING_PK


def _fingerprint(world):
    """Every row of every model behind a route (peewee), and the count of each
    security table."""
    seen = {}
    for route in world.routes:
        model = route.model
        if model is None or model in seen:
            continue
        if isinstance(model, type) and issubclass(model, peewee.Model):
            seen[model] = sorted(map(repr, model.select().tuples()))
        else:
            seen[model] = route.view.datamodel.session.query(model).count()
    return seen


def refused_for_csrf(response) -> bool:
    return response.status_code == 400 and "CSRF" in response.get_data(as_text=True)


def _send(client, route, url, token=None, headers=None):
    method = getattr(client, route.method.lower())
    headers = dict(headers or {})
    if route.is_api:
        if token:
            headers["X-CSRFToken"] = token
        return method(url, json={}, headers=headers)
    data = {"csrf_token": token} if token else {}
    return method(url, data=data, headers=headers)


def test_every_state_changing_route_refuses_a_session_without_csrf_token(route_world):
    app = route_world.app
    routes = _state_changing(route_world)
    assert len(routes) > 40 and any(r.is_api for r in routes)
    with app.app_context():
        before = _fingerprint(route_world)
        urls = [_url(route, _real_pk(route)) for route in routes]
    accepted = []
    for role in SESSION_ROLES:
        client = route_world.clients[role]
        for route, url in zip(routes, urls):
            response = _send(client, route, url)
            if not refused_for_csrf(response):
                accepted.append(f"{route.method} {url} as {role!r}: "
                                f"{response.status_code}, expected 400 (CSRF)")
    with app.app_context():
        after = _fingerprint(route_world)
    assert accepted == [], "session requests without a CSRF token got through:\n" + \
        "\n".join(accepted)
    assert [m.__name__ for m in before if before[m] != after[m]] == []


def test_the_same_requests_pass_the_csrf_check_with_the_token(route_world):
    client = route_world.clients["Head-office admin"]
    token = route_world.csrf_token(client)
    refused = []
    for route in _state_changing(route_world):
        url = _url(route, MISSING_PK)  # judged by the CSRF check, not by a record
        response = _send(client, route, url, token=token)
        if refused_for_csrf(response) or response.status_code >= 500:
            refused.append(f"{route.method} {url}: {response.status_code}")
    assert refused == [], "refused although the CSRF token was sent:\n" + "\n".join(refused)


def test_api_routes_need_no_csrf_token_with_a_jwt_or_an_api_key(route_world):
    app = route_world.app
    with app.app_context():
        sm = app.extensions["zhanggui"].appbuilder.sm
        user = sm.get_user_by_id(route_world.users["Head-office admin"])
        api_key = sm.create_api_key(user, "CSRF test terminal")["key"]
    refused = []
    for credential in (route_world.jwts["Head-office admin"], api_key):
        headers = {"Authorization": f"Bearer {credential}"}
        for route in _state_changing(route_world):
            if not route.is_api or route.endpoint.startswith("SecurityApi."):
                continue
            url = _url(route, MISSING_PK)
            response = _send(app.test_client(), route, url, headers=headers)
            if refused_for_csrf(response) or response.status_code in (401, 500):
                refused.append(f"{route.method} {url}: {response.status_code}")
    assert refused == [], "\n".join(refused)
