"""Hook implementations of the members plugin (thin: the rules live elsewhere)."""
from __future__ import annotations

from pathlib import Path

from zhanggui import (AdminView, ApiEndpoint, Job, Permission, RoleGrant, TranslationDir,
                      _l, hookimpl)

from .consent.models import CONSENT_MODELS
from .io.models import IO_MODELS
from .marketing.models import MARKETING_MODELS
from .merging.models import MERGE_MODELS
from .profile.models import PROFILE_MODELS
from .segments.models import SEGMENT_MODELS
from .tags.models import TAG_MODELS

title = _l("Members")
requires: tuple[str, ...] = ()

CATEGORY = "Members"
_MEMBER_READ = ("can_list on MemberView", "can_show on MemberView",
                "menu_access on Member directory", "menu_access on Members")
_PURCHASE_READ = ("can_list on PurchaseView", "can_show on PurchaseView",
                  "can_list on PurchaseLineView", "can_show on PurchaseLineView",
                  "menu_access on Purchases")
_LOOKUP = ("can_lookup on MemberLookupApi",)
_CONSENT = ("can_record on MemberConsentView", "can_get on MemberConsentApi",
            "can_post on MemberConsentApi")
_EXPORT = ("can_download on MemberExportView", "menu_access on Export members")

# every table of the plugin, each feature's after the tables it refers to
MODELS = (PROFILE_MODELS + TAG_MODELS + MERGE_MODELS + SEGMENT_MODELS + CONSENT_MODELS
          + IO_MODELS + MARKETING_MODELS)


@hookimpl
def zhanggui_translation_dirs():
    return [TranslationDir(domain="zhanggui_members",
                           path=Path(__file__).parent / "translations")]


@hookimpl
def zhanggui_models():
    return list(MODELS)


@hookimpl
def zhanggui_migrations():
    from .migrations import MIGRATIONS

    return list(MIGRATIONS)


@hookimpl
def zhanggui_admin_views():
    from .merging.views import merge_admin_views
    from .segments.views import segment_admin_view
    from .tags.views import tag_admin_views
    from .profile.views import MemberView, PurchaseLineView, PurchaseView, StoreView

    members = _l("Members")
    return [
        AdminView(name="Member directory", view=MemberView, label=_l("Member directory"),
                  category=CATEGORY, category_label=members, icon="fa-users",
                  category_icon="fa-users"),
        AdminView(name="Purchases", view=PurchaseView, label=_l("Purchases"),
                  category=CATEGORY, category_label=members, icon="fa-shopping-bag"),
        AdminView(name="Stores", view=StoreView, label=_l("Stores"), category=CATEGORY,
                  category_label=members, icon="fa-building"),
        AdminView(name="Purchase lines", view=PurchaseLineView),
        segment_admin_view(), *tag_admin_views(), *merge_admin_views(),
    ] + _consent_io_views()


def _consent_io_views():
    from .consent.views import ConsentTextView, MemberConsentView
    from .io.views import MemberExportView, MemberImportView

    members = _l("Members")
    return [AdminView(name="Member consent", view=MemberConsentView),
            AdminView(name="Consent texts", view=ConsentTextView, label=_l("Consent texts"),
                      category=CATEGORY, category_label=members, icon="fa-file-text"),
            AdminView(name="Import members", view=MemberImportView,
                      label=_l("Import members and purchases"), category=CATEGORY,
                      category_label=members, icon="fa-upload"),
            AdminView(name="Export members", view=MemberExportView,
                      label=_l("Export members and purchases"), category=CATEGORY,
                      category_label=members, icon="fa-download")]


@hookimpl
def zhanggui_api_endpoints():
    from .pos.api import MemberLookupApi, PosApi
    from .consent.api import MemberConsentApi
    from .merging.api import MemberMergeApi

    return [ApiEndpoint(name="pos", api=PosApi),
            ApiEndpoint(name="members.lookup", api=MemberLookupApi),
            ApiEndpoint(name="members.consents", api=MemberConsentApi),
            ApiEndpoint(name="members.merges", api=MemberMergeApi)]


@hookimpl
def zhanggui_permissions():
    return [Permission("members.view_phone",
                       _l("See members' full mobile phone numbers (each view is audited)")),
            Permission("members.merge",
                       _l("Merge duplicate member records (each merge is audited)"))]


@hookimpl
def zhanggui_default_roles():
    from .merging.views import merge_role_grants
    from .segments.views import SEGMENT_READ
    from .tags.views import tag_role_grants

    return [
        RoleGrant("Call-center agent", ("members.view_phone",) + _MEMBER_READ
                  + _PURCHASE_READ + _LOOKUP + _CONSENT),
        *tag_role_grants(), *merge_role_grants(),
        RoleGrant("Store manager", _MEMBER_READ + _PURCHASE_READ + _LOOKUP
                  + ("can_list on StoreView", "can_show on StoreView",
                     "menu_access on Stores") + _CONSENT + _EXPORT),
        RoleGrant("Store staff", _MEMBER_READ + _LOOKUP + _CONSENT),
        RoleGrant("Marketing", _MEMBER_READ + _PURCHASE_READ + _EXPORT + SEGMENT_READ
                  + ("can_get on MemberConsentApi",)),
        RoleGrant("Auditor", _MEMBER_READ + _PURCHASE_READ
                  + ("can_list on StoreView", "can_show on StoreView",
                     "menu_access on Stores")),
        # the user a till's API key acts as
        RoleGrant("POS terminal", ("can_record on PosApi", "can_refund on PosApi") + _LOOKUP
                  + ("can_get on MemberConsentApi", "can_post on MemberConsentApi")),
    ]


@hookimpl
def zhanggui_app_ready(app):
    from flask import Blueprint

    app.register_blueprint(Blueprint("zhanggui_members", __name__,
                                     template_folder="templates"))
    from .segments.recompute import SegmentSettings

    SegmentSettings.from_settings(app.extensions["zhanggui"].settings)  # contradictions stop start-up


@hookimpl
def zhanggui_find_member(phone, card):
    """Answers with the member id; a number that is not a mobile number of the chain's
    regions (a landline ringing the call center, say) is simply not found."""
    from .profile.phones import PhoneNumberError
    from .profile.services import find_member

    try:
        member = find_member(phone=phone, card=card)
    except PhoneNumberError:
        member = find_member(card=card) if card else None
    return member.id if member is not None else None


@hookimpl
def zhanggui_member_store(member_id):
    """The home store's code ("" for none); ``None`` for no member or a merged one."""
    import peewee

    from .profile.models import Member, Store

    row = (Member.select(Member.merged_into, Store.code)
           .join(Store, peewee.JOIN.LEFT_OUTER, on=(Member.home_store == Store.id))
           .where(Member.id == member_id).tuples().first())
    if row is None or row[0] is not None:
        return None
    return row[1] or ""


@hookimpl
def zhanggui_stores():
    from .profile.models import Store

    return list(Store.select(Store.code, Store.name).order_by(Store.code).tuples())


@hookimpl
def zhanggui_export_member(member_id):
    from .marketing.emails import export_email
    from .profile.services import export_member_data

    return export_member_data(member_id) + export_email(member_id)


@hookimpl
def zhanggui_erase_member(member_id):
    from .marketing.emails import erase_email
    from .profile.services import erase_member_data

    return erase_member_data(member_id) + erase_email(member_id)


@hookimpl
def zhanggui_merge_members(source_id, target_id):
    from .marketing.emails import fold_email

    fold_email(source_id, target_id)


@hookimpl
def zhanggui_audience_criteria():
    from .marketing.audience import criteria

    return criteria()


@hookimpl
def zhanggui_audience_universe():
    from .marketing.audience import universe

    return universe()


@hookimpl
def zhanggui_marketing_contacts(member_ids, channel):
    from .marketing.contacts import marketing_contacts

    return marketing_contacts(member_ids, channel)


@hookimpl
def zhanggui_member_spend(member_ids, start, end):
    from .marketing.audience import spend

    return spend(member_ids, start, end)


@hookimpl
def zhanggui_withdraw_consent(member_id, channel, source):
    from .consent.service import record_consent

    record_consent(member_id, channel, False, source, recorded_by=source)
    return True


@hookimpl
def zhanggui_demo_data(ctx):
    from .consent.demo import build_demo_consents
    from .demo.chain import build_demo_chain
    from .marketing.demo import build_demo_emails
    from .segments.recompute import demo_segments
    from .tags.demo import build_demo_tags

    build_demo_chain(ctx)
    build_demo_tags(ctx)
    build_demo_consents(ctx)
    demo_segments(ctx)
    build_demo_emails(ctx)


@hookimpl
def zhanggui_member_panels(member_id):
    from .consent.views import consent_panel
    from .segments.views import member_segment_panel
    from .tags.views import member_tags_panel

    return (member_segment_panel(member_id) + member_tags_panel(member_id)
            + consent_panel(member_id))


@hookimpl
def zhanggui_jobs():
    from huey import crontab

    from .segments.cli import daily_recompute, recompute_now
    from .tags.jobs import evaluate_tags

    # the queue runs in UTC: 18:50 UTC is 02:50 in China, 19:20 is 03:20, after
    # loyalty's nightly jobs; segments after tags
    return [Job("members.evaluate_tags", evaluate_tags,
                schedule=crontab(hour="18", minute="50")),
            Job("members.recompute_segments", daily_recompute,
                schedule=crontab(hour="19", minute="20")),
            Job("members.recompute_segments_now", recompute_now, retries=0)]


@hookimpl
def zhanggui_cli_commands():
    from .io import cli as io_cli  # noqa: F401  (adds import and export to the group)
    from .cli import members
    from .segments.cli import with_segments

    return [with_segments(members)]


@hookimpl
def zhanggui_dashboard_widgets():
    from .segments.views import dashboard_widgets

    return dashboard_widgets()


@hookimpl
def zhanggui_counter_sales(counter_codes, start, end):
    from .pos.counter_sales import counter_sales

    return counter_sales(counter_codes, start, end)


@hookimpl
def zhanggui_member_summary(member_id):
    from .profile.summary import profile_summary

    return profile_summary(member_id)


@hookimpl
def zhanggui_search_sources():
    from .profile.search import search_sources

    return search_sources()
