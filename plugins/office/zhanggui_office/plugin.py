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
    from .approvals.models import MODELS

    return list(MODELS)


@hookimpl
def zhanggui_migrations():
    from .migrations import MIGRATIONS

    return list(MIGRATIONS)


@hookimpl
def zhanggui_request_approval(kind, subject, requested_by, payload):
    from .approvals.service import OpenRequest

    return OpenRequest(kind, subject, requested_by, payload).run().reference


@hookimpl
def zhanggui_jobs():
    from .approvals.jobs import run_deadlines

    return [Job("office.approval_deadlines", run_deadlines, schedule=crontab(minute="*/5"))]


@hookimpl
def zhanggui_permissions():
    from .approvals.roles import permissions

    return permissions()


@hookimpl
def zhanggui_default_roles():
    from .approvals.roles import default_grants

    return default_grants()


@hookimpl
def zhanggui_admin_views():
    from .approvals.roles import admin_views

    return admin_views()


@hookimpl
def zhanggui_api_endpoints():
    from zhanggui import ApiEndpoint

    from .approvals.api import ApprovalApi

    return [ApiEndpoint(name="office.approvals", api=ApprovalApi)]


@hookimpl
def zhanggui_demo_data(ctx):
    from .approvals.demo import build_demo_requests, build_demo_workflows

    build_demo_workflows(ctx)
    build_demo_requests(ctx)


@hookimpl
def zhanggui_app_ready(app):
    from flask import Blueprint

    app.register_blueprint(Blueprint("office_templates", __name__,
                                     template_folder="templates"))
