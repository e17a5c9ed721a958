"""REST: ``/api/v1/counters/`` (store-scoped CRUD of counters)."""
from __future__ import annotations

from zhanggui.console.datamodel import ModelRestApi, PeeweeInterface
from zhanggui.console.scope import StoreScopedMixin

from .models import Counter


class CounterApi(StoreScopedMixin, ModelRestApi):
    resource_name = "counters"
    openapi_spec_tag = "Suppliers"
    datamodel = PeeweeInterface(Counter)
    store_field = "store_code"
    base_permissions = ["can_get", "can_info", "can_post", "can_put"]
    list_columns = show_columns = ["id", "code", "name", "store_code", "floor", "area",
                                   "category", "brand.name", "supplier.code", "opened_on",
                                   "closed_on", "monthly_target", "currency"]
    add_columns = edit_columns = ["code", "name", "store_code", "floor", "area", "category",
                                  "brand", "supplier", "opened_on", "closed_on",
                                  "monthly_target", "currency"]
