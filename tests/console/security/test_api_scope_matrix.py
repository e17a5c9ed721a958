"""The API route × role matrix, generated from ``/api/v1/_openapi``.

Every operation of the OpenAPI document that takes a member, store, sale or record
id (a path or query parameter, or a property of its JSON body) is called by every
default role — through a JWT from ``/api/v1/security/login``, and the POS terminal
also through an API key — with that id naming a record of the caller's own store, a
record of another store, and a record that does not exist.  A store-scoped caller
must get for another store's member, event, sale or record exactly the answer it
gets for one that does not exist (so nothing reveals that it exists), and never a
2xx; for another store itself a refusal.  No answer may carry the other record's
identifiers, no call may change any table, and nothing answers 5xx.

Nothing here names an operation: the operations and their parameters come from the
document, the records from the seeded demo chain (``--seed 7``), the permissions
from the roles.  The hand-written parts are :data:`RECORD_PARAMETERS` (how a
parameter name and JSON type say what it identifies), :data:`ALTERNATIVES` and
:data:`NOT_SCOPED` (a parameter that may name another store's record by design, with
the reason).  A parameter whose name says it is an id but which the vocabulary does
not know fails :func:`test_every_id_parameter_of_the_document_is_understood`.
"""
from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass, field
from typing import Any

import pytest

#: (parameter or property name, JSON type) -> the kind of record it identifies
RECORD_PARAMETERS = {
    ("member_id", "integer"): "member",
    ("phone", "string"): "member_phone",
    ("card", "string"): "member_card",
    ("member", "object"): "member_ref",
    ("source", "integer"): "member",     # the two members of a merge
    ("target", "integer"): "member",
    ("event_id", "integer"): "event",
    ("pos_id", "string"): "sale",
    ("store", "string"): "store",
    ("pk", "integer"): "pk",             # a ModelRestApi item: its view's model
    ("pk", "string"): "pk",
}

#: properties that name the same thing two ways: give one at a time
ALTERNATIVES = ({"member", "member_id"}, {"phone", "card"})

#: (method, path, parameter) that may name another store's record by design
NOT_SCOPED = {
    ("POST", "/api/v1/pos/transactions", "member"):
        "a customer of any store may buy at the caller's store: the sale is the caller's "
        "store's record (its store is judged)",
    ("POST", "/api/v1/pos/transactions/batch", "member"):
        "as a single sale",
    ("POST", "/api/v1/campaigns/{campaign_id}/launch", "campaign_id"):
        "campaigns are chain-wide marketing, run by head office and marketing",
    ("GET", "/api/v1/campaigns/{campaign_id}/results", "campaign_id"):
        "as the launch: a campaign's results are the chain's",
    ("GET", "/api/v1/giftcards/{code}/balance", "code"):
        "the example gift-card plugin's cards are bearer cards valid in every store",
    ("POST", "/api/v1/giftcards/{code}/redeem", "code"):
        "as the balance: a gift card is spent at any store of the chain",
}

MISSING_ID = 987654321
ID_LIKE = re.compile(r"(^|_)(id|pk)$")
SAFE = {"GET", "HEAD", "OPTIONS"}


# ------------------------------------------------------------------ the document
def _resolve(doc: dict, schema: dict | None) -> dict:
    """A schema with its ``$ref`` (and a nullable ``anyOf`` of one ref) followed."""
    schema = schema or {}
    for _ in range(10):
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[1]
            schema = doc["components"]["schemas"][name]
        elif "anyOf" in schema:
            schema = next((s for s in schema["anyOf"] if "$ref" in s), schema["anyOf"][0])
        else:
            return schema
    return schema


def _type(doc: dict, schema: dict | None) -> str:
    schema = _resolve(doc, schema)
    return schema.get("type") or ("object" if "properties" in schema else "")


@dataclass(frozen=True)
class Slot:
    where: str          # "path", "query" or "body"
    name: str
    kind: str


@dataclass
class Operation:
    method: str
    path: str
    spec: dict
    slots: list[Slot]
    body_schema: dict | None
    route: Any = None   # the routemap Route behind it

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def operations(doc: dict, routes) -> list[Operation]:
    """Every operation of ``doc`` that takes a record id somewhere."""
    by_path = {}
    for route in routes:
        if route.is_api:
            path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", route.path)
            by_path[(route.method, path)] = route
    found = []
    for path, methods in sorted(doc["paths"].items()):
        for method, spec in sorted(methods.items()):
            slots, route = [], by_path.get((method.upper(), path))
            declared = {p["name"] for p in spec.get("parameters", []) if p.get("in") == "path"}
            for name in re.findall(r"{(\w+)}", path):
                if name not in declared and route is not None:
                    # undeclared (a defect of its own, see the coverage test): the rule's
                    # converter says the type
                    converter = type(route.rule._converters.get(name)).__name__
                    kind = RECORD_PARAMETERS.get(
                        (name, "integer" if converter == "IntegerConverter" else "string"))
                    if kind:
                        slots.append(Slot("path", name, kind))
            for param in spec.get("parameters", []):
                if "name" not in param or param.get("in") not in ("path", "query"):
                    continue
                kind = RECORD_PARAMETERS.get((param["name"], _type(doc, param.get("schema"))))
                if kind:
                    slots.append(Slot(param["in"], param["name"], kind))
            body = (spec.get("requestBody", {}).get("content", {})
                    .get("application/json", {}).get("schema"))
            body = _resolve(doc, body) if body else None
            for name, prop in sorted((body or {}).get("properties", {}).items()):
                kind = RECORD_PARAMETERS.get((name, _type(doc, prop)))
                if kind:
                    slots.append(Slot("body", name, kind))
            if slots:
                found.append(Operation(method.upper(), path, spec, slots, body, route))
    return found


# ------------------------------------------------------------------ the records
@dataclass
class StoreRecords:
    """One store's records, by kind, and the identifiers that give them away."""

    store: str
    values: dict = field(default_factory=dict)
    identifiers: set = field(default_factory=set)   # texts, and ids under ID_KEYS


def _records_of(app, store: str, others: bool, own_store: str) -> StoreRecords:
    """The first (smallest id) member, event and sale of ``store`` — or of any store
    but ``own_store`` when ``others``."""
    from zhanggui_loyalty.models import MemberEvent
    from zhanggui_members.profile.models import Member, Purchase, Store
    from zhanggui_members.profile.services import member_phone

    def of_store(store_field):
        return store_field != own_store if others else store_field == own_store

    members = (Member.select(Member, Store).join(Store)
               .where(Member.merged_into.is_null() & Member.erased_at.is_null()
                      & Member.card_no.is_null(False) & Member.phone_encrypted.is_null(False)
                      & of_store(Store.code))
               .order_by(Member.id))
    member = members.first()
    event = (MemberEvent.select().where(of_store(MemberEvent.store_code))
             .order_by(MemberEvent.id).first())
    sale = (Purchase.select(Purchase, Store).join(Store).where(of_store(Store.code))
            .order_by(Purchase.id).first())
    assert member and event and sale, f"the demo chain lacks records of store {store}"
    phone = member_phone(member)
    records = StoreRecords(member.home_store.code if others else own_store)
    records.values = {"member": member.id, "member_phone": phone,
                      "member_card": member.card_no, "member_ref": {"card": member.card_no},
                      "event": event.id, "sale": sale.pos_id,
                      "store": member.home_store.code if others else own_store}
    records.identifiers = {("id", member.id), member.card_no, phone, member.name,
                           ("id", event.id), event.title, sale.pos_id}
    return records


MISSING = {"member": MISSING_ID, "member_phone": "13012345678", "member_card": "NO-SUCH-CARD",
           "member_ref": {"card": "NO-SUCH-CARD"}, "event": MISSING_ID,
           "sale": "NO-SUCH-SALE", "store": "ZZ99", "pk": MISSING_ID}


# ------------------------------------------------------------------ requests
_counter = itertools.count(1)


def _example(doc: dict, name: str, schema: dict) -> Any:
    """A value the schema accepts for a property the matrix does not judge."""
    schema = _resolve(doc, schema)
    kind = _type(doc, schema)
    if kind == "object":
        return {k: _example(doc, k, v) for k, v in schema.get("properties", {}).items()
                if k in schema.get("required", [])}
    if kind == "array":
        return []
    if kind == "boolean":
        return False
    if kind in ("integer", "number"):
        low, high = schema.get("minimum", 1), schema.get("maximum", 10 ** 6)
        return max(low, min(1, high))
    enum = [v for v in schema.get("enum", []) if v is not None]
    if enum:
        return enum[0]
    if name == "id":
        return f"matrix-{next(_counter)}"   # an idempotency key: new every time
    return "matrix"


@dataclass
class Probe:
    operation: Operation
    slot: Slot
    record: str         # "own", "other" or "missing"
    caller: str
    url: str
    body: Any
    sent: set

    def describe(self, response) -> str:
        text = response.get_data(as_text=True)[:200]
        return (f"{self.operation} as {self.caller!r} with {self.slot.where} "
                f"{self.slot.name}={self.record} record: {response.status_code} {text}")


def build(doc, op: Operation, slot: Slot, record: str, values: dict, own: dict,
          pk_value: Any, caller: str) -> Probe:
    """The request of ``op`` with ``slot`` naming the ``record`` and every other record
    parameter naming one of the caller's own store."""
    def value_for(s: Slot, chosen: dict):
        if s.kind == "pk":
            return pk_value if chosen is values else own.get("pk")
        return chosen[s.kind]

    path, query, body, sent = op.path, {}, None, set()
    skipped = set()
    for group in ALTERNATIVES:
        if slot.name in group:
            skipped |= group - {slot.name}
    for s in op.slots:
        if s.where == "path":
            value = value_for(s, values if s == slot else own)
            path = path.replace("{" + s.name + "}", str(value))
            sent.add(value)
        elif s.where == "query" and s == slot:
            query[s.name] = value_for(s, values)
            sent.add(query[s.name])
    path = path.replace("{version}", "v1")
    if op.body_schema is not None:
        schema = op.body_schema
        body = {}
        for name, prop in schema.get("properties", {}).items():
            body_slot = next((s for s in op.slots if s.where == "body" and s.name == name),
                             None)
            if body_slot is not None:
                if name in skipped:
                    continue
                if body_slot != slot and any(name in g and slot.name not in g
                                             for g in ALTERNATIVES) and \
                        any(n in body for g in ALTERNATIVES if name in g for n in g):
                    continue  # its alternative is given already
                chosen = values if body_slot == slot else own
                body[name] = value_for(body_slot, chosen)
                sent.add(json.dumps(body[name], sort_keys=True) if isinstance(body[name], dict)
                         else body[name])
            elif name in schema.get("required", []):
                body[name] = _example(doc, name, prop)
    url = path + (("?" + "&".join(f"{k}={v}" for k, v in query.items())) if query else "")
    return Probe(op, slot, record, caller, url, body, sent)


def send(client, probe: Probe, headers: dict):
    method = probe.operation.method.lower()
    kwargs = {"headers": headers}
    if probe.body is not None:
        kwargs["json"] = probe.body
    return getattr(client, method)(probe.url, **kwargs)


def leaves(value) -> list:
    """Every scalar of a JSON answer, with the key it stands under."""
    out = []
    if isinstance(value, dict):
        for key, item in value.items():
            out.extend(leaves(item) if isinstance(item, (dict, list)) else [(key, item)])
    elif isinstance(value, list):
        for item in value:
            out.extend(leaves(item) if isinstance(item, (dict, list)) else [(None, item)])
    return out


#: keys under which a number is a record id (elsewhere 1 is just a count or points)
ID_KEYS = {"id", "member", "member_id", "source", "target", "event", "event_id", "pk",
           "signup"}


def revealed(response, identifiers: set, sent: set) -> list:
    """The other record's identifiers found as whole values in a JSON answer: texts
    (card, phone, name, POS id) under any key, ids (``("id", n)``) only under
    :data:`ID_KEYS`.  A value the caller sent itself reveals nothing."""
    if not response.is_json:
        return []
    found = []
    for key, value in leaves(response.json):
        if isinstance(value, bool) or value in (None, "") or value in sent:
            continue
        if isinstance(value, int):
            hit = key in ID_KEYS and ("id", value) in identifiers
        else:
            hit = isinstance(value, str) and value in identifiers
        if hit:
            found.append(f"{key}={value!r}")
    return found


# ------------------------------------------------------------------ the world
@pytest.fixture(scope="module")
def api_world(route_world):
    """The route world plus the OpenAPI document, the records of the scoped roles'
    store and of another store, and an API key for the POS terminal role."""
    app, world = route_world.app, route_world
    with app.app_context():
        sm = app.appbuilder.sm
        admin = world.jwts["Head-office admin"]
        doc = app.test_client().get("/api/v1/_openapi",
                                    headers={"Authorization": f"Bearer {admin}"}).json
        world.doc = doc
        world.operations = operations(doc, world.routes)
        world.own = _records_of(app, world.store, False, world.store)
        world.other = _records_of(app, world.store, True, world.store)
        pos_user = sm.get_user_by_id(world.users["POS terminal"])
        key = sm.create_api_key(pos_user, "matrix till")["key"]
    world.callers = {role: {"Authorization": f"Bearer {token}"}
                     for role, token in world.jwts.items()}
    world.callers["POS terminal (API key)"] = {"Authorization": f"Bearer {key}"}
    world.caller_role = {caller: caller.replace(" (API key)", "") for caller in world.callers}
    return world


def record_ids(route) -> list:
    """Primary keys of the peewee model behind an API route, smallest first."""
    import peewee

    model = route.model
    if not (isinstance(model, type) and issubclass(model, peewee.Model)):
        return []
    pk = model._meta.primary_key
    return [row[0] for row in model.select(pk).order_by(pk).tuples()]


def _pk_records(world, op: Operation) -> tuple[Any, Any]:
    """(own, other) primary keys of the item route's model for the scoped store."""
    route = op.route
    if route is None or route.model is None:
        return None, None
    ids = record_ids(route)
    if not route.is_scoped:
        return (ids[0] if ids else None), None
    mine = world.scoped_ids(route)
    own = next((i for i in ids if i in mine), None)
    other = next((i for i in ids if i not in mine), None)
    return own, other


def _permitted(world, role: str, op: Operation) -> bool:
    """Whether the role holds the permission Flask-AppBuilder checks for the operation."""
    route = op.route
    if route is None or route.permission is None:
        return True   # open by design (sign-in); judged by the console matrix
    pairs = world.pairs.get(role, set()) | world.public_pairs
    return route.in_base_permissions and route.permission in pairs


def _snapshot(app) -> dict:
    """Every row of every plugin table but the audit log's, as stored."""
    models = app.extensions["zhanggui"].plugins.models()
    seen = {}
    for model in models:
        table = model._meta.table_name
        if table.startswith("zhanggui_audit"):
            continue
        pk = model._meta.primary_key
        query = model.select()
        if pk:
            query = query.order_by(pk)
        seen[table] = [tuple(map(str, row.values())) for row in query.dicts()]
    return seen


# ------------------------------------------------------------------ the tests
def test_every_id_parameter_of_the_document_is_understood(api_world):
    """A path parameter, or an integer property or parameter named ``*_id``, that the
    vocabulary does not know would leave an operation out of the matrix."""
    doc, unknown = api_world.doc, []
    for path, methods in doc["paths"].items():
        for method, spec in methods.items():
            declared = {p.get("name") for p in spec.get("parameters", [])
                        if p.get("in") == "path"}
            for name in set(re.findall(r"{(\w+)}", path)) - declared:
                unknown.append(f"{method.upper()} {path}: path {name} is not declared")
            for param in spec.get("parameters", []):
                name, where = param.get("name"), param.get("in")
                if where == "path" and name != "version" or \
                        where == "query" and name and ID_LIKE.search(name):
                    if (method.upper(), path, name) in NOT_SCOPED:
                        continue
                    if (name, _type(doc, param.get("schema"))) not in RECORD_PARAMETERS:
                        unknown.append(f"{method.upper()} {path}: {where} {name}")
            body = (spec.get("requestBody", {}).get("content", {})
                    .get("application/json", {}).get("schema"))
            for name, prop in _resolve(doc, body).get("properties", {}).items():
                kind = _type(doc, prop)
                if kind == "integer" and ID_LIKE.search(name) and \
                        (name, kind) not in RECORD_PARAMETERS:
                    unknown.append(f"{method.upper()} {path}: body {name}")
    assert unknown == [], "id parameters the matrix does not understand:\n" + \
        "\n".join(sorted(unknown))


def test_the_matrix_covers_the_record_operations_and_every_role(api_world):
    ops = {str(op) for op in api_world.operations}
    assert {"GET /api/v1/loyalty/members/{member_id}", "POST /api/v1/loyalty/redemptions",
            "POST /api/v1/members/{member_id}/consents"} <= ops
    kinds = {slot.kind for op in api_world.operations for slot in op.slots}
    assert {"member", "member_card", "member_phone", "event", "store"} <= kinds
    roles = set(api_world.caller_role.values())
    assert {"Head-office admin", "Store manager", "Store staff", "Call-center agent",
            "Marketing", "Buyer", "Auditor", "POS terminal"} <= roles
    assert api_world.own.values["store"] != api_world.other.values["store"]
    assert api_world.own.values["member"] != api_world.other.values["member"]


def test_no_caller_reaches_or_changes_another_stores_record_through_the_api(api_world):
    world, app = api_world, api_world.app
    client = app.test_client()
    failures, judged, hq_saw = [], 0, 0
    with app.app_context():
        before = _snapshot(app)
    for caller, headers in sorted(world.callers.items()):
        role = world.caller_role[caller]
        scoped = role in world.scoped_roles
        for op in world.operations:
            with app.app_context():
                own_pk, other_pk = _pk_records(world, op)
            own = dict(world.own.values, pk=own_pk)
            for slot in op.slots:
                if (op.method, op.path, slot.name) in NOT_SCOPED:
                    continue
                if slot.kind == "pk" and other_pk is None:
                    continue   # not store-scoped: judged by the console matrix
                other = dict(world.other.values, pk=other_pk)
                missing = build(world.doc, op, slot, "missing", MISSING, own, MISSING_ID,
                                caller)
                probe = build(world.doc, op, slot, "other", other, own, other_pk, caller)
                if not scoped and op.method not in SAFE:
                    continue   # a chain-wide role may change any store's record
                gone = send(client, missing, headers)
                answer = send(client, probe, headers)
                judged += 1
                for response, p in ((gone, missing), (answer, probe)):
                    if response.status_code >= 500:
                        failures.append("server error: " + p.describe(response))
                if not _permitted(world, role, op):
                    if answer.status_code not in (401, 403):
                        failures.append("no permission, yet: " + probe.describe(answer))
                    continue
                if not scoped:
                    hq_saw += 200 <= answer.status_code < 300
                    continue
                if 200 <= answer.status_code < 300:
                    failures.append("another store's record answered: " +
                                    probe.describe(answer))
                elif slot.kind == "store":
                    if answer.status_code not in (401, 403, 404, 422):
                        failures.append("another store accepted: " + probe.describe(answer))
                elif answer.status_code != gone.status_code:
                    failures.append(f"differs from a missing record ({gone.status_code}): "
                                    + probe.describe(answer))
                leaked = revealed(answer, world.other.identifiers, probe.sent)
                if leaked:
                    failures.append(f"reveals {leaked}: " + probe.describe(answer))
    with app.app_context():
        after = _snapshot(app)
    changed = sorted(t for t in before if before[t] != after.get(t))
    assert failures == [], f"{len(failures)} of {judged} answers are wrong:\n" + \
        "\n".join(failures)
    assert changed == [], f"tables changed by calls about another store's records: {changed}"
    assert judged > 100 and hq_saw, "the matrix judged too little, or chain-wide roles saw " \
                                    "no other store's record (the check would be blind)"


def test_callers_reach_their_own_stores_records_without_a_server_error(api_world):
    """The same operations with the caller's own records: never a 5xx, and a scoped
    role holding the permission reads its own members."""
    world, app = api_world, api_world.app
    client = app.test_client()
    failures, read_own = [], 0
    for caller, headers in sorted(world.callers.items()):
        role = world.caller_role[caller]
        for op in world.operations:
            with app.app_context():
                own_pk, _other = _pk_records(world, op)
            own = dict(world.own.values, pk=own_pk)
            for slot in op.slots:
                if slot.kind == "pk" and own_pk is None:
                    continue
                probe = build(world.doc, op, slot, "own", own, own, own_pk, caller)
                answer = send(client, probe, headers)
                if answer.status_code >= 500:
                    failures.append("server error: " + probe.describe(answer))
                elif not _permitted(world, role, op) and answer.status_code not in (401, 403):
                    failures.append("no permission, yet: " + probe.describe(answer))
                if role in world.scoped_roles and op.method == "GET" and \
                        200 <= answer.status_code < 300:
                    read_own += 1
    assert failures == [], "\n".join(failures)
    assert read_own, "no store-scoped role read a record of its own store"


def test_a_revealed_identifier_is_found_only_as_a_whole_value():
    class Response:
        is_json = True
        json = {"member": 57, "note": "member 57 of 570", "entries": [{"id": 570}],
                "card": "BJ-0001", "sent": 12, "points": 57, "text": "BJ-0001 and more"}

    identifiers = {("id", 57), ("id", 570), ("id", 12), "BJ-0001"}
    assert revealed(Response(), identifiers, sent={12}) == \
        ["member=57", "id=570", "card='BJ-0001'"]
