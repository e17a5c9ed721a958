"""Campaign screens: the campaign, its messages per language, launch, progress and
results with a chart; recipients read-only."""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.security.decorators import permission_name
from peewee import fn

from zhanggui import _, _l, format_money, format_percentage
from zhanggui.console.datamodel import ModelView, PeeweeInterface

from .models import RECIPIENT_STATUSES, Campaign, CampaignMessage, Recipient


class CampaignMessageView(ModelView):
    datamodel = PeeweeInterface(CampaignMessage)
    list_title = _l("Campaign messages")
    add_title = _l("Add message")
    edit_title = _l("Edit message")
    show_title = _l("Campaign message")
    base_permissions = ["can_list", "can_show", "can_add", "can_edit", "can_delete"]
    list_columns = ["campaign", "language", "subject"]
    add_columns = edit_columns = ["campaign", "language", "subject", "body"]
    show_columns = ["campaign", "language", "subject", "body"]
    search_columns = ["campaign", "language"]
    description_columns = {
        "language": _l("zh_CN, zh_TW or en. Members read their store's language; "
                       "Simplified Chinese is the fallback."),
        "body": _l("Plain text. {name} is replaced by the member's name; links are "
                   "tracked; an unsubscribe link is added to every e-mail and 回T退订 "
                   "to every SMS."),
    }

    def pre_add(self, item):
        _check_message(item)

    def pre_update(self, item):
        _check_message(item)


def _check_message(item):
    if item.language not in ("zh_CN", "zh_TW", "en"):
        raise ValueError(_("The language is zh_CN, zh_TW or en."))
    if item.campaign.status != "draft":
        raise ValueError(_("A launched campaign's messages cannot change."))


class CampaignView(ModelView):
    datamodel = PeeweeInterface(Campaign)
    list_title = _l("Campaigns")
    add_title = _l("Add campaign")
    edit_title = _l("Edit campaign")
    show_title = _l("Campaign")
    base_permissions = ["can_list", "can_show", "can_add", "can_edit", "can_launch",
                        "can_results"]
    list_columns = ["name", "channel", "audience", "status", "launched_at", "finished_at"]
    add_columns = edit_columns = ["name", "channel", "audience", "holdout_percent", "seed",
                                  "response_days", "cost"]
    show_columns = ["name", "channel", "audience", "status", "holdout_percent", "seed",
                    "response_days", "cost", "launched_at", "finished_at", "created_by"]
    search_columns = ["name", "channel", "status"]
    order_columns = ["name", "launched_at", "finished_at"]
    description_columns = {
        "holdout_percent": _l("Share of the audience held out as a control group (0-50)."),
        "seed": _l("The same seed always holds out the same members."),
        "response_days": _l("Purchases within this many days after launch count as "
                            "responses."),
    }
    show_template = "campaigns/campaign_show.html"

    def pre_add(self, item):
        item.created_by = getattr(getattr(g, "user", None), "username", "") or ""

    def pre_update(self, item):
        if item.status != "draft":
            raise ValueError(_("A launched campaign cannot change."))

    def _progress(self, campaign):
        counts = dict(Recipient.select(Recipient.status, fn.COUNT(Recipient.id))
                      .where(Recipient.campaign == campaign.id)
                      .group_by(Recipient.status).tuples())
        labels = dict(RECIPIENT_STATUSES)
        return [(str(labels[code]), counts.get(code, 0)) for code, _l_ in RECIPIENT_STATUSES]

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        campaign = self.datamodel.get(pk, self._base_filters)
        if campaign is None:
            abort(404)
        widgets = self._get_show_widget(pk, campaign)
        return self.render_template(self.show_template, pk=pk, title=self.show_title,
                                    widgets=widgets, related_views=self._related_views,
                                    campaign=campaign, progress=self._progress(campaign))

    @expose("/launch/<int:pk>", methods=["POST"])
    @has_access
    @permission_name("launch")
    def launch(self, pk):
        from flask import current_app

        from .launch import LaunchError, launch

        if Campaign.get_or_none(Campaign.id == pk) is None:
            abort(404)
        try:
            total = launch(pk, workers=current_app.extensions["zhanggui"]
                           .settings["MARKETING_SEND_WORKERS"])
        except LaunchError as exc:
            for message in exc.errors.values():
                flash(" ".join(message), "danger")
        else:
            flash(_("Launched to %(n)s members; sending has started.", n=total), "info")
        return redirect(url_for(f"{self.endpoint}.show", pk=pk))

    @expose("/results/<int:pk>", methods=["GET"])
    @has_access
    @permission_name("results")
    def results(self, pk):
        from ..evaluation.service import evaluate

        campaign = Campaign.get_or_none(Campaign.id == pk)
        if campaign is None or campaign.launched_at is None:
            abort(404)
        result = evaluate(pk)
        return self.render_template("campaigns/results.html", campaign=campaign, r=result,
                                    money=format_money, percent=format_percentage,
                                    title=_("Results of %(name)s", name=campaign.name))


class RecipientView(ModelView):
    datamodel = PeeweeInterface(Recipient)
    list_title = _l("Recipients")
    show_title = _l("Recipient")
    base_permissions = ["can_list", "can_show"]
    list_columns = ["campaign", "member_id", "group", "status", "sent_at", "opens", "clicks",
                    "bounced", "unsubscribed_at"]
    show_columns = ["campaign", "member_id", "channel", "group", "status", "attempts",
                    "sent_at", "error", "opened_at", "opens", "clicks", "bounced",
                    "unsubscribed_at"]
    search_columns = ["campaign", "status", "group"]
    order_columns = ["sent_at", "opens", "clicks"]
