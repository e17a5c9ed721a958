"""The reminders inbox: expiry notices for the user's stores (licences, which belong
to no store, for head office), each a follow-up task to tick off."""
from __future__ import annotations

from flask_appbuilder import expose, has_access
from flask_appbuilder.security.decorators import permission_name

from zhanggui import AdminView, _l, write_transaction
from zhanggui.console.datamodel import ModelView, PeeweeInterface
from zhanggui.console.scope import StoreScopedMixin

from ..console import RecordActionsMixin
from .models import Reminder


class ReminderView(RecordActionsMixin, StoreScopedMixin, ModelView):
    datamodel = PeeweeInterface(Reminder)
    list_title = _l("Reminders")
    show_title = _l("Reminder")
    base_permissions = ["can_list", "can_show", "can_done"]
    list_columns = ["subject", "kind", "threshold", "due_on", "role", "done", "created_at"]
    show_columns = list_columns + ["store_code", "emailed_to"]
    search_columns = ["kind", "role", "done", "due_on", "store_code"]
    order_columns = ["due_on", "created_at"]
    base_order = ("due_on", "asc")
    store_field = "store_code"
    record_actions = [("done", _l("Mark the follow-up done"), None, [])]

    @expose("/done/<pk>", methods=["POST"])
    @has_access
    @permission_name("done")
    def done(self, pk):
        def tick(item):
            with write_transaction():
                Reminder.update(done=True).where(Reminder.id == item.id).execute()
        return self._act(pk, tick)


def reminder_admin_views() -> list[AdminView]:
    return [AdminView(name="Supplier reminders", view=ReminderView, label=_l("Reminders"),
                      category="SupplierCounters", category_label=_l("Suppliers & counters"),
                      icon="fa-bell")]


REMINDER_USE = ("can_list on ReminderView", "can_show on ReminderView",
                "can_done on ReminderView", "menu_access on Supplier reminders")
