"""The hourly job ``office.remind_tasks`` (see :func:`.service.remind_due`)."""
from __future__ import annotations


def remind_tasks() -> int:
    from .service import remind_due

    return remind_due()
