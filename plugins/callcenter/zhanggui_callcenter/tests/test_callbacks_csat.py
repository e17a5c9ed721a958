"""Callback lists by rule (tier and home store, phone consent checked, round-robin,
retries) and the CSAT question after close."""
import pytest

from zhanggui_callcenter.callbacks.models import CallbackTask
from zhanggui_callcenter.callbacks.service import (CallbackError, GenerateCallbackList,
                                                   record_outcome)
from zhanggui_callcenter.calls.models import Agent
from zhanggui_callcenter.tests.conftest import make_agent
from zhanggui_callcenter.tests.helpers import local


@pytest.fixture
def chain(cc_app):
    """Four gold members (three at SH01, one at BJ01) and one silver; phone consent
    for all but one gold member at SH01."""
    from zhanggui_loyalty.models import MemberTier, Tier
    from zhanggui_members.consent.service import ensure_texts, record_consent
    from zhanggui_members.profile.services import register_member
    from zhanggui_members.tests.helpers import make_store

    make_agent(cc_app, "a1", "8001")
    make_agent(cc_app, "a2", "8002")
    with cc_app.app_context():
        sh, bj = make_store("SH01"), make_store("BJ01")
        gold = Tier.create(code="GOLD", name="金卡", rank=2)
        silver = Tier.create(code="SILVER", name="银卡", rank=1)
        ensure_texts([(channel, "v1", "同意", "同意", "Agree", local(2020, 1, 1))
                      for channel in ("sms", "email", "phone", "app_push")])
        ids = {}
        for i, (store, tier, consent) in enumerate([(sh, gold, True), (sh, gold, True),
                                                    (sh, gold, False), (bj, gold, True),
                                                    (sh, silver, True)]):
            m = register_member(name=f"会员{i}", phone=f"1380013800{i}", home_store=store)
            MemberTier.create(member_id=m.id, tier=tier)
            if consent:
                record_consent(m.id, "phone", True, "store", "v1")
            ids[i] = m.id
        return ids


def test_a_list_calls_top_tier_members_of_the_stores_with_phone_consent(cc_app, chain):
    with cc_app.app_context():
        cb = GenerateCallbackList(name="周年庆回访", tiers="GOLD", store_codes="SH01",
                                  event_name="周年庆").run()
        tasks = {t.member_id: t for t in CallbackTask.select().where(
            CallbackTask.callback_list == cb)}
        assert sorted(tasks) == [chain[0], chain[1], chain[2]]       # BJ01 and silver out
        assert tasks[chain[2]].state == "no_consent" and tasks[chain[2]].agent_id is None
        assigned = [tasks[chain[0]].agent.extension, tasks[chain[1]].agent.extension]
        assert assigned == ["8001", "8002"]                          # round-robin


def test_a_list_needs_a_name_and_tiers(cc_app, chain):
    with cc_app.app_context():
        with pytest.raises(CallbackError) as refused:
            GenerateCallbackList(name="", tiers="", max_attempts=99).run()
        assert set(refused.value.messages) == {"name", "tiers", "max_attempts"}


def test_no_answer_is_retried_until_the_attempts_are_used(cc_app, chain):
    with cc_app.app_context():
        GenerateCallbackList(name="回访", tiers="GOLD", max_attempts=2).run()
        task = CallbackTask.select().where(CallbackTask.state == "pending").first()
        first = record_outcome(task.id, "no_answer", now=local(2026, 3, 9, 10))
        assert first.state == "retry" and first.next_attempt_at == local(2026, 3, 9, 12)
        assert record_outcome(task.id, "busy").state == "failed"
        with pytest.raises(CallbackError):
            record_outcome(task.id, "reached")
        other = CallbackTask.select().where(CallbackTask.state == "pending").first()
        assert record_outcome(other.id, "reached", "会来参加").state == "done"


def test_closing_a_ticket_sends_one_survey_and_the_customer_answers_once(cc_app, client,
                                                                        login):
    from zhanggui_callcenter.satisfaction.models import CsatSurvey
    from zhanggui_callcenter.satisfaction.service import results_by_agent
    from zhanggui_callcenter.tickets.service import ChangeStatus, OpenTicket

    make_agent(cc_app, "li", "8001")
    with cc_app.app_context():
        agent = Agent.get()
        ticket = OpenTicket(kind="consultation", subject="积分问题", assignee=agent).run()
        ChangeStatus(ticket, "closed").run()
        survey = CsatSurvey.get()
    web = cc_app.test_client()
    page = web.get(f"/callcenter/csat/{survey.token}")
    assert page.status_code == 200
    import re

    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))[1]
    bad = web.post(f"/callcenter/csat/{survey.token}", data={"csrf_token": token, "score": "9"})
    assert 'class="zg-error"' in bad.get_data(as_text=True)
    web.post(f"/callcenter/csat/{survey.token}", data={"csrf_token": token, "score": "4",
                                                      "comment": "很快"})
    again = web.post(f"/callcenter/csat/{survey.token}", data={"csrf_token": token,
                                                              "score": "1"})
    assert "您已填写过此调查" in again.get_data(as_text=True)             # zh_CN by default
    assert web.get("/callcenter/csat/not-a-token").status_code == 404
    with cc_app.app_context():
        assert CsatSurvey.get().score == 4
        assert results_by_agent() == [{"agent": "li", "answers": 1, "average": 4.0}]


def test_loyalty_answers_zhanggui_tier_members_with_the_holders_of_the_tiers(cc_app, chain):
    from zhanggui import plugins

    with cc_app.app_context():
        gold = plugins().call_first("zhanggui_tier_members", tier_codes=["GOLD"])
        both = plugins().call_first("zhanggui_tier_members", tier_codes=["GOLD", "SILVER"])
        assert gold == [chain[0], chain[1], chain[2], chain[3]]
        assert sorted(both) == sorted(chain.values())
        assert plugins().call_first("zhanggui_tier_members", tier_codes=["NONE"]) == []
