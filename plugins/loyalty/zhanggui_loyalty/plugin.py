"""Hook implementations of the loyalty plugin (thin: the rules live elsewhere).

Loyalty requires the members plugin but never imports it: purchases and refunds
arrive as :class:`zhanggui.PurchaseEvent` / :class:`zhanggui.RefundEvent` values,
members are found through ``zhanggui_find_member`` and birthdays through
``zhanggui_member_birthday``.
"""
from __future__ import annotations

from pathlib import Path

from huey import crontab

from zhanggui import (ApiEndpoint, DashboardWidget, Job, MemberPanel, Permission,
                      TranslationDir, _l, hookimpl)

title = _l("Loyalty")
requires: tuple[str, ...] = ("members",)


@hookimpl
def zhanggui_translation_dirs():
    return [TranslationDir(domain="zhanggui_loyalty",
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
def zhanggui_purchase_recorded(purchase):
    from .rules.earning import award_for_purchase

    award_for_purchase(purchase)


@hookimpl
def zhanggui_pos_response(transaction):
    from .rules.earning import pos_answer

    return pos_answer(transaction)


@hookimpl
def zhanggui_purchase_refunded(refund):
    from .ledger.refunds import reverse_for_refund

    reverse_for_refund(refund)


@hookimpl
def zhanggui_cli_commands():
    from .ledger.cli import loyalty_group

    return [loyalty_group]


@hookimpl
def zhanggui_api_endpoints():
    from .ledger.api import LoyaltyApi

    from .events.api import LoyaltyEventApi

    return [ApiEndpoint(name="loyalty", api=LoyaltyApi),
            ApiEndpoint(name="loyalty.events", api=LoyaltyEventApi)]


@hookimpl
def zhanggui_permissions():
    return [Permission("loyalty.view_points", _l("See members' points and tiers")),
            Permission("loyalty.adjust_points",
                       _l("Adjust members' points by hand (each adjustment is audited)"))]


@hookimpl
def zhanggui_default_roles():
    from .console.roles import default_grants

    return default_grants()


@hookimpl
def zhanggui_admin_views():
    from .console.roles import admin_views

    return admin_views()


@hookimpl
def zhanggui_dashboard_widgets():
    from .console.dashboard import points_tile

    return [DashboardWidget(name="loyalty.points_by_month",
                            title=_l("Points issued, redeemed and expired per month"),
                            render=points_tile, permission="loyalty.view_points", order=20)]


@hookimpl
def zhanggui_export_member(member_id):
    from .member_data import export_member

    return export_member(int(member_id))


@hookimpl
def zhanggui_erase_member(member_id):
    from .member_data import erase_member

    return erase_member(int(member_id))


@hookimpl
def zhanggui_merge_members(source_id, target_id):
    from .member_data import merge_members

    merge_members(source_id, target_id)


@hookimpl
def zhanggui_demo_data(ctx):
    from .demo.program import build_demo_program

    build_demo_program(ctx)


@hookimpl
def zhanggui_jobs():
    from . import jobs

    # the queue runs in UTC: 18:xx UTC is the small hours in China
    return [Job("loyalty.expire_points", jobs.expire_points, schedule=crontab(hour="18", minute="5")),
            Job("loyalty.unlock_pending", jobs.unlock_pending, schedule=crontab(minute="15")),
            Job("loyalty.notify_expiring", jobs.notify_expiring,
                schedule=crontab(hour="1", minute="30")),
            Job("loyalty.review_tiers", jobs.review_tiers, schedule=crontab(hour="18", minute="35")),
            Job("loyalty.refresh_points_chart", jobs.refresh_points_chart,
                schedule=crontab(minute="*/10")),
            Job("loyalty.refresh_points_chart_year", jobs.refresh_points_chart_year,
                schedule=crontab(hour="19", minute="5"))]


@hookimpl
def zhanggui_member_panels(member_id):
    from zhanggui import has_permission

    from .console.panel import render_panel

    if not has_permission("loyalty.view_points"):
        return []
    return [MemberPanel(name="loyalty.points", title=_l("Points and tier"),
                        html=render_panel(int(member_id)), order=20)]


@hookimpl
def zhanggui_app_ready(app):
    from flask import Blueprint

    app.register_blueprint(Blueprint("loyalty_templates", __name__,
                                     template_folder="templates"))


@hookimpl
def zhanggui_member_summary(member_id):
    from .member_summary import loyalty_summary

    return loyalty_summary(member_id)


@hookimpl
def zhanggui_tier_members(tier_codes):
    from .member_summary import tier_member_ids

    return tier_member_ids(tier_codes)
