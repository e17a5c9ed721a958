"""Console screens of counters (专柜) and their promoters, scoped to the user's stores."""
from __future__ import annotations

from zhanggui import AdminView, _l
from zhanggui.console.datamodel import ModelView, PeeweeInterface
from zhanggui.console.scope import StoreScopedMixin

from ..console import RecordActionsMixin
from .models import Counter, Promoter


def promoters_of_stores(query, codes):
    return query.where(Promoter.counter.in_(
        Counter.select(Counter.id).where(Counter.store_code.in_(list(codes) or [""]))))


class PromoterView(StoreScopedMixin, ModelView):
    datamodel = PeeweeInterface(Promoter)
    list_title = _l("Promoters")
    add_title = _l("Add promoter")
    edit_title = _l("Edit promoter")
    base_permissions = ["can_list", "can_show", "can_add", "can_edit"]
    list_columns = ["counter", "name", "phone", "started_on", "left_on"]
    add_columns = edit_columns = show_columns = list_columns
    search_columns = ["counter", "name", "started_on", "left_on"]
    store_field = promoters_of_stores


class CounterView(RecordActionsMixin, StoreScopedMixin, ModelView):
    datamodel = PeeweeInterface(Counter)
    list_title = _l("Counters")
    add_title = _l("Add counter")
    edit_title = _l("Edit counter")
    show_title = _l("Counter")
    base_permissions = ["can_list", "can_show", "can_add", "can_edit"]
    list_columns = ["code", "name", "store_code", "floor", "area", "category", "brand",
                    "supplier", "opened_on"]
    add_columns = edit_columns = ["code", "name", "store_code", "floor", "area", "category",
                                  "brand", "supplier", "opened_on", "closed_on",
                                  "monthly_target", "currency"]
    show_columns = add_columns
    search_columns = ["code", "name", "store_code", "floor", "category", "brand", "supplier"]
    order_columns = ["code", "name", "store_code", "floor", "opened_on"]
    related_views = [PromoterView]
    store_field = "store_code"

    def extra_panel(self, item) -> str:
        from ..scoring.views import score_archive_panel

        return score_archive_panel(counter=item)


def counter_admin_views() -> list[AdminView]:
    label = _l("Suppliers & counters")
    return [AdminView(name="Counters", view=CounterView, label=_l("Counters"),
                      category="SupplierCounters", category_label=label, icon="fa-th-large"),
            AdminView(name="Promoters", view=PromoterView, label=_l("Promoters"),
                      category="SupplierCounters", category_label=label, icon="fa-user")]


COUNTER_READ = ("can_list on CounterView", "can_show on CounterView", "menu_access on Counters",
                "can_list on PromoterView", "can_show on PromoterView",
                "menu_access on Promoters")
COUNTER_WRITE = ("can_add on CounterView", "can_edit on CounterView",
                 "can_add on PromoterView", "can_edit on PromoterView")
