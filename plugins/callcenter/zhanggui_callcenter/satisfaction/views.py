"""The customer's survey page (open: the secret token in the link is the key) and
the CSAT results per agent and team."""
from __future__ import annotations

from flask import abort, render_template, request
from flask_appbuilder import BaseView, expose

from zhanggui import _

from .models import CsatSurvey
from .service import SurveyError, answer_survey


class CsatPublicView(BaseView):
    """``/callcenter/csat/<token>``: one question, no sign-in."""

    route_base = "/callcenter/csat"

    @expose("/<token>", methods=["GET", "POST"])
    def answer(self, token):
        survey = CsatSurvey.get_or_none(CsatSurvey.token == str(token)[:64])
        if survey is None:
            abort(404)
        error = thanks = None
        if request.method == "POST":
            try:
                answer_survey(token, request.form.get("score"), request.form.get("comment"))
                thanks = _("Thank you for your answer!")
            except SurveyError as exc:
                error = str(exc)
        elif survey.answered_at:
            thanks = _("This survey was already answered. Thank you!")
        return render_template("callcenter/csat.html", token=token, error=error,
                               thanks=thanks, title=_("How did we do?"))
