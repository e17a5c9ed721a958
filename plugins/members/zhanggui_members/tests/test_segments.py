"""RFM scores, value groups and lifecycle stages agree with a plain Python computation."""
from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest

from zhanggui import database

from zhanggui_members.tests.helpers import make_store

UTC = dt.timezone.utc
AS_OF = dt.datetime(2026, 6, 30, 23, 59, 59, tzinfo=UTC)


@pytest.fixture
def listener_app(make_app, make_plugin):
    """The members plugin plus a plugin that writes down every stage change it hears."""
    heard = []
    listener = make_plugin("stagelistener", zhanggui_member_stage_changed=(
        lambda member_id, old, new: heard.append((member_id, old, new))))
    app = make_app(plugins=["members", "stagelistener"], extra_plugins=[listener])
    with app.app_context():
        app.heard = heard
        yield app


def _bulk_chain(n_members: int, seed: int = 7) -> dict:
    """``n_members`` members with 0-12 purchases over two years before AS_OF and a few
    refunds (some recorded after AS_OF); returns what the reference needs."""
    from zhanggui_members.profile.models import Member, Purchase, Refund

    rng = random.Random(seed)
    store = make_store()
    Member.insert_many([{"name": f"会员{i}", "joined_at": AS_OF - dt.timedelta(days=800)}
                        for i in range(n_members)]).execute()
    ids = [m.id for m in Member.select(Member.id).order_by(Member.id)]
    purchases, refunds = [], []
    for mid in ids:
        for _ in range(rng.choice([0, 0, 1, 1, 2, 3, 5, 8, 12])):
            when = AS_OF - dt.timedelta(days=rng.randint(0, 730), seconds=rng.randint(0, 86399))
            if rng.random() < 0.03:
                when = AS_OF + dt.timedelta(days=rng.randint(1, 20))   # after the as-of day
            purchases.append({"pos_id": f"P{len(purchases):07d}", "store": store.id,
                              "member": mid, "occurred_at": when,
                              "total": Decimal(rng.randint(100, 500_000)) / 100})
    with database.atomic():
        for start in range(0, len(purchases), 500):
            Purchase.insert_many(purchases[start:start + 500]).execute()
    rows = list(Purchase.select().order_by(Purchase.id))
    for p in rows:
        if rng.random() < 0.05:
            amount = (p.total / 2).quantize(Decimal("0.01"))
            late = rng.random() < 0.3
            recorded = (AS_OF + dt.timedelta(days=2) if late
                        else p.occurred_at + dt.timedelta(hours=3))
            Refund.create(refund_id=f"R{p.id}", purchase=p, amount=amount, recorded_at=recorded)
            Purchase.update(refunded_amount=amount).where(Purchase.id == p.id).execute()
            refunds.append((p.id, amount, recorded))
    return {"ids": ids, "purchases": rows, "refunds": refunds}


def _ntile(ordered_ids: list[int], buckets: int = 5) -> dict[int, int]:
    """SQL's NTILE: the first ``n % buckets`` tiles hold one row more."""
    n = len(ordered_ids)
    size, extra = divmod(n, buckets)
    out, index = {}, 0
    for tile in range(1, buckets + 1):
        for _ in range(size + (1 if tile <= extra else 0)):
            out[ordered_ids[index]] = tile
            index += 1
    return out


def _reference(chain, as_of, settings, excluded=()):
    """Recency, frequency, monetary, quintiles, groups and stages the slow, obvious way."""
    start = as_of - dt.timedelta(days=settings.window_days)
    refunded = {}
    for purchase_id, amount, recorded in chain["refunds"]:
        if recorded <= as_of:
            refunded[purchase_id] = refunded.get(purchase_id, Decimal(0)) + amount
    per = {}
    for p in chain["purchases"]:
        if p.member_id in excluded or p.occurred_at > as_of:
            continue
        agg = per.setdefault(p.member_id, {"last": p.occurred_at, "f": 0, "m": Decimal(0)})
        agg["last"] = max(agg["last"], p.occurred_at)
        if p.occurred_at > start:
            agg["f"] += 1
            agg["m"] += p.total - refunded.get(p.id, Decimal(0))
    for agg in per.values():
        agg["days"] = int((as_of - agg["last"]).total_seconds()) // 86400
    base = [mid for mid, agg in per.items() if agg["f"] > 0]
    r = _ntile(sorted(base, key=lambda i: (per[i]["last"], i)))
    f = _ntile(sorted(base, key=lambda i: (per[i]["f"], i)))
    m = _ntile(sorted(base, key=lambda i: (per[i]["m"], i)))
    groups = {i: settings.value_group(r[i], f[i], m[i]) for i in base}
    stages = {i: settings.stage(per[i]["days"] if i in per else None)
              for i in chain["ids"] if i not in excluded}
    return per, r, f, m, groups, stages


def _scores():
    from zhanggui_members.segments.models import MemberScore

    return {s.member_id: s for s in MemberScore.select()}


def _stages():
    from zhanggui_members.profile.models import Member

    return dict(Member.select(Member.id, Member.lifecycle_stage).tuples())


def test_quintiles_groups_clv_and_stages_agree_with_a_plain_python_computation(listener_app):
    from zhanggui_members.segments.recompute import current_settings, recompute_segments

    chain = _bulk_chain(3000)
    settings = current_settings()
    run = recompute_segments(as_of=AS_OF, chunk=700)      # several chunks
    per, r, f, m, groups, stages = _reference(chain, AS_OF, settings)

    scores = _scores()
    assert set(scores) == set(per)
    assert run.members == len(per) and run.scored == len(r) > 1500
    for mid, agg in per.items():
        s = scores[mid]
        assert (s.recency_days, s.frequency, s.monetary) == (
            agg["days"], agg["f"], agg["m"].quantize(Decimal("0.01"))), mid
        assert (s.r, s.f, s.m) == (r.get(mid), f.get(mid), m.get(mid)), mid
        assert s.value_group == groups.get(mid), mid
        if mid in r:
            assert s.rfm == r[mid] * 100 + f[mid] * 10 + m[mid]
            assert s.clv == (s.monetary * Decimal(365) * 3 / Decimal(365)).quantize(
                Decimal("0.01"))
        else:
            assert s.clv is None and s.rfm is None
    assert _stages() == stages
    assert {g for g in groups.values()} == {"loyal", "growing", "winback", "ordinary"}
    for tile in (r, f, m):                                 # fifths of the base
        sizes = [list(tile.values()).count(q) for q in range(1, 6)]
        assert max(sizes) - min(sizes) <= 1


def test_each_stage_change_is_recorded_once_and_announced(listener_app):
    from zhanggui_members.segments.models import StageChange
    from zhanggui_members.segments.recompute import recompute_segments

    chain = _bulk_chain(400, seed=3)
    before = _stages()                                     # everyone starts potential
    run = recompute_segments(as_of=AS_OF, reason="command", chunk=150)
    after = _stages()
    moved = {mid for mid in chain["ids"] if before[mid] != after[mid]}
    assert moved and run.stage_changes == len(moved)
    history = list(StageChange.select().order_by(StageChange.member))
    assert [(c.member_id, c.old_stage, c.new_stage) for c in history] == sorted(
        (mid, before[mid], after[mid]) for mid in moved)
    assert all(c.reason == "command" and c.changed_at == AS_OF for c in history)
    assert sorted(listener_app.heard) == sorted(
        (mid, before[mid], after[mid]) for mid in moved)


def test_a_second_run_over_unchanged_data_changes_nothing(listener_app):
    from zhanggui_members.segments.models import StageChange
    from zhanggui_members.segments.recompute import recompute_segments

    _bulk_chain(500, seed=11)
    recompute_segments(as_of=AS_OF, chunk=200)
    scores = {k: (s.r, s.f, s.m, s.rfm, s.clv, s.value_group, s.monetary, s.recency_days,
                  s.computed_at) for k, s in _scores().items()}
    stages, history = _stages(), StageChange.select().count()
    heard = len(listener_app.heard)

    again = recompute_segments(as_of=AS_OF, chunk=333)
    assert again.stage_changes == 0
    assert {k: (s.r, s.f, s.m, s.rfm, s.clv, s.value_group, s.monetary, s.recency_days,
                s.computed_at) for k, s in _scores().items()} == scores   # not even rewritten
    assert _stages() == stages
    assert StageChange.select().count() == history and len(listener_app.heard) == heard


def test_an_earlier_as_of_date_sees_only_what_had_happened_by_then(listener_app):
    from zhanggui_members.segments.recompute import current_settings, recompute_segments

    chain = _bulk_chain(800, seed=5)
    earlier = AS_OF - dt.timedelta(days=120)
    recompute_segments(as_of=earlier)
    per, r, f, m, groups, stages = _reference(chain, earlier, current_settings())
    scores = _scores()
    assert set(scores) == set(per)
    assert {k: (s.frequency, s.monetary, s.r, s.value_group) for k, s in scores.items()} == {
        k: (per[k]["f"], per[k]["m"].quantize(Decimal("0.01")), r.get(k), groups.get(k))
        for k in per}
    assert _stages() == stages


def test_a_date_as_of_counts_the_whole_day(listener_app):
    from zhanggui_members.profile.models import Member, Purchase
    from zhanggui_members.segments.queries import member_segment
    from zhanggui_members.segments.recompute import recompute_segments

    store = make_store()
    member = Member.create(name="王芳")
    Purchase.create(pos_id="D1", store=store, member=member, total=Decimal("88.00"),
                    occurred_at=dt.datetime(2026, 3, 1, 15, 0, tzinfo=UTC))
    recompute_segments(as_of=dt.date(2026, 2, 28))
    assert member_segment(member.id) is None
    assert Member.get_by_id(member.id).lifecycle_stage == "potential"
    recompute_segments(as_of=dt.date(2026, 3, 1))
    score = member_segment(member.id)
    assert (score.frequency, score.monetary, score.recency_days) == (1, Decimal("88.00"), 0)
    assert Member.get_by_id(member.id).lifecycle_stage == "active"


def test_erased_members_are_left_out_of_scores_quintiles_and_stages(listener_app):
    from zhanggui_members.profile.models import Member
    from zhanggui_members.segments.recompute import current_settings, recompute_segments
    from zhanggui_members.profile.services import erase_member_data

    chain = _bulk_chain(600, seed=9)
    recompute_segments(as_of=AS_OF)
    buyers = sorted({p.member_id for p in chain["purchases"]})
    erased = set(buyers[::10])
    for mid in erased:
        erase_member_data(mid)
    stages_of_erased = {mid: Member.get_by_id(mid).lifecycle_stage for mid in erased}
    recompute_segments(as_of=AS_OF + dt.timedelta(days=200))
    per, r, f, m, groups, stages = _reference(chain, AS_OF + dt.timedelta(days=200),
                                              current_settings(), excluded=erased)
    scores = _scores()
    assert not erased & set(scores)
    assert {k: (s.r, s.f, s.m) for k, s in scores.items()} == {
        k: (r.get(k), f.get(k), m.get(k)) for k in per}
    assert {mid: Member.get_by_id(mid).lifecycle_stage for mid in erased} == stages_of_erased


def test_value_group_rules_and_stage_thresholds_come_from_the_settings(make_app):
    from zhanggui_members.profile.models import Member, Purchase
    from zhanggui_members.segments.queries import member_segment
    from zhanggui_members.segments.recompute import recompute_segments

    app = make_app(plugins=["members"], config={
        "VALUE_GROUP_RULES": "winback: R>=1", "LIFECYCLE_DORMANT_DAYS": "10",
        "LIFECYCLE_CHURNED_DAYS": "20", "RFM_WINDOW_DAYS": "30", "CLV_LIFETIME_YEARS": "2"})
    with app.app_context():
        store = make_store()
        member = Member.create(name="李娜")
        Purchase.create(pos_id="S1", store=store, member=member, total=Decimal("300.00"),
                        occurred_at=AS_OF - dt.timedelta(days=12))
        recompute_segments(as_of=AS_OF)
        score = member_segment(member.id)
        assert score.value_group == "winback"
        assert score.clv == Decimal("7300.00")            # 300 × 365/30 × 2
        assert Member.get_by_id(member.id).lifecycle_stage == "dormant"
        recompute_segments(as_of=AS_OF + dt.timedelta(days=20))
        assert Member.get_by_id(member.id).lifecycle_stage == "churned"
        assert member_segment(member.id).value_group is None   # out of the 30-day window


def test_settings_that_contradict_each_other_stop_start_up(make_app):
    with pytest.raises(ValueError, match="LIFECYCLE_CHURNED_DAYS"):
        make_app(plugins=["members"], config={"LIFECYCLE_DORMANT_DAYS": "200",
                                              "LIFECYCLE_CHURNED_DAYS": "100"})


def test_a_malformed_value_group_rule_stops_start_up_naming_the_setting(make_app):
    from zhanggui.config import ConfigError

    with pytest.raises(ConfigError, match="VALUE_GROUP_RULES.*'vip: R>=4'"):
        make_app(plugins=["members"], config={"VALUE_GROUP_RULES": "vip: R>=4"})


def test_two_recomputes_at_once_record_each_stage_change_once(listener_app):
    import threading

    from zhanggui_members.segments.models import StageChange
    from zhanggui_members.segments.recompute import recompute_segments

    chain = _bulk_chain(600, seed=13)
    before = _stages()
    barrier, errors = threading.Barrier(2), []

    def recompute():
        with listener_app.app_context():
            database.connect(reuse_if_open=True)
            try:
                barrier.wait()
                recompute_segments(as_of=AS_OF, chunk=100)
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            finally:
                database.close()

    threads = [threading.Thread(target=recompute) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    after = _stages()
    moved = sorted((mid, before[mid], after[mid]) for mid in chain["ids"]
                   if before[mid] != after[mid])
    assert moved
    assert sorted((c.member_id, c.old_stage, c.new_stage) for c in StageChange.select()) == moved
    assert sorted(listener_app.heard) == moved
