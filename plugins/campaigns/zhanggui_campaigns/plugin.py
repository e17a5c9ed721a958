"""Hook implementations of the campaigns plugin (thin: the rules live in the feature
packages ``audiences``, ``sending``, ``tracking`` and ``evaluation``)."""
from __future__ import annotations

from pathlib import Path

from zhanggui import (AdminView, ApiEndpoint, Job, RoleGrant, TranslationDir, _l, hookimpl)

title = _l("Campaigns")
requires: tuple[str, ...] = ("members",)

CATEGORY = "Campaigns"
_READ = ("can_list on AudienceView", "can_show on AudienceView", "can_count on AudienceView",
         "can_list on CampaignView", "can_show on CampaignView", "can_results on CampaignView",
         "can_list on CampaignMessageView", "can_show on CampaignMessageView",
         "can_list on RecipientView", "can_show on RecipientView",
         "menu_access on Campaigns", "menu_access on Audiences", "menu_access on Campaign list",
         "menu_access on Campaign messages", "menu_access on Recipients",
         "can_count on CampaignApi", "can_results on CampaignApi")
_WRITE = ("can_add on AudienceView", "can_edit on AudienceView",
          "can_add on CampaignView", "can_edit on CampaignView", "can_launch on CampaignView",
          "can_add on CampaignMessageView", "can_edit on CampaignMessageView",
          "can_delete on CampaignMessageView", "can_launch on CampaignApi")


@hookimpl
def zhanggui_translation_dirs():
    return [TranslationDir(domain="zhanggui_campaigns",
                           path=Path(__file__).parent / "translations")]


@hookimpl
def zhanggui_models():
    from .audiences.models import Audience
    from .sending.models import SENDING_MODELS

    return [Audience, *SENDING_MODELS]


@hookimpl
def zhanggui_migrations():
    from .migrations import MIGRATIONS

    return list(MIGRATIONS)


@hookimpl
def zhanggui_admin_views():
    from .audiences.views import AudienceView
    from .sending.views import CampaignMessageView, CampaignView, RecipientView

    label = _l("Campaigns")
    common = dict(category=CATEGORY, category_label=label, category_icon="fa-bullhorn")
    return [
        AdminView(name="Campaign list", view=CampaignView, label=_l("Campaigns"),
                  icon="fa-bullhorn", **common),
        AdminView(name="Audiences", view=AudienceView, label=_l("Audiences"),
                  icon="fa-filter", **common),
        AdminView(name="Campaign messages", view=CampaignMessageView,
                  label=_l("Campaign messages"), icon="fa-envelope", **common),
        AdminView(name="Recipients", view=RecipientView, label=_l("Recipients"),
                  icon="fa-list", **common),
    ]


@hookimpl
def zhanggui_api_endpoints():
    from .api import CampaignApi

    return [ApiEndpoint(name="campaigns", api=CampaignApi)]


#: the role this plugin declares, as the console names it
ROLE_LABELS = (_l("Message gateway"),)


@hookimpl
def zhanggui_default_roles():
    return [RoleGrant("Marketing", _READ + _WRITE),
            RoleGrant("Auditor", _READ),
            # the mail server's and SMS gateway's key: feed bounces and replies
            RoleGrant("Message gateway", ("can_bounce on CampaignApi",
                                          "can_sms_reply on CampaignApi"))]


@hookimpl
def zhanggui_jobs():
    from huey import crontab

    from .sending.jobs import resume_job, send_job

    return [Job("campaigns.send", send_job, retries=3, retry_delay=30),
            Job("campaigns.resume", resume_job, schedule=crontab(minute="*"), retries=0)]


@hookimpl
def zhanggui_cli_commands():
    from .cli import campaigns

    return [campaigns]


@hookimpl
def zhanggui_app_ready(app):
    from .tracking.routes import blueprint

    app.register_blueprint(blueprint)
    csrf = app.extensions.get("csrf")
    if csrf is not None:
        csrf.exempt(blueprint)  # followed from a mailbox: the token is the credential


@hookimpl
def zhanggui_consent_changed(member_id, channel, granted):
    if not granted:
        from .tracking.service import cancel_queued

        cancel_queued(member_id, channel)


@hookimpl(trylast=True)
def zhanggui_sms_gateway():
    from flask import current_app

    from .sending.sms import gateway_from_url

    return gateway_from_url(current_app.extensions["zhanggui"].settings.get(
        "MARKETING_SMS_GATEWAY"))


@hookimpl
def zhanggui_export_member(member_id):
    from zhanggui import ExportSection

    from .sending.models import Recipient

    rows = [{"campaign": r.campaign.name, "channel": r.channel, "status": r.status,
             "sent_at": r.sent_at.isoformat() if r.sent_at else None, "opens": r.opens,
             "clicks": r.clicks}
            for r in Recipient.select().where(Recipient.member_id == member_id)]
    return [ExportSection(name="campaigns.messages", title=_l("Marketing messages"),
                          rows=rows)] if rows else []


@hookimpl
def zhanggui_erase_member(member_id):
    from .sending.models import Recipient

    cancelled = Recipient.update(status="cancelled").where(
        (Recipient.member_id == member_id) & (Recipient.status == "queued")).execute()
    return [f"{cancelled} queued marketing messages cancelled"] if cancelled else []


@hookimpl
def zhanggui_merge_members(source_id, target_id):
    from .sending.models import Recipient

    # a campaign keeps one row per member: the target's wins where both were sent to
    both = Recipient.select(Recipient.campaign).where(Recipient.member_id == target_id)
    Recipient.delete().where((Recipient.member_id == source_id)
                             & Recipient.campaign.in_(both)
                             & (Recipient.status == "queued")).execute()
    Recipient.update(member_id=target_id).where(
        (Recipient.member_id == source_id) & Recipient.campaign.not_in(both)).execute()


@hookimpl
def zhanggui_demo_data(ctx):
    from .demo import build_demo_campaign

    build_demo_campaign(ctx)
