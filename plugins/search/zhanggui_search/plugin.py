"""Hook implementations of the search plugin (thin: the rules live elsewhere)."""
from __future__ import annotations

from pathlib import Path

from zhanggui import (AdminView, ApiEndpoint, Job, RoleGrant, TranslationDir, _l,
                      hookimpl)

title = _l("Search")
requires: tuple[str, ...] = ()

#: every default role may search; what each finds is its own stores and screens
SEARCH_GRANTS = ("can_query on SearchView", "can_query on SearchApi")
ROLES = ("Store manager", "Store staff", "Call-center agent", "Marketing", "Buyer",
         "Auditor")


@hookimpl
def zhanggui_translation_dirs():
    return [TranslationDir(domain="zhanggui_search",
                           path=Path(__file__).parent / "translations")]


@hookimpl
def zhanggui_models():
    from .backends.database import SearchRow
    from .queue.models import QUEUE_MODELS

    return QUEUE_MODELS + [SearchRow]


@hookimpl
def zhanggui_migrations():
    from .migrations import MIGRATIONS

    return MIGRATIONS


@hookimpl
def zhanggui_admin_views():
    from .console.views import SearchView

    return [AdminView(name="search.results", view=SearchView)]


@hookimpl
def zhanggui_api_endpoints():
    from .console.api import SearchApi

    return [ApiEndpoint(name="search.api", api=SearchApi)]


@hookimpl
def zhanggui_default_roles():
    return [RoleGrant(role, SEARCH_GRANTS) for role in ROLES]


@hookimpl
def zhanggui_app_ready(app):
    from flask import Blueprint

    # templates/search/*.html, among them the navbar box the core navbar includes
    app.register_blueprint(Blueprint("zhanggui_search", __name__,
                                     template_folder="templates"))


@hookimpl
def zhanggui_jobs():
    from huey import crontab

    from .queue.service import apply_queue

    return [Job("search.apply_queue", apply_queue, schedule=crontab(minute="*"),
                retries=0)]


@hookimpl
def zhanggui_cli_commands():
    from .cli import search

    return [search]


@hookimpl
def zhanggui_merge_members(source_id, target_id):
    from .events import members_merged

    members_merged(source_id, target_id)


@hookimpl
def zhanggui_erase_member(member_id):
    from .events import member_erased

    member_erased(member_id)
    return ["search: the member's documents are queued for removal from the index"]


@hookimpl
def zhanggui_member_stage_changed(member_id, old, new):
    from .events import member_changed

    member_changed(member_id)


@hookimpl
def zhanggui_ticket_escalated(ticket, level):
    from .events import ticket_changed

    ticket_changed(ticket)
