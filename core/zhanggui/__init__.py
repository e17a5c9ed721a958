"""Zhanggui (掌柜): the public plugin API.

Plugins import only what this module exports, plus the modules that
``docs/plugins.md`` names under "Stability promise" (the one statement of what is
stable); everything else may change between releases.  See ``docs/plugins.md`` (the
plugin author's guide) and ``docs/hooks.md`` (the hook reference).
"""
from __future__ import annotations

from .db import (FixedDecimalField, Model, MoneyField, UTCDateTimeField, database, utcnow,
                 write_transaction)
from .demo import DemoContext, Progress
from .formatting import (format_local_date, format_local_datetime, format_local_time,
                         format_money, format_number, format_percentage)
from .i18n import (_, _l, format_currency, format_date, format_datetime, format_decimal,
                   format_percent, ngettext)
from .jobs import enqueue
from .migrations import MigrationContext
from .plugins import PluginError, hookimpl
from .registry import (AdminView, ApiEndpoint, AudienceCriterion, MarketingContact, DashboardWidget, ExportSection, Job,
                       MemberPanel, Migration, PaymentEvent, Permission, PointsBonus,
                       PurchaseEvent,
                       PurchaseLineEvent, RefundEvent, RoleGrant, SearchDocument,
                       SearchSource, TranslationDir, WidgetData)

from .apiaction import ApiError, api_action, json_response
from .memberref import MemberRef
from .hookfailures import hook_failure

__all__ = [
    "AdminView", "ApiEndpoint", "AudienceCriterion", "MarketingContact", "DashboardWidget", "DemoContext", "ExportSection",
    "FixedDecimalField", "Job", "MoneyField",
    "MemberPanel", "Migration", "MigrationContext", "Model", "PaymentEvent", "Permission",
    "PluginError", "PointsBonus", "Progress", "PurchaseEvent", "PurchaseLineEvent", "RefundEvent", "RoleGrant", "SearchDocument", "SearchSource", "TranslationDir",
    "UTCDateTimeField", "WidgetData", "_", "_l", "create_app", "database", "emit",
    "enqueue", "format_currency", "format_date", "format_datetime", "format_decimal",
    "format_local_date", "format_local_datetime", "format_local_time", "format_money",
    "format_number", "format_percent", "format_percentage", "has_permission", "hookimpl", "ngettext", "plugins", "utcnow",
    "write_transaction",
    # declarative plugins, member references, API actions (docs/plugins.md)
    "ApiError", "MemberRef", "api_action", "hook_failure", "json_response",
    "cached",
]
__all__ += ["Instant", "SafeString", "StrictBoolean", "WholeNumber"]
__all__ += ["LocalDateField", "date_input_hint", "parse_input_date"]


def create_app(config=None):
    """See :func:`zhanggui.app.create_app`."""
    from .app import create_app as _create_app

    return _create_app(config)


def plugins():
    """The current application's :class:`zhanggui.plugins.PluginHost`."""
    from flask import current_app

    return current_app.extensions["zhanggui"].plugins


def emit(event: str, **kwargs) -> None:
    """Fire a domain event hook, e.g. ``emit("purchase_recorded", purchase=p)``."""
    plugins().emit(event, **kwargs)


def has_permission(name: str) -> bool:
    """Whether the signed-in user holds the permission ``name``."""
    from .console.security import has_permission as _has

    return _has(name)


def __getattr__(name: str):
    # request-body fields (marshmallow), loaded on first use: importing them pulls in
    # the console toolkit, which itself imports this module
    if name in ("Instant", "SafeString", "StrictBoolean", "WholeNumber"):
        from .console.datamodel import safe_fields

        return getattr(safe_fields, name)
    if name in ("LocalDateField", "date_input_hint", "parse_input_date"):
        from .console import dates   # date inputs in the reader's order

        return getattr(dates, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
def cached(key, load):
    """``load()``'s answer, kept by this worker until any watched table changes (see
    :meth:`MigrationContext.watch_for_caches`) or for ``SECURITY_CACHE_SECONDS`` at
    most; ``key`` (hashable, prefixed with the plugin's name) names it.  For
    settings-like rows read on hot paths; treat the answer as read-only.  Outside an
    application it is simply ``load()``."""
    from .console.seccache import security_cache

    cache = security_cache()
    return load() if cache is None else cache.get(key, load)
