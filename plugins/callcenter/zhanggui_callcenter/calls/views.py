"""Console screens of the call log, agents and teams."""
from __future__ import annotations

from zhanggui import _l
from zhanggui.console.datamodel import ModelView, PeeweeInterface

from .models import Agent, Call, Team


class CallView(ModelView):
    datamodel = PeeweeInterface(Call)
    list_title = _l("Call log")
    show_title = _l("Call")
    edit_title = _l("Edit call notes")
    base_permissions = ["can_list", "can_show", "can_edit"]
    list_columns = ["started_at", "direction", "phone", "member_id", "agent", "state",
                    "duration_seconds", "outcome"]
    show_columns = ["call_id", "connector", "direction", "phone", "region", "member_id",
                    "agent", "extension", "state", "started_at", "answered_at", "ended_at",
                    "duration_seconds", "recording_url", "outcome", "notes"]
    edit_columns = ["outcome", "notes"]
    search_columns = ["phone", "member_id", "state", "outcome", "direction"]
    order_columns = ["started_at", "duration_seconds"]
    base_order = ("started_at", "desc")
    label_columns = {"call_id": _l("Call id"), "connector": _l("Connector"),
                     "direction": _l("Direction"), "phone": _l("Caller number"),
                     "region": _l("Number region"), "member_id": _l("Member"),
                     "agent": _l("Agent"), "extension": _l("Extension"),
                     "state": _l("Call state"), "started_at": _l("Started at"),
                     "answered_at": _l("Answered at"), "ended_at": _l("Ended at"),
                     "duration_seconds": _l("Duration (s)"), "recording_url": _l("Recording"),
                     "outcome": _l("Outcome"), "notes": _l("Call notes")}


class AgentView(ModelView):
    datamodel = PeeweeInterface(Agent)
    list_title = _l("Agents")
    show_title = _l("Agent")
    add_title = _l("Add agent")
    edit_title = _l("Edit agent")
    base_permissions = ["can_list", "can_show", "can_add", "can_edit"]
    list_columns = ["display_name", "extension", "team", "email", "active"]
    search_columns = ["display_name", "extension", "active"]
    add_columns = edit_columns = show_columns = ["user_id", "display_name", "extension",
                                                 "email", "team", "active"]
    label_columns = {"user_id": _l("User id"), "display_name": _l("Agent name"),
                     "extension": _l("Extension"), "email": _l("Agent e-mail"),
                     "team": _l("Team"), "active": _l("Active")}


class TeamView(ModelView):
    datamodel = PeeweeInterface(Team)
    list_title = _l("Teams")
    show_title = _l("Team")
    add_title = _l("Add team")
    edit_title = _l("Edit team")
    base_permissions = ["can_list", "can_show", "can_add", "can_edit"]
    list_columns = ["name", "store_code", "lead_user_id", "manager_email"]
    search_columns = ["name", "store_code"]
    add_columns = edit_columns = show_columns = list_columns
    label_columns = {"name": _l("Team name"), "store_code": _l("Store code"),
                     "lead_user_id": _l("Team lead (user id)"),
                     "manager_email": _l("Manager e-mail")}
