"""CSAT: one question per closed ticket, answered through a link with a secret token;
results per agent and team."""
from __future__ import annotations

import secrets
from typing import Any

from peewee import fn

from zhanggui import _, utcnow, write_transaction

from ..calls.models import Agent, Team
from ..tickets.models import Ticket
from .models import CsatSurvey


class SurveyError(ValueError):
    pass


def send_survey(ticket: Ticket) -> CsatSurvey:
    """Create the ticket's survey once (called when it closes); the link
    ``/callcenter/csat/<token>`` goes to the customer by SMS or e-mail."""
    survey = CsatSurvey.get_or_none(CsatSurvey.ticket == ticket.id)
    if survey is None:
        survey = CsatSurvey.create(ticket=ticket.id, token=secrets.token_urlsafe(24),
                                   agent=ticket.assignee_id, team=ticket.team_id)
    return survey


def answer_survey(token: str, score: Any, comment: Any = "") -> CsatSurvey:
    """Record the customer's answer (once; a second answer is refused)."""
    try:
        value = int(score)
    except (TypeError, ValueError):
        raise SurveyError(_("Choose a score from 1 to 5.")) from None
    if not 1 <= value <= 5:
        raise SurveyError(_("Choose a score from 1 to 5."))
    text = str(comment or "").replace("\x00", "")[:2000]
    with write_transaction():
        survey = CsatSurvey.get_or_none(CsatSurvey.token == str(token)[:64])
        if survey is None:
            raise SurveyError(_("This survey link is not valid."))
        done = (CsatSurvey.update(score=value, comment=text, answered_at=utcnow())
                .where((CsatSurvey.id == survey.id) & CsatSurvey.answered_at.is_null())
                .execute())
        if not done:
            raise SurveyError(_("This survey was already answered. Thank you!"))
    return CsatSurvey.get_by_id(survey.id)


def results_by_agent() -> list[dict[str, Any]]:
    rows = (CsatSurvey.select(Agent.display_name, fn.COUNT(CsatSurvey.id).alias("answers"),
                              fn.AVG(CsatSurvey.score).alias("average"))
            .join(Agent).where(CsatSurvey.score.is_null(False))
            .group_by(Agent.display_name).order_by(Agent.display_name).dicts())
    return [{"agent": r["display_name"], "answers": r["answers"],
             "average": round(float(r["average"]), 2)} for r in rows]


def results_by_team() -> list[dict[str, Any]]:
    rows = (CsatSurvey.select(Team.name, fn.COUNT(CsatSurvey.id).alias("answers"),
                              fn.AVG(CsatSurvey.score).alias("average"))
            .join(Team).where(CsatSurvey.score.is_null(False))
            .group_by(Team.name).order_by(Team.name).dicts())
    return [{"team": r["name"], "answers": r["answers"],
             "average": round(float(r["average"]), 2)} for r in rows]
