"""The job ``office.generate_recurring_expenses`` (daily; each period's claim is
written once however often it runs, see :func:`.service.generate_recurring`)."""
from __future__ import annotations


def generate_recurring_expenses() -> dict:
    from .service import generate_recurring

    return generate_recurring()
