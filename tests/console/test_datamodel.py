"""Console screens and REST APIs over peewee models, as a shop user sees them."""

from __future__ import annotations

import datetime
import logging
from decimal import Decimal

import prison
import pytest
from flask_appbuilder.models import filters as fab_filters

from zhanggui.console.datamodel import PeeweeInterface, RecordRejected

try:
    from .conftest import Member, Store, Tag
except ImportError:  # tests/console is not a package
    from conftest import Member, Store, Tag

UTC = datetime.timezone.utc


@pytest.fixture
def shop(db):
    """Two stores, five members, two tags."""
    downtown = Store.create(name="Downtown")
    airport = Store.create(name="Airport")
    vip, kids = Tag.create(name="vip"), Tag.create(name="kids")
    rows = [
        ("Li Lei", "1381", downtown, 10, "12.50", datetime.date(1990, 1, 2), True, "gold", {"lang": "zh"}),
        ("Han Meimei", "1382", downtown, 50, "0.99", datetime.date(1985, 6, 1), False, "silver", None),
        ("Lily 50%_off", "1383", airport, 30, "100.00", None, True, "vip", {"lang": "en"}),
        ("Lucy", "1384", airport, 20, "7.25", datetime.date(2000, 12, 31), False, "silver", None),
        ("Jim Green", "1385", downtown, 40, "3.00", None, True, "gold", None),
    ]
    members = {}
    for i, (name, phone, store, points, balance, birthday, active, tier, prefs) in enumerate(rows):
        members[name] = Member.create(
            name=name, phone=phone, store=store, points=points, balance=Decimal(balance),
            birthday=birthday, active=active, tier=tier, prefs=prefs,
            joined_at=datetime.datetime(2024, 1, 1 + i, 8, 0, tzinfo=UTC),
        )
    members["Li Lei"].tags.add([vip, kids])
    members["Lucy"].tags.add([kids])
    return {"downtown": downtown, "airport": airport, "vip": vip, "kids": kids, **members}


def names(items):
    return sorted(m.name for m in items)


def search(col, opr, value, model=Member):
    datamodel = PeeweeInterface(model)
    filters = datamodel.get_filters(datamodel.get_search_columns_list())
    filters.rest_add_filters([{"col": col, "opr": opr, "value": value}])
    return datamodel.query(filters)


# ------------------------------------------------------------------ filters
@pytest.mark.parametrize(
    "col, opr, value, expected",
    [
        ("name", "ct", "Lei", ["Li Lei"]),
        ("name", "ct", "50%_", ["Lily 50%_off"]),  # LIKE wildcards are literal
        ("name", "nct", "L", ["Han Meimei", "Jim Green"]),
        ("name", "sw", "Li", ["Li Lei", "Lily 50%_off"]),
        ("name", "nsw", "Li", ["Han Meimei", "Jim Green", "Lucy"]),
        ("name", "ew", "Green", ["Jim Green"]),
        ("name", "eq", "Lucy", ["Lucy"]),
        ("name", "neq", "Lucy", ["Han Meimei", "Jim Green", "Li Lei", "Lily 50%_off"]),
        ("name", "in", ["Lucy", "Jim Green", "Nobody"], ["Jim Green", "Lucy"]),
        ("note", "empty", True, ["Han Meimei", "Jim Green", "Li Lei", "Lily 50%_off", "Lucy"]),
        ("birthday", "not_empty", True, ["Han Meimei", "Li Lei", "Lucy"]),
        ("points", "gt", "30", ["Han Meimei", "Jim Green"]),
        ("points", "lt", 20, ["Li Lei"]),
        ("points", "eq", "20", ["Lucy"]),
        ("points", "in", ["10", "40"], ["Jim Green", "Li Lei"]),
        ("points", "eq", "not a number", []),
        ("balance", "gt", "7.25", ["Li Lei", "Lily 50%_off"]),
        ("balance", "eq", "0.99", ["Han Meimei"]),
        ("birthday", "lt", "1990-01-02", ["Han Meimei"]),
        ("birthday", "gt", "1990-01-01", ["Li Lei", "Lucy"]),
        ("joined_at", "gt", "2024-01-04T00:00:00+00:00", ["Jim Green", "Lucy"]),
        ("joined_at", "lt", "2024-01-02T09:00:00+01:00", ["Li Lei"]),
        ("active", "eq", "y", ["Jim Green", "Li Lei", "Lily 50%_off"]),
        ("active", "eq", "n", ["Han Meimei", "Lucy"]),
        ("active", "eq", "false", ["Han Meimei", "Lucy"]),
        ("active", "eq", "0", ["Han Meimei", "Lucy"]),
        ("active", "eq", True, ["Jim Green", "Li Lei", "Lily 50%_off"]),
        ("active", "neq", "true", ["Han Meimei", "Lucy"]),
        ("tier", "eq", "gold", ["Jim Green", "Li Lei"]),
        ("tier", "in", ["vip", "gold"], ["Jim Green", "Li Lei", "Lily 50%_off"]),
        ("tier", "neq", "silver", ["Jim Green", "Li Lei", "Lily 50%_off"]),
        ("prefs", "ct", "zh", ["Li Lei"]),
        ("prefs", "empty", 1, ["Han Meimei", "Jim Green", "Lucy"]),
    ],
)
def test_each_filter_finds_exactly_the_matching_members(shop, col, opr, value, expected):
    count, items = search(col, opr, value)
    assert names(items) == expected
    assert count == len(expected)


def test_relation_filters_match_by_primary_key(shop):
    downtown, airport = shop["downtown"], shop["airport"]
    assert names(search("store", "rel_o_m", str(airport.id))[1]) == ["Lily 50%_off", "Lucy"]
    assert names(search("store", "nrel_o_m", airport.id)[1]) == ["Han Meimei", "Jim Green", "Li Lei"]
    assert names(search("tags", "rel_m_m", shop["kids"].id)[1]) == ["Li Lei", "Lucy"]
    assert names(search("tags", "rel_m_m", [shop["kids"].id, shop["vip"].id])[1]) == ["Li Lei"]
    stores = search("members", "rel_m_m", shop["Lucy"].id, model=Store)[1]
    assert [s.name for s in stores] == ["Airport"]
    assert downtown.id != airport.id


def test_a_filter_on_a_related_column_joins_the_related_table(shop):
    datamodel = PeeweeInterface(Member)
    filters = datamodel.get_filters(["store.name"])
    filters.add_filter("store.name", datamodel.FilterStartsWith, "Air")
    count, items = datamodel.query(filters, order_column="store.name")
    assert count == 2 and names(items) == ["Lily 50%_off", "Lucy"]


def test_unknown_rest_operator_or_column_is_refused(shop):
    from flask_appbuilder.exceptions import FABException

    with pytest.raises(FABException):
        search("name", "gt", "x")  # strings have no "greater than"
    with pytest.raises(FABException):
        search("secret", "eq", "x")


def test_peewee_filters_stay_out_of_fabs_global_operator_map(shop):
    before = dict(fab_filters.map_args_filter)
    search("name", "eq", "Lucy")
    assert fab_filters.map_args_filter == before
    assert not any(
        cls.__module__.startswith("zhanggui") for cls in fab_filters.map_args_filter.values()
    )


# ------------------------------------------------------- order, pages, count
def test_ordering_by_a_column_and_by_a_related_column(shop):
    datamodel = PeeweeInterface(Member)
    _, items = datamodel.query(order_column="points", order_direction="desc")
    assert [m.points for m in items] == [50, 40, 30, 20, 10]
    _, items = datamodel.query(order_column="balance", order_direction="asc")
    assert [m.balance for m in items] == [Decimal("0.99"), Decimal("3.00"), Decimal("7.25"),
                                          Decimal("12.50"), Decimal("100.00")]
    _, items = datamodel.query(order_column="store.name", order_direction="asc")
    assert [m.store.name for m in items] == ["Airport"] * 2 + ["Downtown"] * 3


def test_pages_cover_every_row_once_even_when_the_order_column_has_ties(db):
    store = Store.create(name="Big")
    for i in range(57):
        Member.create(name=f"M{i:02}", phone=f"p{i}", store=store, points=i % 3)
    datamodel = PeeweeInterface(Member)
    seen = []
    for page in range(6):
        count, items = datamodel.query(order_column="points", order_direction="asc",
                                       page=page, page_size=10)
        assert count == 57
        seen.extend(m.phone for m in items)
    assert len(seen) == 57 and len(set(seen)) == 57
    _, last = datamodel.query(order_column="points", page=5, page_size=10)
    assert len(last) == 7
    _, beyond = datamodel.query(page=9, page_size=10)
    assert beyond == []


def test_a_page_counts_without_joins_and_loads_the_store_with_the_rows(shop):
    queries = []

    class Capture(logging.Handler):
        def emit(self, record):
            queries.append(str(record.msg))

    logger = logging.getLogger("peewee")
    handler = Capture()
    logger.addHandler(handler)
    old_level = logger.level
    logger.setLevel(logging.DEBUG)
    try:
        count, items = PeeweeInterface(Member).query(
            order_column="name", page=0, page_size=2
        )
        labels = [m.store.name for m in items]  # must not query again
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
    assert count == 5 and labels == ["Downtown", "Downtown"]
    count_sql = next(q for q in queries if "COUNT" in q.upper())
    assert "JOIN" not in count_sql.upper()
    assert len(queries) == 3  # count, page keys, page rows


# ------------------------------------------------------------- interface
def test_the_interface_describes_member_columns(db):
    dm = PeeweeInterface(Member)
    assert dm.model_name == "Member"
    assert dm.is_string("name") and dm.is_text("note") and not dm.is_text("prefs")
    assert dm.is_integer("points") and dm.is_numeric("balance") and dm.is_boolean("active")
    assert dm.is_date("birthday") and dm.is_datetime("joined_at") and not dm.is_date("joined_at")
    assert dm.is_enum("tier") and dm.is_json("prefs")
    assert dm.is_relation_many_to_one("store") and dm.is_fk("store_id") and not dm.is_fk("store")
    assert dm.is_relation_many_to_many("tags")
    assert PeeweeInterface(Store).is_relation_one_to_many("members")
    assert dm.is_unique("phone") and not dm.is_nullable("name") and dm.is_nullable("birthday")
    assert dm.get_max_length("phone") == 20 and dm.get_pk_name() == "id"
    assert dm.get_related_model("store") is Store and dm.get_related_fk(Store) == "store"
    assert "membertag_set" not in dm.get_columns_list()
    assert "members" not in PeeweeInterface(Store).get_user_columns_list()


def test_a_duplicate_phone_is_refused_with_a_message_on_the_phone_field(shop):
    dm = PeeweeInterface(Member)
    with pytest.raises(RecordRejected) as refused:
        dm.add(Member(name="Copy", phone="1381", store=shop["downtown"]))
    assert list(refused.value.field_errors) == ["phone"]
    assert dm.message[1] == "danger"
    assert Member.select().count() == 5


def test_deleting_a_store_that_still_has_members_is_refused(shop):
    dm = PeeweeInterface(Store)
    with pytest.raises(RecordRejected) as refused:
        dm.delete(shop["downtown"])
    assert "delete them first" in refused.value.message
    assert Store.select().count() == 2


# ---------------------------------------------------------------- console
def member_form(home_store, **changes):
    form = {
        "name": "Wang Fang", "phone": "1399", "store": str(home_store.id), "points": "5",
        "balance": "19.90", "birthday": "1995-03-04", "joined_at": "2024-05-01 10:00:00",
        "tier": "gold", "prefs": '{"lang": "zh"}',
    }
    form.update(changes)
    return {k: v for k, v in form.items() if v is not None}


def test_an_unticked_checkbox_saves_false(client, shop):
    response = client.post("/memberview/add", data=member_form(shop["downtown"]))
    assert response.status_code == 302
    member = Member.get(Member.phone == "1399")
    assert member.active is False
    assert member.balance == Decimal("19.90") and member.prefs == {"lang": "zh"}
    assert member.joined_at == datetime.datetime(2024, 5, 1, 10, tzinfo=UTC)


def test_a_ticked_checkbox_saves_true(client, shop):
    client.post("/memberview/add", data=member_form(shop["downtown"], active="y"))
    assert Member.get(Member.phone == "1399").active is True


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("balance", "lots", b"Not a valid decimal value"),
        ("prefs", "{not json", b"Not valid JSON"),
        ("tier", "platinum", b"Not a valid choice"),
        ("store", "99999", b"Not a valid choice"),
        ("phone", "1381", b"Already exists."),
        ("name", "", b"This field is required."),
    ],
)
def test_bad_console_input_shows_the_form_again_and_writes_nothing(client, shop, field, value, message):
    response = client.post("/memberview/add", data=member_form(shop["downtown"], **{field: value}))
    assert response.status_code == 200
    assert message in response.data
    assert Member.select().count() == 5


def test_editing_and_deleting_a_member_from_the_console(client, shop):
    lucy = shop["Lucy"]
    response = client.post(
        f"/memberview/edit/{lucy.id}",
        data=member_form(shop["airport"], name="Lucy Liu", phone="1384", active="y"),
    )
    assert response.status_code == 302
    lucy = Member.get_by_id(lucy.id)
    assert lucy.name == "Lucy Liu" and lucy.active is True and lucy.balance == Decimal("19.90")
    assert client.post(f"/memberview/delete/{lucy.id}").status_code == 302
    assert Member.get_or_none(Member.id == lucy.id) is None


def test_the_console_list_filters_by_a_boolean_n(client, shop):
    response = client.get("/memberview/list/?_flt_0_active=n")
    assert b"Lucy" in response.data and b"Han Meimei" in response.data
    assert b"Jim Green" not in response.data


def test_the_store_field_is_an_autocomplete_box_not_a_select_of_all_stores(client, shop):
    page = client.get("/memberview/add").data
    assert b"data-zg-autocomplete=\"/memberview/autocomplete/store\"" in page
    assert b"<option" not in page.split(b'name="store"')[1][:400]
    assert b"Airport" not in page  # no store is listed up front


def test_autocomplete_returns_at_most_20_prefix_matches(client, db):
    for i in range(30):
        Store.create(name=f"Shop {i:02}")
    Store.create(name="Mall Shop")
    result = client.get("/memberview/autocomplete/store?q=Shop").json["result"]
    assert len(result) == 20
    assert all(row["text"].startswith("Shop") for row in result)
    result = client.get("/memberview/autocomplete/store?q=Shop 2").json["result"]
    assert [row["text"] for row in result] == [f"Shop 2{i}" for i in range(10)]
    assert client.get("/memberview/autocomplete/tier?q=x").status_code == 404


# ------------------------------------------------------------------- REST
def test_the_api_lists_with_rison_filters_and_order(client, shop):
    q = prison.dumps({
        "filters": [{"col": "active", "opr": "eq", "value": "n"}],
        "order_column": "points", "order_direction": "desc",
    })
    body = client.get(f"/api/v1/member/?q={q}").json
    assert body["count"] == 2
    assert [r["name"] for r in body["result"]] == ["Han Meimei", "Lucy"]
    assert body["result"][0]["balance"] == "0.99"
    # "store" and "store.name" both listed: the store is shown as a nested object
    assert body["result"][0]["store"] == {"name": "Downtown"}
    assert body["result"][1]["birthday"] == "2000-12-31"


def test_api_info_lists_store_choices_and_tier_values(client, shop):
    info = client.get("/api/v1/member/_info").json
    columns = {c["name"]: c for c in info["add_columns"]}
    assert {v["value"] for v in columns["store"]["values"]} == {"Downtown", "Airport"}
    assert "gold" in columns["tier"]["validate"][0]
    assert {f["operator"] for f in info["filters"]["tier"]} >= {"eq", "in"}


def test_the_api_creates_a_member_with_money_dates_json_and_tags(client, shop):
    response = client.post("/api/v1/member/", json={
        "name": "Zhao", "phone": "1500", "store": shop["airport"].id, "balance": "88.80",
        "joined_at": "2024-05-01T10:00:00+08:00", "tier": "vip", "prefs": {"sms": False},
        "tags": [shop["vip"].id], "active": False,
    })
    assert response.status_code == 201, response.json
    assert response.json["result"]["balance"] == "88.80"
    member = Member.get_by_id(response.json["id"])
    assert member.joined_at == datetime.datetime(2024, 5, 1, 2, tzinfo=UTC)
    assert member.prefs == {"sms": False} and [t.name for t in member.tags] == ["vip"]
    shown = client.get(f"/api/v1/member/{member.id}").json["result"]
    assert shown["joined_at"].startswith("2024-05-01T02:00:00")
    assert shown["tags"] == [shop["vip"].id]


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"balance": "12.345"}, "balance"),
        ({"balance": "not money"}, "balance"),
        ({"tier": "platinum"}, "tier"),
        ({"store": 99999}, "store"),
        ({"phone": "x" * 21}, "phone"),
        ({"name": None}, "name"),
        ({"joined_at": "yesterday"}, "joined_at"),
    ],
)
def test_bad_api_input_answers_422_with_field_messages_and_writes_nothing(client, shop, changes, field):
    payload = {"name": "Zhao", "phone": "1500", "store": shop["airport"].id, **changes}
    response = client.post("/api/v1/member/", json=payload)
    assert response.status_code == 422
    assert field in response.json["message"]
    assert Member.select().count() == 5


def test_a_duplicate_phone_over_the_api_is_422_not_500(client, shop):
    response = client.post("/api/v1/member/", json={
        "name": "Copy", "phone": "1381", "store": shop["airport"].id,
    })
    assert response.status_code == 422
    assert response.json["message"] == {"phone": ["Already exists."]}
    assert Member.select().count() == 5


def test_the_api_edits_and_deletes(client, shop):
    lucy = shop["Lucy"]
    response = client.put(f"/api/v1/member/{lucy.id}", json={"points": 99, "active": True})
    assert response.status_code == 200, response.json
    lucy = Member.get_by_id(lucy.id)
    assert (lucy.points, lucy.active, lucy.name) == (99, True, "Lucy")
    response = client.put(f"/api/v1/member/{lucy.id}", json={"phone": "1381"})
    assert response.status_code == 422 and Member.get_by_id(lucy.id).phone == "1384"
    assert client.delete(f"/api/v1/member/{lucy.id}").status_code == 200
    assert client.get(f"/api/v1/member/{lucy.id}").status_code == 404
    assert client.get("/api/v1/member/99999").status_code == 404


# ------------------------------------------------------------------ scope
def test_a_store_scoped_user_sees_only_their_store_in_the_console(app, client, shop):
    app.config["SCOPE_STORE_ID"] = shop["airport"].id
    page = client.get("/scopedmember/list/").data
    assert b"Lucy" in page and b"Li Lei" not in page
    li = shop["Li Lei"]
    assert client.get(f"/scopedmember/show/{li.id}").status_code == 404
    assert client.get(f"/scopedmember/edit/{li.id}").status_code == 404
    assert client.post(f"/scopedmember/edit/{li.id}", data=member_form(shop["airport"])).status_code == 404
    assert client.post(f"/scopedmember/delete/{li.id}").status_code == 404
    assert Member.get_by_id(li.id).name == "Li Lei"


def test_a_store_scoped_user_cannot_move_a_member_to_another_store(app, client, shop):
    app.config["SCOPE_STORE_ID"] = shop["airport"].id
    lucy = shop["Lucy"]
    response = client.post(
        f"/scopedmember/edit/{lucy.id}",
        data=member_form(shop["downtown"], name="Lucy", phone="1384"),
    )
    assert response.status_code == 200 and b"Record not found" in response.data
    assert Member.get_by_id(lucy.id).store_id == shop["airport"].id


def test_a_store_scoped_api_hides_other_stores(app, client, shop):
    app.config["SCOPE_STORE_ID"] = shop["airport"].id
    body = client.get("/api/v1/scopedmember/").json
    assert body["count"] == 2 and {r["name"] for r in body["result"]} == {"Lucy", "Lily 50%_off"}
    li = shop["Li Lei"]
    assert client.get(f"/api/v1/scopedmember/{li.id}").status_code == 404
    assert client.put(f"/api/v1/scopedmember/{li.id}", json={"points": 1}).status_code == 404
    assert client.delete(f"/api/v1/scopedmember/{li.id}").status_code == 404
    response = client.post("/api/v1/scopedmember/", json={
        "name": "Sneaky", "phone": "1600", "store": shop["downtown"].id,
    })
    assert response.status_code == 422
    assert Member.get_by_id(li.id).points == 10
    assert Member.get_or_none(Member.phone == "1600") is None
