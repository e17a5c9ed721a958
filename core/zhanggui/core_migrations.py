"""The core's own schema steps (plugin name ``core``), applied by ``zhanggui migrate``.

Each step lives beside the code it serves and is listed here in name order.
"""
from __future__ import annotations

from .registry import Migration

MIGRATIONS: list[Migration] = [
    # "0001_audit_log"        -> console/audit.py
    # "0002_user_preferences" -> i18n preferences
]
