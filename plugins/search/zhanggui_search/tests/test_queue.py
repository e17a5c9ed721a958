"""The index follows events through the queue; erasure leaves nothing in the files."""
from __future__ import annotations

from pathlib import Path

from zhanggui import database
from zhanggui_search.backends import backend_for
from zhanggui_search.queue.models import SearchTask
from zhanggui_search.queue.reindex import reindex
from zhanggui_search.queue.service import acquire_lease, apply_queue, release_lease

from .helpers import keys, member, store


def _index_bytes(app) -> bytes:
    folder = Path(app.extensions["zhanggui"].settings["SEARCH_INDEX_DIR"])
    return b"".join(p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file())


def _host(app):
    return app.extensions["zhanggui"].plugins


def test_an_erased_member_is_gone_from_the_index_files(whoosh_app):
    sh = store("SH01")
    erased = member("欧阳娜娜", phone="13812345678", card="8800009999", home=sh)
    member("欧阳修", card="8800001111", home=sh)
    reindex()
    before = _index_bytes(whoosh_app)
    assert "欧阳娜娜".encode() in before and b"ouyangnana" in before
    assert b"8800009999" in before

    with database.atomic():
        _host(whoosh_app).erase_member(erased.id)
    assert SearchTask.select().count() == 1          # queued, not yet applied
    assert apply_queue() == 1

    after = _index_bytes(whoosh_app)
    assert "欧阳娜娜".encode() not in after
    assert b"ouyangnana" not in after and b"oynn" not in after
    assert b"8800009999" not in after
    assert keys("欧阳") == [f"members.members:{m.id}" for m in [_other()]]


def _other():
    from zhanggui_members.profile.models import Member

    return Member.get(Member.name == "欧阳修")


def test_the_index_never_holds_a_phone_in_clear(whoosh_app):
    someone = member("赵敏", phone="13812345678", home=store("SH01"))
    reindex()
    data = _index_bytes(whoosh_app)
    assert b"13812345678" not in data
    with backend_for(whoosh_app)._ix().searcher() as searcher:
        terms = [t.decode() for t in searcher.lexicon("terms")]
    assert "5678" not in terms and not any(t.isdigit() and len(t) == 4 for t in terms)
    assert keys("5678") == [f"members.members:{someone.id}"]


def test_an_erasure_on_either_backend_removes_the_member(search_app):
    gone = member("欧阳娜娜", card="8800009999", home=store("SH01"))
    reindex()
    assert keys("oynn") == [f"members.members:{gone.id}"]
    _host(search_app).erase_member(gone.id)
    apply_queue()
    assert keys("oynn") == [] and keys("8800009999") == []


def test_a_merged_member_leaves_the_index_and_the_target_stays(search_app):
    from zhanggui_members.merging.command import MergeMembers

    sh = store("SH01")
    source = member("钱多多", card="8800000001", home=sh)
    target = member("钱多多", card="8800000002", home=sh)
    reindex()
    MergeMembers(source.id, target.id, stores=None).run()
    apply_queue()
    assert keys("qdd") == [f"members.members:{target.id}"]


def test_a_stage_change_refreshes_the_member(search_app):
    from zhanggui_members.profile.models import Member

    someone = member("孙丽", home=store("SH01"))
    reindex()
    Member.update(name="孙丽华").where(Member.id == someone.id).execute()
    _host(search_app).emit("member_stage_changed", member_id=someone.id, old="potential",
                           new="active")
    assert keys("孙丽华") == []                       # not before the writer ran
    apply_queue()
    assert keys("孙丽华") == [f"members.members:{someone.id}"]


def test_a_new_member_is_caught_up_without_an_event(search_app):
    sh = store("SH01")
    member("周杰", home=sh)
    reindex()
    newcomer = member("吴彦", home=sh)
    assert keys("wy") == []
    apply_queue()
    assert keys("wy") == [f"members.members:{newcomer.id}"]


def test_work_waits_while_another_writer_holds_the_lease(search_app):
    gone = member("欧阳娜娜", home=store("SH01"))
    reindex()
    assert acquire_lease("other-host:1")
    _host(search_app).erase_member(gone.id)           # the event never waits
    assert apply_queue() is None
    assert SearchTask.select().count() == 1
    release_lease("other-host:1")
    assert apply_queue() == 1
    assert keys("oynn") == []


def test_events_never_meet_the_whoosh_lock(whoosh_app):
    from zhanggui_members.profile.models import Member

    sh = store("SH01")
    people = [member(f"林{n}", home=sh) for n in "一二三"]
    reindex()
    held = backend_for(whoosh_app)._ix().writer()     # a writer holds the index lock
    try:
        for person in people:                        # web workers' events still succeed
            Member.update(lifecycle_stage="active").where(Member.id == person.id).execute()
            _host(whoosh_app).emit("member_stage_changed", member_id=person.id,
                                   old="potential", new="active")
        _host(whoosh_app).erase_member(people[0].id)
    finally:
        held.cancel()
    assert SearchTask.select().count() == 4
    apply_queue()
    assert keys("林一") == []


def test_an_interrupted_reindex_resumes_where_it_stopped(search_app):
    sh = store("SH01")
    people = [member(f"郑{n}", card=f"88{i:08d}", home=sh)
              for i, n in enumerate("一二三四五")]
    written = reindex(batch=2, stop_after=1)
    assert sum(written.values()) == 2
    resumed = reindex(batch=2)
    assert resumed["members.members"] == 3             # not the first two again
    assert backend_for(search_app).count() == 5
    assert sorted(keys("郑")) == sorted(f"members.members:{p.id}" for p in people)


def test_the_reindex_command_shows_progress(search_app):
    from zhanggui_search.cli import search

    sh = store("SH01")
    for n in "一二三":
        member(f"冯{n}", home=sh)
    result = search_app.test_cli_runner().invoke(search, ["reindex", "--batch", "100"])
    assert result.exit_code == 0, result.output
    line = next(x for x in result.output.splitlines() if x.startswith("members.members"))
    assert "3/3" in line                              # done/total, then rate and time left
    assert "3" in result.output.splitlines()[-1]
    bad = search_app.test_cli_runner().invoke(search, ["reindex", "--source", "nope"])
    assert bad.exit_code != 0 and "nope" in bad.output


def test_the_writer_builds_a_source_never_indexed_a_few_batches_at_a_time(
        search_app, monkeypatch):
    from zhanggui_search.queue import service

    sh = store("SH01")
    people = [member(f"何{n}", home=sh) for n in "一二三四五"]
    monkeypatch.setattr(service, "INDEX_BATCHES_PER_RUN", 1)
    original = service.reindex
    monkeypatch.setattr(service, "reindex", lambda **kw: original(**{**kw, "batch": 2}))
    apply_queue()                                     # no reindex was ever run
    assert len(keys("何")) == 2
    apply_queue()
    apply_queue()
    assert sorted(keys("何")) == sorted(f"members.members:{p.id}" for p in people)
