"""Hook implementations of the callcenter plugin (thin: the rules live elsewhere)."""
from __future__ import annotations

from pathlib import Path

from zhanggui import (AdminView, ApiEndpoint, Job, Permission, RoleGrant, TranslationDir, _l,
                      hookimpl)

title = _l("Call center")
requires: tuple[str, ...] = ("members",)

CATEGORY = "Call center"
_AGENT = ("can_console on AgentConsoleView", "menu_access on Agent workbench",
          "can_list on TicketView", "can_show on TicketView", "can_add on TicketView",
          "can_edit on TicketView", "menu_access on Service tickets",
          "can_handle on TicketActionsView", "can_download on TicketActionsView",
          "can_list on CallView", "can_show on CallView", "can_edit on CallView",
          "menu_access on Call log", "can_list on CallbackTaskView",
          "can_show on CallbackTaskView", "can_call on CallbackTaskView",
          "menu_access on Callback tasks", "can_pop on ScreenPopApi",
          "menu_access on " + CATEGORY)
_SUPERVISOR = ("can_board on SupervisorBoardView", "menu_access on Supervisor board",
               "can_list on CallbackListView", "can_show on CallbackListView",
               "can_add on CallbackListView", "menu_access on Callback lists")


@hookimpl
def zhanggui_translation_dirs():
    return [TranslationDir(domain="zhanggui_callcenter",
                           path=Path(__file__).parent / "translations")]


@hookimpl
def zhanggui_models():
    from .callbacks.models import CallbackList, CallbackTask
    from .calls.models import Agent, Call, CallEvent, Team
    from .escalation.models import EscalationLevel, EscalationSent, Notice
    from .satisfaction.models import CsatSurvey
    from .screenpop.models import PopEvent
    from .sla.models import SlaPolicy, WorkingHours
    from .tickets.models import Ticket, TicketAttachment, TicketMessage

    return [Team, Agent, Call, CallEvent, PopEvent, SlaPolicy, WorkingHours, Ticket,
            TicketMessage, TicketAttachment, EscalationLevel, EscalationSent, Notice,
            CallbackList, CallbackTask, CsatSurvey]


@hookimpl
def zhanggui_migrations():
    from .migrations import MIGRATIONS

    return list(MIGRATIONS)


@hookimpl
def zhanggui_admin_views():
    from .callbacks.views import CallbackListView, CallbackTaskView
    from .calls.views import AgentView, CallView, TeamView
    from .escalation.views import EscalationLevelView
    from .satisfaction.views import CsatPublicView
    from .screenpop.board import SupervisorBoardView
    from .screenpop.views import AgentConsoleView
    from .sla.views import SlaPolicyView, WorkingHoursView
    from .tickets.views import TicketActionsView, TicketView

    label = _l("Call center")

    def entry(name, view, text, icon):
        return AdminView(name=name, view=view, label=text, category=CATEGORY,
                         category_label=label, icon=icon, category_icon="fa-phone")

    return [entry("Agent workbench", AgentConsoleView, _l("Agent workbench"), "fa-headphones"),
            entry("Service tickets", TicketView, _l("Service tickets"), "fa-ticket"),
            entry("Call log", CallView, _l("Call log"), "fa-phone"),
            entry("Callback tasks", CallbackTaskView, _l("Callback tasks"), "fa-phone-square"),
            entry("Callback lists", CallbackListView, _l("Callback lists"), "fa-list"),
            entry("Supervisor board", SupervisorBoardView, _l("Supervisor board"),
                  "fa-bar-chart"),
            entry("SLA policies", SlaPolicyView, _l("SLA policies"), "fa-clock-o"),
            entry("Escalation ladder", EscalationLevelView, _l("Escalation ladder"),
                  "fa-level-up"),
            entry("Agents", AgentView, _l("Agents"), "fa-user"),
            entry("Teams", TeamView, _l("Teams"), "fa-users"),
            AdminView(name="Working hours", view=WorkingHoursView),
            AdminView(name="Ticket actions", view=TicketActionsView),
            AdminView(name="Satisfaction survey", view=CsatPublicView)]


@hookimpl
def zhanggui_api_endpoints():
    from .calls.api import CallEventApi
    from .screenpop.api import ScreenPopApi

    return [ApiEndpoint(name="callcenter.calls", api=CallEventApi),
            ApiEndpoint(name="callcenter.screen_pop", api=ScreenPopApi)]


@hookimpl
def zhanggui_permissions():
    return [Permission("callcenter.supervise",
                       _l("Supervise the call center (board, callback lists, SLA)"))]


#: the roles this plugin declares, as the console names them
ROLE_LABELS = (_l("CTI connector"), _l("Call-center supervisor"))


@hookimpl
def zhanggui_default_roles():
    # a telephony connector and the call center's supervisors serve the whole chain,
    # as the core's Call-center agent does ("core.all_stores")
    return [RoleGrant("CTI connector", ("can_record on CallEventApi",
                                        "can_pop on ScreenPopApi", "core.all_stores")),
            RoleGrant("Call-center agent", _AGENT),
            RoleGrant("Call-center supervisor", _AGENT + _SUPERVISOR + (
                "callcenter.supervise", "core.all_stores", "can_list on SlaPolicyView", "can_show on SlaPolicyView",
                "can_add on SlaPolicyView", "can_edit on SlaPolicyView",
                "menu_access on SLA policies", "can_list on WorkingHoursView",
                "can_show on WorkingHoursView", "can_add on WorkingHoursView",
                "can_edit on WorkingHoursView", "can_delete on WorkingHoursView",
                "can_list on EscalationLevelView", "can_show on EscalationLevelView",
                "can_add on EscalationLevelView", "can_edit on EscalationLevelView",
                "menu_access on Escalation ladder", "can_list on AgentView",
                "can_show on AgentView", "can_add on AgentView", "can_edit on AgentView",
                "menu_access on Agents", "can_list on TeamView", "can_show on TeamView",
                "can_add on TeamView", "can_edit on TeamView", "menu_access on Teams")),
            RoleGrant("Store manager", ("can_list on TicketView", "can_show on TicketView",
                                        "menu_access on Service tickets",
                                        "menu_access on " + CATEGORY))]


@hookimpl
def zhanggui_jobs():
    from huey import crontab

    from .callbacks.service import refresh_callback_lists
    from .calls.jobs import relink_callers
    from .escalation.jobs import escalate_tickets

    return [Job("callcenter.relink_callers", relink_callers, schedule=crontab(minute="*/10")),
            Job("callcenter.escalate_tickets", escalate_tickets,
                schedule=crontab(minute="*/5")),
            Job("callcenter.refresh_callback_lists", refresh_callback_lists,
                schedule=crontab(minute="15"))]


@hookimpl
def zhanggui_app_ready(app):
    from flask import Blueprint

    from .tickets.views import ticket_extras

    app.register_blueprint(Blueprint("zhanggui_callcenter", __name__,
                                     template_folder="templates"))
    app.jinja_env.globals["callcenter_ticket_extras"] = ticket_extras


@hookimpl
def zhanggui_member_panels(member_id):
    from .tickets.views import member_tickets_panel

    return member_tickets_panel(member_id)


@hookimpl
def zhanggui_counter_complaints(counter_codes, start, end):
    from .tickets.complaints import complaints_per_counter

    return complaints_per_counter(counter_codes, start, end)


@hookimpl
def zhanggui_export_member(member_id):
    from .privacy import export_member

    return export_member(member_id)


@hookimpl
def zhanggui_erase_member(member_id):
    from .privacy import erase_member

    return erase_member(member_id)


@hookimpl
def zhanggui_merge_members(source_id, target_id):
    from .privacy import merge_members

    merge_members(source_id, target_id)


@hookimpl
def zhanggui_demo_data(ctx):
    from .demo import build_demo_callcenter

    build_demo_callcenter(ctx)


@hookimpl
def zhanggui_search_sources():
    from .tickets.search import search_sources

    return search_sources()
