"""Console screen of the escalation ladder."""
from __future__ import annotations

from zhanggui import _l
from zhanggui.console.datamodel import ModelView, PeeweeInterface

from .models import EscalationLevel


class EscalationLevelView(ModelView):
    datamodel = PeeweeInterface(EscalationLevel)
    list_title = _l("Escalation ladder")
    show_title = _l("Escalation level")
    add_title = _l("Add escalation level")
    edit_title = _l("Edit escalation level")
    base_permissions = ["can_list", "can_show", "can_add", "can_edit", "can_delete"]
    search_columns = ["level", "notify"]
    list_columns = add_columns = edit_columns = show_columns = ["level", "percent", "notify",
                                                                "reassign_to_lead"]
    label_columns = {"level": _l("Level"), "percent": _l("Share of SLA used (percent)"),
                     "notify": _l("Notify"), "reassign_to_lead": _l("Reassign to the team lead")}
    description_columns = {"percent": _l("Without levels here the ladder is 50 percent agent, "
                                         "80 percent team lead (reassigned), 100 percent manager.")}
