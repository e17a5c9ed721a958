"""Hook implementations of the suppliers plugin (thin: the rules live elsewhere).

Features, one subpackage each: ``directory`` (suppliers, brands, contacts,
communication log, licences, lifecycle), ``counters`` (专柜, promoters, sales through
``zhanggui_counter_sales``), ``contracts`` (terms, approval, signing, renewal),
``settlement`` (monthly statements), ``scoring`` (counter grades), ``reminders``
(expiry notices) and ``demo``.
"""
from __future__ import annotations

from pathlib import Path

from zhanggui import ApiEndpoint, Job, TranslationDir, _l, hookimpl

title = _l("Suppliers & counters")
requires: tuple[str, ...] = ()


@hookimpl
def zhanggui_translation_dirs():
    return [TranslationDir(domain="zhanggui_suppliers",
                           path=Path(__file__).parent / "translations")]


@hookimpl
def zhanggui_models():
    from .contracts.models import CONTRACT_MODELS
    from .counters.models import COUNTER_MODELS
    from .directory.models import DIRECTORY_MODELS
    from .reminders.models import REMINDER_MODELS
    from .scoring.models import SCORING_MODELS
    from .settlement.models import SETTLEMENT_MODELS

    return (DIRECTORY_MODELS + COUNTER_MODELS + CONTRACT_MODELS + SETTLEMENT_MODELS
            + SCORING_MODELS + REMINDER_MODELS)


@hookimpl
def zhanggui_migrations():
    from .migrations import MIGRATIONS

    return list(MIGRATIONS)


@hookimpl
def zhanggui_jobs():
    from huey import crontab

    from .reminders.service import send_reminders
    from .scoring.service import grade_previous_month
    from .settlement.service import generate_previous_month

    # UTC hours: 17:00 UTC is 01:00 in China
    return [Job("suppliers.generate_statements", generate_previous_month,
                schedule=crontab(day="1,2,3", hour="17", minute="10")),
            Job("suppliers.grade_counters", grade_previous_month,
                schedule=crontab(day="5", hour="17", minute="40")),
            Job("suppliers.send_reminders", send_reminders,
                schedule=crontab(hour="0", minute="30"))]


@hookimpl
def zhanggui_approval_decided(kind, reference, approved, decided_by, comment):
    if kind == "suppliers.contract":
        from .contracts.service import approval_decided

        approval_decided(reference, approved, decided_by, comment)
    elif kind == "suppliers.statement":
        from .settlement.service import approval_decided

        approval_decided(reference, approved, decided_by)


@hookimpl
def zhanggui_admin_views():
    from .contracts.views import contract_admin_views
    from .counters.views import counter_admin_views
    from .directory.views import directory_admin_views
    from .reminders.views import reminder_admin_views
    from .scoring.views import scoring_admin_views
    from .settlement.views import settlement_admin_views

    return (directory_admin_views() + counter_admin_views() + contract_admin_views()
            + settlement_admin_views() + scoring_admin_views() + reminder_admin_views())


@hookimpl
def zhanggui_api_endpoints():
    from .contracts.api import ContractApi
    from .counters.api import CounterApi
    from .directory.api import LicenceApi, SupplierApi
    from .scoring.api import CounterScoreApi
    from .settlement.api import StatementApi

    return [ApiEndpoint(name="suppliers", api=SupplierApi),
            ApiEndpoint(name="supplier_licences", api=LicenceApi),
            ApiEndpoint(name="counters", api=CounterApi),
            ApiEndpoint(name="contracts", api=ContractApi),
            ApiEndpoint(name="settlement_statements", api=StatementApi),
            ApiEndpoint(name="counter_grades", api=CounterScoreApi)]


@hookimpl
def zhanggui_default_roles():
    from .roles import default_role_grants

    return default_role_grants()


@hookimpl
def zhanggui_app_ready(app):
    from flask import Blueprint

    app.register_blueprint(Blueprint("zhanggui_suppliers", __name__,
                                     template_folder="templates"))


@hookimpl
def zhanggui_demo_data(ctx):
    from .demo import build_demo_mall

    build_demo_mall(ctx)


@hookimpl
def zhanggui_search_sources():
    from .directory.search import search_sources

    return search_sources()
