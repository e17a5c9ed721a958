"""Hook implementations of the callcenter plugin (thin: the rules live elsewhere)."""
from __future__ import annotations

from pathlib import Path

from zhanggui import ApiEndpoint, Job, RoleGrant, TranslationDir, _l, hookimpl

title = _l("Call center")
requires: tuple[str, ...] = ("members",)


@hookimpl
def zhanggui_translation_dirs():
    return [TranslationDir(domain="zhanggui_callcenter",
                           path=Path(__file__).parent / "translations")]


@hookimpl
def zhanggui_models():
    from .calls.models import Agent, Call, CallEvent, Team
    from .screenpop.models import PopEvent

    return [Team, Agent, Call, CallEvent, PopEvent]


@hookimpl
def zhanggui_migrations():
    from .migrations import MIGRATIONS

    return list(MIGRATIONS)


@hookimpl
def zhanggui_api_endpoints():
    from .calls.api import CallEventApi
    from .screenpop.api import ScreenPopApi

    return [ApiEndpoint(name="callcenter.calls", api=CallEventApi),
            ApiEndpoint(name="callcenter.screen_pop", api=ScreenPopApi)]


@hookimpl
def zhanggui_default_roles():
    return [RoleGrant("CTI connector", ("can_record on CallEventApi",
                                        "can_pop on ScreenPopApi")),
            RoleGrant("Call-center agent", ("can_pop on ScreenPopApi",))]


@hookimpl
def zhanggui_jobs():
    from huey import crontab

    from .calls.jobs import relink_callers

    return [Job("callcenter.relink_callers", relink_callers,
                schedule=crontab(minute="*/10"))]
