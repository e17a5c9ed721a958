"""Hook implementations of the suppliers plugin (thin: the rules live elsewhere).

Features, one subpackage each: ``directory`` (suppliers, brands, contacts,
communication log, licences, lifecycle), ``counters`` (专柜, promoters, sales through
``zhanggui_counter_sales``), ``contracts`` (terms, approval, signing, renewal),
``settlement`` (monthly statements), ``scoring`` (counter grades), ``reminders``
(expiry notices) and ``demo``.
"""
from __future__ import annotations

from pathlib import Path

from zhanggui import Job, Permission, TranslationDir, _l, hookimpl

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
def zhanggui_permissions():
    return [Permission("suppliers.approve_contract",
                       _l("Approve supplier contracts in the console when no approval "
                          "workflow is installed")),
            Permission("suppliers.approve_statement",
                       _l("Approve settlement statements in the console when no approval "
                          "workflow is installed"))]


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
