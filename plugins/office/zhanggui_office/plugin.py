"""Hook implementations of the office plugin (thin: the rules live in the feature
packages, ``approvals/`` first)."""
from __future__ import annotations

from pathlib import Path

from huey import crontab

from zhanggui import Job, TranslationDir, _l, hookimpl

title = _l("Office")
requires: tuple[str, ...] = ()


@hookimpl
def zhanggui_translation_dirs():
    return [TranslationDir(domain="zhanggui_office",
                           path=Path(__file__).parent / "translations")]


@hookimpl
def zhanggui_models():
    from .approvals.models import MODELS as APPROVALS
    from .bulletins.models import MODELS as BULLETINS
    from .expenses.models import MODELS as EXPENSES
    from .routing.models import MODELS as ROUTING
    from .tasks.models import MODELS as TASKS

    return [*APPROVALS, *EXPENSES, *BULLETINS, *TASKS, *ROUTING]


@hookimpl
def zhanggui_migrations():
    from .migrations import MIGRATIONS

    return list(MIGRATIONS)


@hookimpl
def zhanggui_request_approval(kind, subject, requested_by, payload):
    from .approvals.service import OpenRequest

    if requested_by is None:  # a system action (a job, the demo): no one to route for
        return None
    return OpenRequest(kind, subject, requested_by, payload).run().reference


@hookimpl
def zhanggui_approval_decided(kind, reference, approved):
    from .expenses.service import follow_decision

    follow_decision(kind, reference, approved)


@hookimpl
def zhanggui_approval_summary(kind, snapshot):
    from .expenses.service import render_summary

    return render_summary(kind, snapshot)


@hookimpl
def zhanggui_jobs():
    from .approvals.jobs import run_deadlines
    from .expenses.jobs import generate_recurring_expenses
    from .tasks.jobs import remind_tasks

    return [Job("office.approval_deadlines", run_deadlines, schedule=crontab(minute="*/5")),
            # 16:10 UTC is just after midnight in China: a new week's or month's claims
            Job("office.generate_recurring_expenses", generate_recurring_expenses,
                schedule=crontab(hour="16", minute="10")),
            Job("office.remind_tasks", remind_tasks, schedule=crontab(minute="20"))]


@hookimpl
def zhanggui_permissions():
    from .approvals import roles as approvals
    from .bulletins import roles as bulletins

    return approvals.permissions() + bulletins.permissions()


@hookimpl
def zhanggui_default_roles():
    from .approvals import roles as approvals
    from .bulletins import roles as bulletins
    from .expenses import roles as expenses
    from .routing import roles as routing
    from .tasks import roles as tasks

    return approvals.default_grants() + expenses.default_grants() \
        + bulletins.default_grants() + tasks.default_grants() + routing.default_grants()


@hookimpl
def zhanggui_admin_views():
    from .approvals import roles as approvals
    from .bulletins import roles as bulletins
    from .expenses import roles as expenses
    from .routing import roles as routing
    from .tasks import roles as tasks

    return approvals.admin_views() + expenses.admin_views() + bulletins.admin_views() \
        + tasks.admin_views() + routing.admin_views()


@hookimpl
def zhanggui_api_endpoints():
    from zhanggui import ApiEndpoint

    from .approvals.api import ApprovalApi
    from .expenses.api import ExpenseApi

    return [ApiEndpoint(name="office.approvals", api=ApprovalApi),
            ApiEndpoint(name="office.expenses", api=ExpenseApi)]


@hookimpl
def zhanggui_demo_data(ctx):
    from .approvals.demo import build_demo_workflows
    from .expenses.demo import build_demo_expenses

    from .bulletins.demo import build_demo_bulletins

    build_demo_workflows(ctx)
    build_demo_expenses(ctx)
    build_demo_bulletins(ctx)

    from .tasks.demo import build_demo_tasks

    build_demo_tasks(ctx)

    from .routing.demo import build_demo_documents

    build_demo_documents(ctx)


@hookimpl
def zhanggui_app_ready(app):
    from flask import Blueprint

    app.register_blueprint(Blueprint("office_templates", __name__,
                                     template_folder="templates"))
