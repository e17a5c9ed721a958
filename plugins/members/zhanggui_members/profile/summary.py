"""The members plugin's answer to ``zhanggui_member_summary``: who the member is,
their last purchases and their consent, for a call center's screen pop.

Three indexed reads (member by id with its home store; the last purchases by
``(member, occurred_at)`` with their counters; consent by member), each compiled to
SQL once per database kind and run through the driver: on every incoming call,
building and compiling peewee queries was most of the time.  The phone is masked as
staff without ``members.view_phone`` see it.
"""
from __future__ import annotations

from typing import Any

from peewee import JOIN

from zhanggui import database

from ..consent.models import ConsentState
from .models import Member, Purchase, PurchaseLine, Store
from .phones import configured_region, mask_last4, mask_mobile

LAST_PURCHASES = 5
_PROBE = -7_346_582_901_234          # stands for the member id while compiling
_COMPILED: dict[tuple, tuple] = {}


def _rows(name: str, build) -> Any:
    db = database.obj
    key = (name, type(db), db.param, db.quote)
    hit = _COMPILED.get(key)
    if hit is None:
        sql, params = build().sql()
        hit = _COMPILED[key] = (sql, [p == _PROBE for p in params], list(params))
    return hit


def _fetch(name: str, build, member_id: int) -> list[dict[str, Any]]:
    sql, probes, params = _rows(name, build)
    cursor = database.execute_sql(sql, [member_id if probe else p
                                        for probe, p in zip(probes, params)])
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row)) for row in cursor.fetchall()]


def _member_query():
    return (Member.select(Member.id, Member.name, Member.phone_encrypted, Member.phone_last4,
                          Member.card_no, Member.lifecycle_stage, Member.joined_at,
                          Store.code.alias("store_code"), Store.name.alias("store_name"))
            .join(Store, JOIN.LEFT_OUTER, on=(Member.home_store == Store.id))
            .where((Member.id == _PROBE) & Member.merged_into.is_null()
                   & Member.erased_at.is_null()).limit(1))


def _purchases_query():
    return (Purchase.select(Purchase.id, Purchase.pos_id, Purchase.occurred_at, Purchase.total,
                            Purchase.refunded_amount, Store.code.alias("store_code"),
                            Store.name.alias("store_name"), Store.currency)
            .join(Store).where(Purchase.member == _PROBE)
            .order_by(Purchase.occurred_at.desc()).limit(LAST_PURCHASES))


def _counters_query():
    last = (Purchase.select(Purchase.id).where(Purchase.member == _PROBE)
            .order_by(Purchase.occurred_at.desc()).limit(LAST_PURCHASES))
    return (PurchaseLine.select(PurchaseLine.purchase, PurchaseLine.counter_code)
            .where(PurchaseLine.purchase.in_(last)))


def _consent_query():
    return (ConsentState.select(ConsentState.channel, ConsentState.granted)
            .where(ConsentState.member == _PROBE))


def _masked(row: dict[str, Any]) -> str:
    if row["phone_encrypted"]:
        from .crypto import FieldDecryptionError, phone_cipher

        try:
            return mask_mobile(phone_cipher().decrypt(row["phone_encrypted"]),
                               configured_region())
        except FieldDecryptionError:
            pass
    return mask_last4(row["phone_last4"])


def _iso(field, value) -> str | None:
    value = field.python_value(value)
    return value.isoformat() if value else None


def profile_summary(member_id: Any) -> dict[str, Any]:
    try:
        member_id = int(member_id)
    except (TypeError, ValueError):
        return {}
    found = _fetch("member", _member_query, member_id)
    if not found:
        return {}
    m = found[0]
    purchases = _fetch("purchases", _purchases_query, member_id)
    counters: dict[int, set[str]] = {p["id"]: set() for p in purchases}
    if purchases:
        for line in _fetch("counters", _counters_query, member_id):
            if line["counter_code"] and line["purchase_id"] in counters:
                counters[line["purchase_id"]].add(line["counter_code"])
    money = Purchase.total.python_value
    return {
        "member": {"id": m["id"], "name": m["name"], "phone": _masked(m),
                   "card_no": m["card_no"], "lifecycle_stage": m["lifecycle_stage"],
                   "joined_at": _iso(Member.joined_at, m["joined_at"]),
                   "home_store": ({"code": m["store_code"], "name": m["store_name"]}
                                  if m["store_code"] else None)},
        "purchases": [{"id": p["pos_id"], "occurred_at": _iso(Purchase.occurred_at,
                                                              p["occurred_at"]),
                       "store": p["store_code"], "store_name": p["store_name"],
                       "currency": p["currency"], "counters": sorted(counters[p["id"]]),
                       "total": str(money(p["total"])),
                       "refunded": str(money(p["refunded_amount"])),
                       "returnable": money(p["refunded_amount"]) < money(p["total"])}
                      for p in purchases],
        "consent": {c["channel"]: bool(c["granted"])
                    for c in _fetch("consent", _consent_query, member_id)},
    }
