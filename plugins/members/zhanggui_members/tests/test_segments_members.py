"""One member recomputed, a merged member's history folded, PIPL export and erasure,
and the demo chain segmented."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from zhanggui import DemoContext, plugins

from zhanggui_members.tests.helpers import make_store

UTC = dt.timezone.utc
AS_OF = dt.datetime(2026, 6, 30, 12, 0, tzinfo=UTC)


def _member_with(store, name, purchases):
    """``purchases``: ``[(days before AS_OF, total)]``."""
    from zhanggui_members.profile.models import Member, Purchase

    member = Member.create(name=name)
    for n, (days, total) in enumerate(purchases):
        Purchase.create(pos_id=f"{name}-{n}", store=store, member=member,
                        total=Decimal(total), occurred_at=AS_OF - dt.timedelta(days=days))
    return member


def _base(store, n=20):
    """Members 1..n: member k bought k times, k×100 each, more recently as k rises."""
    return [_member_with(store, f"m{k:02d}", [(60 - 2 * k + j, f"{k}00.00") for j in range(k)])
            for k in range(1, n + 1)]


def test_one_member_is_placed_among_the_stored_quintiles(members_app):
    from zhanggui_members.profile.models import Member
    from zhanggui_members.segments.queries import member_segment
    from zhanggui_members.segments.recompute import recompute_member, recompute_segments

    store = make_store()
    base = _base(store)
    recompute_segments(as_of=AS_OF)
    assert (member_segment(base[-1].id).rfm, member_segment(base[0].id).rfm) == (555, 111)

    newcomer = _member_with(store, "newcomer", [(1, "5000.00")] * 25)
    moves = recompute_member(newcomer.id, as_of=AS_OF)
    score = member_segment(newcomer.id)
    assert (score.r, score.f, score.m, score.value_group) == (5, 5, 5, "loyal")
    assert score.frequency == 25 and score.monetary == Decimal("125000.00")
    assert moves == [(newcomer.id, "potential", "active")]
    assert Member.get_by_id(newcomer.id).lifecycle_stage == "active"
    assert member_segment(base[-1].id).rfm == 555          # the others are not re-ranked
    assert recompute_member(newcomer.id, as_of=AS_OF) == []  # nothing new: nothing moves


def test_a_merged_members_stage_history_moves_to_the_target(members_app):
    from zhanggui_members.segments.models import StageChange
    from zhanggui_members.segments.queries import member_segment, stage_history
    from zhanggui_members.segments.recompute import (fold_segment_records, recompute_member,
                                                     recompute_segments)

    store = make_store()
    source = _member_with(store, "source", [(200, "800.00")])
    target = _member_with(store, "target", [(10, "300.00")])
    recompute_segments(as_of=AS_OF - dt.timedelta(days=150))   # both active then
    recompute_segments(as_of=AS_OF)                              # source churned since
    source_moves = [(c.old_stage, c.new_stage) for c in stage_history(source.id)]
    assert source_moves == [("active", "churned"), ("potential", "active")]
    assert fold_segment_records(source.id, target.id) == 2
    assert stage_history(source.id) == [] and member_segment(source.id) is None
    assert StageChange.select().where(StageChange.member == target.id).count() == 3
    # the lead's merge moves the purchases, marks the source and recomputes the target
    from zhanggui_members.profile.models import Purchase

    Purchase.update(member=target).where(Purchase.member == source).execute()
    recompute_member(target.id, as_of=AS_OF, reason="merge")
    score = member_segment(target.id)
    assert (score.frequency, score.monetary, score.recency_days) == (2, Decimal("1100.00"), 10)


def test_the_export_holds_the_scores_and_the_stage_history(members_app):
    from zhanggui_members.segments.recompute import recompute_segments

    store = make_store()
    member = _member_with(store, "陈静", [(3, "1288.00"), (40, "66.50")])
    recompute_segments(as_of=AS_OF)
    sections = {s.name: s for s in plugins().export_member(member.id)}
    score = sections["members.segment"].rows[0]
    assert (score["frequency"], score["monetary"], score["rfm"]) == (2, "1354.50", 111)
    assert score["value_group"] == "ordinary" and score["clv"] == "4063.50"
    assert sections["members.stage_history"].rows == [
        {"from": "potential", "to": "active", "changed_at": AS_OF.isoformat(),
         "reason": "job", "days_since_purchase": 3}]


def test_erasure_deletes_the_scores_and_de_identifies_the_stage_history(members_app):
    from zhanggui_members.segments.models import MemberScore, StageChange
    from zhanggui_members.segments.recompute import recompute_segments
    from zhanggui_members.profile.services import erase_member_data

    store = make_store()
    member = _member_with(store, "赵敏", [(3, "100.00")])
    other = _member_with(store, "钱多多", [(5, "200.00")])
    recompute_segments(as_of=AS_OF)
    report = erase_member_data(member.id)
    assert "1 score row(s) deleted" in report and "1 stage change(s) de-identified" in report
    assert not MemberScore.select().where(MemberScore.member == member.id).exists()
    assert not StageChange.select().where(StageChange.member == member.id).exists()
    assert StageChange.select().where(StageChange.member.is_null()).count() == 1  # flows add up
    assert MemberScore.select().where(MemberScore.member == other.id).exists()
    sections = {s.name: s for s in plugins().export_member(member.id)}
    assert sections["members.segment"].rows == [] == sections["members.stage_history"].rows


def test_the_demo_chain_comes_with_segments_for_the_dashboard(members_app):
    from zhanggui_members.profile.models import Member
    from zhanggui_members.segments.models import MemberScore, StageChange
    from zhanggui_members.segments.queries import summary_by_value_group

    ctx = DemoContext(seed=5, members=300, purchases=2400, quiet=True,
                      as_of=dt.date(2026, 6, 30))
    members_app.extensions["zhanggui"].plugins.demo_data(ctx)
    groups = {row["group"]: row["members"] for row in summary_by_value_group()}
    assert all(groups[g] > 0 for g in ("loyal", "growing", "ordinary"))
    assert sum(groups.values()) == MemberScore.select().where(
        MemberScore.value_group.is_null(False)).count() > 100
    # the demo draws "dormant" members up to a year back; those past 180 days churn
    moves = list(StageChange.select().where(StageChange.reason == "demo"))
    assert moves and all(c.changed_at.date() == dt.date(2026, 6, 30) for c in moves)
    for member in Member.select():
        score = MemberScore.get_or_none(MemberScore.member == member.id)
        expected = ("potential" if score is None else "active" if score.recency_days < 90
                    else "dormant" if score.recency_days < 180 else "churned")
        assert member.lifecycle_stage == expected
