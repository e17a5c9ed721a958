"""Hook implementations of the members plugin (thin: the rules live elsewhere)."""
from __future__ import annotations

from pathlib import Path

from zhanggui import (AdminView, ApiEndpoint, Job, Permission, RoleGrant, TranslationDir,
                      _l, hookimpl)

title = _l("Members")
requires: tuple[str, ...] = ()

CATEGORY = "Members"
_MEMBER_READ = ("can_list on MemberView", "can_show on MemberView",
                "menu_access on Member directory", "menu_access on Members")
_PURCHASE_READ = ("can_list on PurchaseView", "can_show on PurchaseView",
                  "can_list on PurchaseLineView", "can_show on PurchaseLineView",
                  "menu_access on Purchases")
_LOOKUP = ("can_lookup on MemberLookupApi",)


@hookimpl
def zhanggui_translation_dirs():
    return [TranslationDir(domain="zhanggui_members",
                           path=Path(__file__).parent / "translations")]


@hookimpl
def zhanggui_models():
    from .models import MODELS

    return list(MODELS)


@hookimpl
def zhanggui_migrations():
    from .migrations import MIGRATIONS

    return list(MIGRATIONS)


@hookimpl
def zhanggui_admin_views():
    from .merging.views import merge_admin_views
    from .tags.views import tag_admin_views
    from .views import MemberView, PurchaseLineView, PurchaseView, StoreView

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
        *tag_admin_views(), *merge_admin_views(),
    ]


@hookimpl
def zhanggui_api_endpoints():
    from .api import MemberLookupApi, PosApi
    from .merging.api import MemberMergeApi

    return [ApiEndpoint(name="pos", api=PosApi),
            ApiEndpoint(name="members.lookup", api=MemberLookupApi),
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
    from .tags.views import tag_role_grants

    return [
        RoleGrant("Call-center agent", ("members.view_phone",) + _MEMBER_READ
                  + _PURCHASE_READ + _LOOKUP),
        *tag_role_grants(), *merge_role_grants(),
        RoleGrant("Store manager", _MEMBER_READ + _PURCHASE_READ + _LOOKUP
                  + ("can_list on StoreView", "can_show on StoreView",
                     "menu_access on Stores")),
        RoleGrant("Store staff", _MEMBER_READ + _LOOKUP),
        RoleGrant("Marketing", _MEMBER_READ + _PURCHASE_READ),
        RoleGrant("Auditor", _MEMBER_READ + _PURCHASE_READ
                  + ("can_list on StoreView", "can_show on StoreView",
                     "menu_access on Stores")),
        # the user a till's API key acts as
        RoleGrant("POS terminal", ("can_record on PosApi", "can_refund on PosApi") + _LOOKUP),
    ]


@hookimpl
def zhanggui_app_ready(app):
    from flask import Blueprint

    app.register_blueprint(Blueprint("zhanggui_members", __name__,
                                     template_folder="templates"))


@hookimpl
def zhanggui_find_member(phone, card):
    """Answers with the member id; a number that is not a mainland mobile (a landline
    ringing the call center, say) is simply not found."""
    from .phones import PhoneNumberError
    from .services import find_member

    try:
        member = find_member(phone=phone, card=card)
    except PhoneNumberError:
        member = find_member(card=card) if card else None
    return member.id if member is not None else None


@hookimpl
def zhanggui_export_member(member_id):
    from .services import export_member_data

    return export_member_data(member_id)


@hookimpl
def zhanggui_erase_member(member_id):
    from .services import erase_member_data

    return erase_member_data(member_id)


@hookimpl
def zhanggui_demo_data(ctx):
    from .demo import build_demo_chain
    from .tags.demo import build_demo_tags

    build_demo_chain(ctx)
    build_demo_tags(ctx)


@hookimpl
def zhanggui_jobs():
    from huey import crontab

    from .tags.jobs import evaluate_tags

    # the queue runs in UTC: 18:50 UTC is 02:50 in China, after loyalty's night jobs
    return [Job("members.evaluate_tags", evaluate_tags,
                schedule=crontab(hour="18", minute="50"))]


@hookimpl
def zhanggui_cli_commands():
    from .cli import members

    return [members]


@hookimpl
def zhanggui_member_panels(member_id):
    from .tags.views import member_tags_panel

    return member_tags_panel(member_id)
