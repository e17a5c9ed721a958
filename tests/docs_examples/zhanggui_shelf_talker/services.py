"""Services the examples call: each records its call; a few answer what the example
then reads."""
import datetime as dt
from types import SimpleNamespace

calls: list[tuple[str, tuple, dict]] = []

ANSWERS = {
    "talkers_expiring_this_week": lambda *a, **k: 3,
    "print_for_store": lambda *a, **k: 2,
    "talkers_for_skus": lambda skus: [SimpleNamespace(sku=s) for s in skus],
    "talkers_printed_for": lambda member_id: [SimpleNamespace(
        sku="SKU00042", printed_at=dt.datetime(2026, 11, 11, tzinfo=dt.timezone.utc),
        store_code="SH01")],
    "open_approval_request": lambda *a, **k: SimpleNamespace(reference="APR-1"),
    "running_activities": lambda store, when: [SimpleNamespace(
        code="double11", bonus_points=100, title="Double 11", min_spend=0)],
    "member_id_by_card": lambda card: 7,
    "member_id_by_phone": lambda phone: 7,
    "store_codes_of": lambda user: {"SH01"},
}


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)

    def service(*args, **kwargs):
        calls.append((name, args, kwargs))
        answer = ANSWERS.get(name)
        return answer(*args, **kwargs) if answer else None

    service.__name__ = name
    return service
