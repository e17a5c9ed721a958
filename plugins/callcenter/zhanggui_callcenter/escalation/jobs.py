"""The periodic escalation job (every five minutes; safe twice and on two workers)."""
from __future__ import annotations

from .service import run_escalations


def escalate_tickets() -> int:
    return run_escalations()
