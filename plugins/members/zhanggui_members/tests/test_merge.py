"""Folding one member record into another keeps everything of both customers."""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from zhanggui import utcnow
from zhanggui.console.audit import AuditEntry

from zhanggui_members.merging import command
from zhanggui_members.merging.command import MergeError, MergeMembers
from zhanggui_members.merging.models import MemberAlias, MemberMergeRecord
from zhanggui_members.profile.models import Member, MemberIdentity, Purchase, PurchaseLine, Refund
from zhanggui_members.profile.services import erase_member_data, export_member_data, find_member, \
    register_member
from zhanggui_members.tags.models import MemberTag, TagGroup
from zhanggui_members.tags.service import assign_tag, create_tag
from zhanggui_members.tests.helpers import make_purchase, make_store


@pytest.fixture
def pair(members_app):
    """王秀英 twice: once from the till (A), once from the WeChat mini program (B)."""
    store = make_store("SH01")
    a = register_member(name="王秀英", phone="13800138000", card_no="600001",
                        home_store=store, birthday=dt.date(1985, 3, 2), notes="喜欢丝巾",
                        joined_at=dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc))
    b = register_member(name="王秀英", phone="13900139000", card_no="700001",
                        join_channel="wechat")
    MemberIdentity.create(member=a, kind="app_user", value="app-1")
    MemberIdentity.create(member=b, kind="wechat_openid", value="oOpen1")
    p1 = make_purchase(a, store, pos_id="A-1", total="1500.00")
    make_purchase(a, store, pos_id="A-2", total="300.00")
    make_purchase(b, store, pos_id="B-1", total="800.00")
    Refund.create(refund_id="R-A-1", purchase=p1, amount=Decimal("100.00"))
    Purchase.update(refunded_amount=Decimal("100.00")).where(Purchase.id == p1.id).execute()
    pref = TagGroup.get(TagGroup.code == "preference")
    silk, shoes, vip = (create_tag(group=pref, name=n) for n in ("丝巾", "鞋履", "贵宾"))
    assign_tag(a, silk)
    assign_tag(a, vip)
    assign_tag(b, vip)
    assign_tag(b, shoes)
    value = TagGroup.get(TagGroup.code == "value")
    big = create_tag(group=value, name="年消费两千", kind="rule",
                     rule={"field": "spent", "op": ">=", "value": "2000.00", "days": 3650})
    return {"a": a, "b": b, "store": store, "tags": (silk, shoes, vip), "big": big}


def _tags_of(member):
    return sorted(t.tag.name for t in MemberTag.select().where(MemberTag.member == member))


def test_a_merge_keeps_every_purchase_tag_and_identity_of_both_members(pair):
    a, b = pair["a"], pair["b"]
    merge = MergeMembers(a.id, b.id).run()

    assert sorted(p.pos_id for p in Purchase.select().where(Purchase.member == b)) == \
        ["A-1", "A-2", "B-1"]
    assert PurchaseLine.select().join(Purchase).where(Purchase.member == b).count() == 3
    assert Refund.get(Refund.refund_id == "R-A-1").purchase.member_id == b.id
    assert sorted((i.kind, i.value) for i in MemberIdentity.select()
                  .where(MemberIdentity.member == b)) == [("app_user", "app-1"),
                                                          ("wechat_openid", "oOpen1")]
    # the union of both members' tags, and the rule tag their joint spending earns
    assert _tags_of(b) == sorted(["丝巾", "贵宾", "鞋履", "年消费两千"])
    assert not Purchase.select().where(Purchase.member == a).exists()
    assert not MemberTag.select().where(MemberTag.member == a).exists()
    assert not MemberIdentity.select().where(MemberIdentity.member == a).exists()

    assert merge.source_id == a.id and merge.target_id == b.id
    assert merge.moved_counts() == {"members_alias": 2, "members_identity": 1,
                                    "members_member_tag": 2, "members_purchase": 2,
                                    "members_refund": 1}
    assert set(merge.field_names()) == {"birthday", "home_store", "joined_at", "notes"}
    assert "王秀英" not in merge.moved and "13800138000" not in merge.fields


def test_the_kept_member_keeps_its_own_numbers_and_fills_its_blanks(pair):
    a, b = pair["a"], pair["b"]
    MergeMembers(a.id, b.id).run()
    b, a = Member.get_by_id(b.id), Member.get_by_id(a.id)
    assert b.card_no == "700001" and b.phone_last4 == "9000"
    assert b.birthday == dt.date(1985, 3, 2) and b.home_store_id == pair["store"].id
    assert b.notes == "喜欢丝巾" and b.joined_at.year == 2020
    # the merged-away record is retired, emptied, and never deleted
    assert a.merged_into_id == b.id
    assert (a.name, a.phone_hash, a.card_no, a.birthday, a.notes) == (None,) * 5


def test_the_old_phone_and_card_of_a_merged_member_find_the_kept_member(pair):
    a, b = pair["a"], pair["b"]
    MergeMembers(a.id, b.id).run()
    assert find_member(phone="138 0013 8000").id == b.id
    assert find_member(card="600001").id == b.id
    assert find_member(phone="13900139000").id == b.id
    assert MemberAlias.select().where(MemberAlias.member == b).count() == 2


def test_a_kept_member_without_phone_or_card_takes_the_merged_members(members_app):
    a = register_member(name="李娜", phone="13700001111", card_no="800001")
    b = register_member(name="李娜")
    merge = MergeMembers(a.id, b.id).run()
    b = Member.get_by_id(b.id)
    assert b.card_no == "800001" and b.phone_last4 == "1111"
    assert find_member(phone="13700001111").id == b.id
    assert {"phone", "card_no"} <= set(merge.field_names())
    assert not MemberAlias.select().exists()


def test_a_merge_is_written_to_the_audit_log_with_field_names_only(pair):
    a, b = pair["a"], pair["b"]
    merge = MergeMembers(a.id, b.id).run()
    entries = list(AuditEntry.select().where(AuditEntry.resource.in_(
        ["members_merge", "members_member"])).where(AuditEntry.action.in_(
            ["create", "update"])).order_by(AuditEntry.seq))
    kinds = {(e.action, e.resource, e.record_pk) for e in entries}
    assert ("create", "members_merge", str(merge.id)) in kinds
    assert ("update", "members_member", str(a.id)) in kinds
    assert all("王秀英" not in e.fields and "1380013" not in e.fields for e in entries)


def _snapshot():
    return (sorted(Member.select(Member.id, Member.name, Member.phone_hash, Member.card_no,
                                 Member.merged_into).tuples()),
            sorted(Purchase.select(Purchase.id, Purchase.member).tuples()),
            sorted(MemberTag.select(MemberTag.member, MemberTag.tag).tuples()),
            sorted(MemberIdentity.select(MemberIdentity.id, MemberIdentity.member).tuples()),
            MemberMergeRecord.select().count(), MemberAlias.select().count())


def test_merging_into_itself_erased_merged_or_unknown_members_is_refused_changing_nothing(
        pair):
    a, b = pair["a"], pair["b"]
    c = register_member(name="张浩然", phone="13512345678")
    d = register_member(name="赵敏")
    MergeMembers(d.id, c.id).run()
    erased = register_member(name="钱多多")
    erase_member_data(erased.id)
    before = _snapshot()
    cases = [((a.id, a.id), "target", "itself"), ((a.id, erased.id), "target", "erased"),
             ((erased.id, a.id), "source", "erased"), ((a.id, d.id), "target", "merged"),
             ((d.id, b.id), "source", "merged"), ((a.id, 999999), "target", "unknown"),
             (("abc", b.id), "source", "unknown")]
    said = {}
    for (source, target), field, why in cases:
        with pytest.raises(MergeError) as refused:
            MergeMembers(source, target).run()
        assert set(refused.value.messages) == {field}, (source, target)
        # the message without the member numbers in it
        said.setdefault(why, set()).add(re.sub(r"\d+", "#", refused.value.messages[field][0]))
    # each reason has its own message (whatever the language)
    assert len({frozenset(v) for v in said.values()}) == len(said)
    assert _snapshot() == before


def test_a_store_scoped_user_cannot_merge_members_of_another_store(pair):
    bj = make_store("BJ01")
    other = register_member(name="王秀英", phone="13600136000", home_store=bj)
    with pytest.raises(MergeError) as refused:
        MergeMembers(other.id, pair["a"].id, stores={"SH01"}).run()
    assert "source" in refused.value.messages


def test_other_plugins_move_their_records_in_the_same_transaction(make_app, make_plugin):
    calls = []

    def move(source_id, target_id):
        calls.append((source_id, target_id))
        if source_id == fail_for[0]:
            raise RuntimeError("points ledger is locked")

    fail_for = [None]
    loyalty = make_plugin("fakeloyalty", requires=("members",),
                          zhanggui_merge_members=move)
    app = make_app(plugins=["members"], extra_plugins=[loyalty])
    with app.app_context():
        a, b = register_member(name="甲", phone="13800000001"), register_member(name="乙")
        c = register_member(name="丙", card_no="C-1")
        make_purchase(c, make_store("SH01"), pos_id="C-1")
        MergeMembers(a.id, b.id).run()
        assert calls == [(a.id, b.id)]
        fail_for[0] = c.id
        before = _snapshot()
        with pytest.raises(RuntimeError):
            MergeMembers(c.id, b.id).run()
        assert _snapshot() == before            # the whole merge rolled back


def test_another_feature_adds_its_fold_and_recompute_steps_with_one_line(pair, monkeypatch):
    seen = []
    monkeypatch.setattr(command, "FOLD_STEPS", command.FOLD_STEPS
                        + [lambda ctx: {"members_consent": 3}])
    monkeypatch.setattr(command, "RECOMPUTE_STEPS", command.RECOMPUTE_STEPS
                        + [lambda ctx: seen.append(ctx.target.id)])
    merge = MergeMembers(pair["a"].id, pair["b"].id).run()
    assert merge.moved_counts()["members_consent"] == 3 and seen == [pair["b"].id]


def test_the_kept_members_export_has_its_tags_and_old_numbers_and_erasure_removes_them(pair):
    a, b = pair["a"], pair["b"]
    MergeMembers(a.id, b.id).run()
    sections = {s.name: s.rows for s in export_member_data(b.id)}
    assert {r["tag"] for r in sections["members.tags"]} >= {"丝巾", "贵宾", "鞋履"}
    assert {r["value"] for r in sections["members.aliases"]} == {"+8613800138000", "600001"}
    assert sections["members.merges"][0]["merged_member"] == a.id
    done = erase_member_data(b.id)
    assert any("tag assignment" in d for d in done)
    assert not MemberAlias.select().exists()
    assert not MemberTag.select().where(MemberTag.member == b).exists()
    assert find_member(phone="13800138000") is None and find_member(card="600001") is None


def test_merged_members_stay_out_of_rule_tags(pair):
    from zhanggui_members.tags.evaluate import evaluate_rule_tags

    MergeMembers(pair["a"].id, pair["b"].id).run()
    evaluate_rule_tags(now=utcnow())
    holders = {m for (m,) in MemberTag.select(MemberTag.member)
               .where(MemberTag.tag == pair["big"]).tuples()}
    assert holders == {pair["b"].id}


def test_a_merge_moves_consent_and_stage_history_and_recomputes_the_kept_members_rfm(pair):
    from zhanggui_members.consent.service import consent_states, ensure_texts, record_consent
    from zhanggui_members.segments.models import MemberScore, StageChange
    from zhanggui_members.segments.recompute import recompute_segments

    a, b = pair["a"], pair["b"]
    now = utcnow()
    Purchase.update(occurred_at=now - dt.timedelta(days=10)).execute()   # all in the window
    ensure_texts([("sms", "v1", "短信", "簡訊", "SMS", now - dt.timedelta(days=30))])
    record_consent(a.id, "sms", True, "store", text_version="v1")
    record_consent(b.id, "sms", False, "app")
    recompute_segments(as_of=now.date())
    assert MemberScore.get_by_id(b.id).frequency == 1
    a_history = StageChange.select().where(StageChange.member == a.id).count()
    assert a_history >= 1                        # potential -> active, at least

    merge = MergeMembers(a.id, b.id).run()

    score = MemberScore.get_by_id(b.id)
    assert (score.frequency, score.monetary) == (3, Decimal("2500.00"))  # 1400 + 300 + 800
    assert not MemberScore.select().where(MemberScore.member == a.id).exists()
    assert StageChange.select().where(StageChange.member == a.id).count() == 0
    assert StageChange.select().where(StageChange.member == b.id).count() >= a_history
    # the history of both moved, but the kept member's own answer stands: no SMS
    assert consent_states(b.id)["sms"].granted is False
    assert merge.moved_counts()["members_consent_record"] == 1
    assert merge.moved_counts()["members_stage_change"] == a_history
