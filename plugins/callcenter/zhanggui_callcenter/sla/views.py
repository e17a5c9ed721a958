"""Console screens of SLA policies and their working hours."""
from __future__ import annotations

from wtforms.validators import NumberRange, Regexp

from zhanggui import _l
from zhanggui.console.datamodel import ModelView, PeeweeInterface

from .models import SlaPolicy, WorkingHours

POLICY_LABELS = {"name": _l("Policy name"), "rank": _l("Order of evaluation"),
                 "kinds": _l("Ticket types (comma-separated, empty: all)"),
                 "priorities": _l("Priorities (comma-separated, empty: all)"),
                 "tiers": _l("Member tiers (comma-separated, empty: all)"),
                 "first_response_minutes": _l("First response within (business minutes)"),
                 "resolution_minutes": _l("Resolution within (business minutes)"),
                 "region": _l("Holiday calendar"), "timezone": _l("Time zone"),
                 "active": _l("Active")}


class WorkingHoursView(ModelView):
    datamodel = PeeweeInterface(WorkingHours)
    list_title = _l("Working hours")
    show_title = _l("Working hours")
    add_title = _l("Add working hours")
    edit_title = _l("Edit working hours")
    base_permissions = ["can_list", "can_show", "can_add", "can_edit", "can_delete"]
    search_columns = ["weekday"]
    list_columns = add_columns = edit_columns = show_columns = ["policy", "weekday", "starts",
                                                                "ends"]
    validators_columns = {
        "starts": [Regexp(r"^([01]\d|2[0-3]):[0-5]\d$", message=_l("A time like 09:00."))],
        "ends": [Regexp(r"^(([01]\d|2[0-3]):[0-5]\d|24:00)$", message=_l("A time like 18:00."))],
        "weekday": [NumberRange(0, 6)]}
    label_columns = {"policy": _l("SLA policy"), "weekday": _l("Weekday (0 Monday, 6 Sunday)"),
                     "starts": _l("From"), "ends": _l("Until")}


class SlaPolicyView(ModelView):
    datamodel = PeeweeInterface(SlaPolicy)
    list_title = _l("SLA policies")
    show_title = _l("SLA policy")
    add_title = _l("Add SLA policy")
    edit_title = _l("Edit SLA policy")
    base_permissions = ["can_list", "can_show", "can_add", "can_edit"]
    list_columns = ["rank", "name", "kinds", "priorities", "tiers", "first_response_minutes",
                    "resolution_minutes", "region", "active"]
    add_columns = edit_columns = show_columns = ["name", "rank", "kinds", "priorities", "tiers",
                                                 "first_response_minutes",
                                                 "resolution_minutes", "region", "timezone",
                                                 "active"]
    label_columns = POLICY_LABELS
    search_columns = ["name", "kinds", "priorities", "tiers", "region", "active"]
    related_views = [WorkingHoursView]
