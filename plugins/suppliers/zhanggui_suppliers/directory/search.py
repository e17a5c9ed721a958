"""Suppliers and counters (专柜) as documents for full-text search.

Suppliers are chain-wide (no store); a counter belongs to its store.  Counters carry
no timestamps and are few (hundreds), so every catch-up offers them all.
"""
from __future__ import annotations

from zhanggui import SearchDocument, SearchSource, _l

from ..counters.models import Counter
from .models import Brand, Supplier


def _supplier_document(supplier, brands) -> SearchDocument:
    return SearchDocument(
        key=str(supplier.id), title=supplier.name,
        body=" ".join(x for x in (supplier.code, " ".join(brands), supplier.address or "")
                      if x),
        url=f"/supplierview/show/{supplier.id}", names=(supplier.name,),
        codes=tuple(x for x in (supplier.code, supplier.tax_id) if x))


def _brands(ids) -> dict:
    names: dict = {}
    for brand in Brand.select(Brand.supplier, Brand.name).where(Brand.supplier.in_(ids)):
        names.setdefault(brand.supplier_id, []).append(brand.name)
    return names


def _suppliers(query):
    batch = list(query)
    brands = _brands([s.id for s in batch]) if batch else {}
    for supplier in batch:
        yield _supplier_document(supplier, brands.get(supplier.id, []))


def supplier_documents(since):
    query = Supplier.select().order_by(Supplier.id)
    if since is not None:
        query = query.where(Supplier.created_at >= since)
    return _suppliers(query)


def supplier_documents_by_key(keys):
    ids = [int(k) for k in keys if str(k).isdigit()]
    return _suppliers(Supplier.select().where(Supplier.id.in_(ids)))


def _counter_document(counter) -> SearchDocument:
    return SearchDocument(
        key=str(counter.id), title=f"{counter.name}",
        body=" ".join(x for x in (counter.code, counter.category, counter.area,
                                  counter.floor) if x),
        url=f"/counterview/show/{counter.id}", store=counter.store_code,
        names=(counter.name,), codes=(counter.code,))


def counter_documents(since):
    for counter in Counter.select().order_by(Counter.id):
        yield _counter_document(counter)


def counter_documents_by_key(keys):
    ids = [int(k) for k in keys if str(k).isdigit()]
    for counter in Counter.select().where(Counter.id.in_(ids)):
        yield _counter_document(counter)


def search_sources() -> list[SearchSource]:
    return [SearchSource(name="suppliers.suppliers", title=_l("Suppliers"),
                         documents=supplier_documents, fetch=supplier_documents_by_key,
                         count=lambda: Supplier.select().count(),
                         permission="can_list on SupplierView"),
            SearchSource(name="suppliers.counters", title=_l("Counters"),
                         documents=counter_documents, fetch=counter_documents_by_key,
                         count=lambda: Counter.select().count(),
                         permission="can_list on CounterView")]
