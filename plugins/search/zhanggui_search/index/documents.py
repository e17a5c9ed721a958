"""What the index holds of a plugin's :class:`zhanggui.SearchDocument`.

An :class:`IndexedDocument` is the plugin's document after analysis: its terms (see
:mod:`.analysis`), the store and permission it needs, and what a result shows (title,
a short body, URL).  It never carries a phone number: ``phone_suffixes`` become keyed
hashes here, before anything is written.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import analysis

#: the store and permission of a document that needs none (chain-wide, open to all)
ANY = "*"
BODY_CHARS = 400


@dataclass(frozen=True)
class IndexedDocument:
    doc_id: str          # "<source>:<key>", unique in the index
    source: str
    key: str
    title: str
    body: str
    url: str
    store: str
    permission: str
    terms: tuple[str, ...]
    title_terms: tuple[str, ...]


def doc_id(source: str, key: Any) -> str:
    return f"{source}:{key}"


def analyse(source: Any, document: Any, key: bytes) -> IndexedDocument:
    """The indexed form of ``document`` of ``source`` (a ``SearchSource``)."""
    title_terms = list(analysis.words(document.title))
    for name in document.names:
        title_terms.extend(analysis.name_terms(name))
    terms = list(title_terms)
    terms.extend(analysis.words(document.body))
    for keyword in document.keywords:
        terms.extend(analysis.words(keyword))
    terms.extend(analysis.code_term(code) for code in document.codes if code)
    terms.extend(analysis.phone_suffix_term(s, key) for s in document.phone_suffixes if s)
    return IndexedDocument(
        doc_id=doc_id(source.name, document.key), source=source.name,
        key=str(document.key), title=document.title or "",
        body=(document.body or "")[:BODY_CHARS], url=document.url or "",
        store=document.store or ANY,
        permission=document.permission or source.permission or ANY,
        terms=tuple(dict.fromkeys(terms)), title_terms=tuple(dict.fromkeys(title_terms)))
