"""Search backends: where indexed documents live and how a query reaches them.

A backend implements :class:`SearchBackend`.  Two ship with the plugin, chosen by the
``SEARCH_BACKEND`` setting: ``whoosh`` (an index folder on one host, written by one
writer only) and ``postgresql`` (a table with ``pg_trgm`` over the stored terms, for
several hosts).  Both receive the same :class:`~zhanggui_search.index.documents.IndexedDocument`
and the same query groups, so relevance does not depend on the backend.
"""
from __future__ import annotations

from .base import Hit, Scope, SearchBackend

__all__ = ["Hit", "Scope", "SearchBackend", "backend_for"]


def backend_for(app) -> SearchBackend:
    """The application's backend (one object per application, built on first use)."""
    state = app.extensions.setdefault("zhanggui_search", {})
    backend = state.get("backend")
    if backend is None:
        settings = app.extensions["zhanggui"].settings
        if settings.get("SEARCH_BACKEND") == "postgresql":
            from .database import DatabaseBackend

            backend = DatabaseBackend()
        else:
            from .whoosh_backend import WhooshBackend

            backend = WhooshBackend(settings["SEARCH_INDEX_DIR"])
        state["backend"] = backend
    return backend
