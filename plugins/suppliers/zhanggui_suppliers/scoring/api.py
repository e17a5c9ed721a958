"""REST: ``/api/v1/counter_grades/`` (read, store-scoped): each counter's graded months."""
from __future__ import annotations

from zhanggui.console.datamodel import ModelRestApi, PeeweeInterface
from zhanggui.console.scope import StoreScopedMixin

from .models import CounterScore


class CounterScoreApi(StoreScopedMixin, ModelRestApi):
    resource_name = "counter_grades"
    openapi_spec_tag = "Suppliers"
    datamodel = PeeweeInterface(CounterScore)
    store_field = "store_code"
    base_permissions = ["can_get", "can_info"]
    list_columns = show_columns = ["id", "counter.code", "supplier.code", "store_code",
                                   "period_start", "period_end", "score", "grade",
                                   "consequence", "variables", "details"]
