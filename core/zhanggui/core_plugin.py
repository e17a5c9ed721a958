"""The core's own contributions, made through the same hooks as any plugin."""
from __future__ import annotations

from flask import current_app

from .i18n import _, _l, core_translation_dir, format_decimal
from .plugins import hookimpl
from .registry import AdminView, ApiEndpoint, DashboardWidget, RoleGrant, WidgetData

title = _l("Core")
requires: tuple[str, ...] = ()


@hookimpl
def zhanggui_migrations():
    from .core_migrations import MIGRATIONS

    return list(MIGRATIONS)


@hookimpl
def zhanggui_translation_dirs():
    return [core_translation_dir()]


@hookimpl
def zhanggui_default_roles():
    from .console.scope import ALL_STORES

    return [RoleGrant("Auditor", ("can_list on PluginsView", "menu_access on Plugins",
                                  "menu_access on Security")),
            # the audit log, read only; the Auditor writes nothing anywhere
            RoleGrant("Auditor", ("can_list on AuditLogView", "can_show on AuditLogView",
                                  "menu_access on Audit log", "can_get on AuditLogApi",
                                  "can_info on AuditLogApi")),
            # every role reads its own notifications
            *[RoleGrant(role, ("can_inbox on NotificationInboxView",
                               "menu_access on Notifications"))
              for role in ("Store manager", "Store staff", "Call-center agent", "Marketing",
                           "Buyer", "Auditor")],
            # roles that work across the whole chain are not limited to a store
            *[RoleGrant(role, (ALL_STORES,)) for role in
              ("Auditor", "Marketing", "Call-center agent", "Buyer")]]


@hookimpl
def zhanggui_permissions():
    from .console.scope import ALL_STORES_PERMISSION

    return [ALL_STORES_PERMISSION]


@hookimpl
def zhanggui_admin_views():
    from .console.apikeys import ApiKeyView
    from .console.audit_views import AuditLogView
    from .console.scope import UserStoreView

    security = {"category": "Security", "category_label": _l("Security")}
    from .notifications.views import NotificationInboxView

    return [AdminView(name="Notifications", view=NotificationInboxView,
                      label=_l("Notifications"), icon="fa-bell"),
            AdminView(name="Audit log", view=AuditLogView, label=_l("Audit log"),
                      icon="fa-list-alt", **security),
            AdminView(name="Store assignments", view=UserStoreView,
                      label=_l("Store assignments"), icon="fa-store", **security),
            AdminView(name="API keys", view=ApiKeyView, label=_l("API keys"),
                      icon="fa-key", **security)]


@hookimpl
def zhanggui_api_endpoints():
    from .console.audit_views import AuditLogApi

    return [ApiEndpoint(name="audit_log", api=AuditLogApi)]


@hookimpl
def zhanggui_cli_commands():
    from .console.audit import audit_group

    return [audit_group]


def _plugin_tile() -> WidgetData:
    plugins = current_app.extensions["zhanggui"].plugins.plugin_list()
    enabled = [p for p in plugins if p.enabled and not p.builtin]
    return WidgetData(value=format_decimal(len(enabled)),
                      caption=_("%(count)s installed in all", count=len(plugins) - 1))


@hookimpl
def zhanggui_dashboard_widgets():
    return [DashboardWidget(name="core.plugins", title=_l("Plugins enabled"),
                            render=_plugin_tile, order=1000)]


@hookimpl
def zhanggui_jobs():
    from huey import crontab

    from .notifications import send_due
    from .registry import Job

    # enqueued by notify(); every minute too, for rows whose quiet hours ended
    return [Job("core.send_notifications", send_due, retries=0),
            Job("core.send_due_notifications", send_due, schedule=crontab(minute="*"),
                retries=0)]


@hookimpl
def zhanggui_models():
    from .notifications.models import MODELS

    return list(MODELS)
