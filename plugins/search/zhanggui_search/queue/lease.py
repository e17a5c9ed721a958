"""The writer lease: one row in ``search_lease``, taken with a conditional ``UPDATE``
(or the first ``INSERT``), so one writer at a time on any number of hosts."""
from __future__ import annotations

import datetime as dt
import os
import socket

import peewee

from zhanggui import database, utcnow

from .models import SearchLease

LEASE = "writer"
LEASE_SECONDS = 120


def holder_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def acquire_lease(holder: str, seconds: int = LEASE_SECONDS) -> bool:
    """Take or renew the writer lease; ``False`` while another holder's is running."""
    now = utcnow()
    until = now + dt.timedelta(seconds=seconds)
    with database.atomic():
        taken = (SearchLease.update(holder=holder, expires_at=until)
                 .where((SearchLease.name == LEASE)
                        & ((SearchLease.holder == holder) | (SearchLease.expires_at < now)))
                 .execute())
        if taken:
            return True
        try:
            with database.atomic():
                SearchLease.insert(name=LEASE, holder=holder, expires_at=until).execute()
            return True
        except peewee.IntegrityError:
            return False


def release_lease(holder: str) -> None:
    SearchLease.delete().where((SearchLease.name == LEASE)
                               & (SearchLease.holder == holder)).execute()
