"""The core's own schema steps (plugin name ``core``), applied by ``zhanggui migrate``.

Each step lives beside the code it serves and is listed here in name order.
"""
from __future__ import annotations

from .preferences import MIGRATION as USER_PREFERENCES
from .console.audit import migrate_audit_log
from .console.scope import migrate_user_store
from .notifications.models import migrate_notifications
from .console.seccache import migrate_security_version
from .registry import Migration

MIGRATIONS: list[Migration] = [
    Migration("0001_audit_log", migrate_audit_log,
              "audit log with hash chain"),           # -> console/audit.py
    USER_PREFERENCES,         # "0002_user_preferences" -> preferences.py
    Migration("0003_user_store", migrate_user_store,
              "console users' store assignments"),   # -> console/scope.py
    Migration("0004_notifications", migrate_notifications,
              "notification inbox, outbox and preferences"),  # -> notifications/models.py
    Migration("0005_security_stamp", migrate_security_version,
              "version stamp of the security caches"),  # -> console/seccache.py
]
