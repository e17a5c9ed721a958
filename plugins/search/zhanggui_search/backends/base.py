"""What every backend receives and answers."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Protocol


@dataclass(frozen=True)
class Hit:
    doc_id: str
    source: str
    key: str
    title: str
    body: str
    url: str
    score: float


@dataclass(frozen=True)
class Scope:
    """Who is asking: ``stores`` (``None``: every store) and the permissions held.
    Both always include the ``*`` of documents that need none."""

    stores: frozenset | None
    permissions: frozenset


class SearchBackend(Protocol):
    name: str

    def write(self, upserts: list, deletions: Iterable[str], purge: bool = False) -> None:
        """Add or replace ``upserts`` and remove ``deletions`` (doc ids) at once.
        ``purge``: rewrite whatever still holds removed documents (erasure)."""

    def delete_source(self, source: str) -> None:
        """Remove every document of ``source``."""

    def search(self, groups: list[tuple[str, ...]], scope: Scope, limit: int = 50,
               sources: Iterable[str] | None = None) -> list[Hit]:
        """Documents holding a term of every group, within ``scope``, best first."""

    def count(self) -> int:
        """How many documents the index holds."""

    def clear(self) -> None:
        """Remove everything (a full reindex starts here)."""


