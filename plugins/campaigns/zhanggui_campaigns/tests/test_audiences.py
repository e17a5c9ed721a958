"""Audiences combine conditions of several plugins with AND/OR/NOT, count exactly the
members they describe, and refuse a bad tree with messages naming the place."""
from __future__ import annotations

import pytest

from .conftest import make_chain


def _ids(tree):
    from zhanggui_campaigns.audiences.definition import member_query, parse

    return {row[0] for row in member_query(parse(tree)).tuples()}


def test_nested_and_or_not_select_exactly_the_described_members(campaign_app):
    from zhanggui_members.profile.models import Member

    ids = make_chain(12)
    sh = {m.id for m in Member.select().join_from(Member, Member.home_store.rel_model)
          .where(Member.home_store.rel_model.code == "SH01")}
    Member.update(lifecycle_stage="active").where(Member.id.in_(ids[:6])).execute()
    active = set(ids[:6])
    store = {"criterion": "members.store", "op": "in", "value": ["SH01"]}
    stage = {"criterion": "members.lifecycle", "op": "in", "value": ["active"]}
    assert _ids({"all": [store]}) == sh
    assert _ids({"all": [store, stage]}) == sh & active
    assert _ids({"any": [store, stage]}) == sh | active
    assert _ids({"all": [stage, {"not": store}]}) == active - sh
    assert _ids({"any": [{"all": [store, stage]}, {"not": {"any": [store, stage]}}]}) == \
        (sh & active) | (set(ids) - sh - active)


def test_merged_and_erased_members_are_never_in_an_audience(campaign_app):
    from zhanggui_members.profile.models import Member

    ids = make_chain(4)
    Member.update(merged_into=ids[0]).where(Member.id == ids[1]).execute()
    Member.update(erased_at=Member.joined_at).where(Member.id == ids[2]).execute()
    everyone = {"any": [{"criterion": "members.store", "op": "in", "value": ["SH01", "BJ01"]}]}
    assert _ids(everyone) == {ids[0], ids[3]}


@pytest.mark.parametrize("tree, place", [
    ({"all": []}, "definition.all"),
    ({"all": [{"criterion": "members.nonsense", "value": ["x"]}]}, "definition.all.0.criterion"),
    ({"all": [{"criterion": "members.store", "op": ">=", "value": ["SH01"]}]}, "definition.all.0.op"),
    ({"all": [{"criterion": "members.store", "value": ["ZZ99"]}]}, "definition.all.0.value"),
    ({"any": [{"criterion": "members.rfm", "op": "between", "value": [9, 3]}]}, "definition.any.0.value"),
    ({"all": [{"criterion": "members.bought_within", "op": "within", "value": 0}]}, "definition.all.0.value"),
    ({"all": [{"criterion": "members.category_90", "op": "is", "value": "a\x00b"}]}, "definition.all.0.value"),
    ([1, 2], "definition"),
])
def test_a_bad_tree_is_refused_naming_the_place(campaign_app, tree, place):
    from zhanggui_campaigns.audiences.definition import AudienceError, parse

    make_chain(1)
    with pytest.raises(AudienceError) as caught:
        parse(tree)
    assert place in caught.value.errors, caught.value.errors


def test_groups_nest_only_so_deep(campaign_app):
    from zhanggui_campaigns.audiences.definition import AudienceError, parse

    tree = {"criterion": "members.store", "value": ["SH01"]}
    for _ in range(8):
        tree = {"all": [tree]}
    with pytest.raises(AudienceError):
        parse(tree)


def test_the_count_api_answers_the_number_and_422_with_field_messages(campaign_app):
    from zhanggui.testing import ADMIN_PASSWORD
    from zhanggui.users import create_user
    from flask_jwt_extended import create_access_token

    make_chain(6)
    user = create_user("marketer", ADMIN_PASSWORD, role="Marketing")
    headers = {"Authorization": f"Bearer {create_access_token(identity=str(user.id))}"}
    client = campaign_app.test_client()
    ok = client.post("/api/v1/campaigns/audiences/count", headers=headers, json={
        "definition": {"all": [{"criterion": "members.store", "value": ["SH01"]}]}})
    assert ok.status_code == 200 and ok.json == {"count": 3}
    bad = client.post("/api/v1/campaigns/audiences/count", headers=headers, json={
        "definition": {"all": [{"criterion": "members.store", "value": ["ZZ99"]}]}})
    assert bad.status_code == 422
    assert bad.json["message"]["definition"]["all"]["0"]["value"]  # shaped like the body
    staff = create_user("clerk", ADMIN_PASSWORD, role="Store staff")
    refused = client.post("/api/v1/campaigns/audiences/count", json={"definition": {}},
                          headers={"Authorization": "Bearer "
                                   + create_access_token(identity=str(staff.id))})
    assert refused.status_code == 403
