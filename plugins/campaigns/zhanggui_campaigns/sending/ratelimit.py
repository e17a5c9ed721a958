"""A token bucket in the database, shared by every worker on every host.

``MARKETING_RATE_<CHANNEL>`` messages a second, with a burst of one second's worth.
A worker takes tokens for a block of messages at a time (one short transaction per
block, not per message) and sleeps when the bucket is empty; since the bucket is one
row, the rate holds however many workers send, on however many hosts.
"""
from __future__ import annotations

import time

from zhanggui import database, write_transaction
from zhanggui.db import backend

from .models import RateBucket


def take(name: str, wanted: int, rate: float, clock=time.time, sleep=time.sleep) -> int:
    """Block until at least one token is available; take up to ``wanted`` of them and
    return how many were taken (≥ 1)."""
    if rate <= 0:
        return wanted
    capacity = max(1.0, rate)
    while True:
        with write_transaction():
            bucket = _locked(name)
            now = clock()
            tokens = min(capacity, bucket.tokens + max(0.0, now - bucket.updated) * rate)
            granted = int(min(wanted, tokens))
            RateBucket.update(tokens=tokens - granted, updated=now) \
                .where(RateBucket.name == name).execute()
        if granted >= 1:
            return granted
        sleep(max(0.001, (1 - tokens) / rate))


def _locked(name: str) -> RateBucket:
    query = RateBucket.select().where(RateBucket.name == name)
    if backend(database) == "postgresql":
        query = query.for_update()
    bucket = query.get_or_none()
    if bucket is None:
        RateBucket.insert(name=name, tokens=0, updated=time.time()) \
            .on_conflict_ignore().execute()
        bucket = query.get()
    return bucket
