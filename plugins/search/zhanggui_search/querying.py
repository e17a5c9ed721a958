"""Answering a query for the signed-in user: scope, groups by source, highlights."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from markupsafe import Markup, escape

from zhanggui import has_permission

from .backends import Hit, Scope, backend_for
from .index.analysis import query_groups, to_simplified
from .index.documents import ANY
from .keys import sources, suffix_key

MAX_QUERY = 200


@dataclass
class ResultGroup:
    source: str
    title: Any
    hits: list[Hit] = field(default_factory=list)


def current_scope() -> Scope:
    """The signed-in user's stores and the permissions among those documents need."""
    from zhanggui.console.scope import user_store_codes

    host = current_app.extensions["zhanggui"].plugins
    candidates = {s.permission for s in sources().values() if s.permission}
    candidates |= {p.name for p in host.collect("zhanggui_permissions")}
    held = frozenset({ANY} | {p for p in candidates if has_permission(p)})
    stores = user_store_codes()
    return Scope(stores=None if stores is None else frozenset({ANY} | set(stores)),
                 permissions=held)


def search(text: str, scope: Scope, limit: int = 50,
           only: list[str] | None = None) -> list[Hit]:
    groups = query_groups(text[:MAX_QUERY], suffix_key())
    return backend_for(current_app).search(groups, scope, limit=limit, sources=only)


def grouped(hits: list[Hit]) -> list[ResultGroup]:
    """Hits by source, in the order of each source's best hit."""
    known = sources()
    out: dict[str, ResultGroup] = {}
    for hit in hits:
        source = known.get(hit.source)
        group = out.setdefault(hit.source, ResultGroup(
            hit.source, source.title if source else hit.source))
        group.hits.append(hit)
    return list(out.values())


def highlight(text: str, query: str) -> Markup:
    """``text`` escaped, with the query's words in ``<mark>`` (in either script)."""
    text = text or ""
    simplified = to_simplified(text).lower()
    if len(simplified) != len(text):
        simplified = text.lower()
    spans: list[tuple[int, int]] = []
    for word in {w for w in to_simplified(query[:MAX_QUERY]).lower().split() if w}:
        start = simplified.find(word)
        while start >= 0:
            spans.append((start, start + len(word)))
            start = simplified.find(word, start + len(word))
    out, pos = [], 0
    for start, end in sorted(spans):
        if start < pos:
            continue
        out.append(escape(text[pos:start]))
        out.append(Markup("<mark>") + escape(text[start:end]) + Markup("</mark>"))
        pos = end
    out.append(escape(text[pos:]))
    return Markup("").join(out)
