"""``zhanggui members tags evaluate`` and the daily job re-evaluate rule tags."""
from __future__ import annotations

import json

from zhanggui_members.profile.services import register_member
from zhanggui_members.tags.models import MemberTag, Tag, TagGroup
from zhanggui_members.tags.service import create_tag


def _setup(app):
    with app.app_context():
        register_member(name="王秀英", gender="female")
        register_member(name="张浩然", gender="male")
        group = TagGroup.get(TagGroup.code == "demographic")
        tag = create_tag(group=group, name="女士", kind="rule",
                         rule={"field": "gender", "op": "=", "value": "female"})
        return tag.id


def test_the_cli_evaluates_rule_tags_with_progress_and_a_line_per_tag(members_app):
    tag_id = _setup(members_app)
    runner = members_app.test_cli_runner()
    result = runner.invoke(args=["members", "tags", "evaluate"])
    assert result.exit_code == 0, result.output
    assert f"{tag_id}" in result.output and "1" in result.output
    with members_app.app_context():
        assert MemberTag.select().where(MemberTag.tag == tag_id).count() == 1
    again = runner.invoke(args=["members", "tags", "evaluate", "--tag", str(tag_id)])
    assert again.exit_code == 0
    with members_app.app_context():
        assert MemberTag.select().where(MemberTag.tag == tag_id).count() == 1


def test_the_cli_names_an_unknown_tag_and_a_rule_that_no_longer_checks(members_app):
    tag_id = _setup(members_app)
    runner = members_app.test_cli_runner()
    unknown = runner.invoke(args=["members", "tags", "evaluate", "--tag", "999"])
    assert unknown.exit_code != 0 and "999" in unknown.output
    with members_app.app_context():
        # a rule naming a store that has since been closed
        Tag.update(rule=json.dumps({"field": "home_store", "op": "=", "value": "XX01"})) \
            .where(Tag.id == tag_id).execute()
    broken = runner.invoke(args=["members", "tags", "evaluate"])
    assert broken.exit_code == 1 and "XX01" in broken.output


def test_the_daily_job_is_registered_as_a_periodic_job(members_app):
    from zhanggui import enqueue

    tag_id = _setup(members_app)
    queue = members_app.extensions["zhanggui"].queue
    jobs = {j.name: j for j in members_app.extensions["zhanggui"].plugins.jobs()}
    assert "members.evaluate_tags" in queue.tasks
    assert jobs["members.evaluate_tags"].schedule is not None   # daily, locked by the core
    with members_app.app_context():
        enqueue("members.evaluate_tags")     # the inline test queue runs it now
        assert MemberTag.select().where(MemberTag.tag == tag_id).count() == 1
