"""Background jobs on huey.

The queue is built per application from ``QUEUE_URL``: an SQLite file in the
instance folder by default, Redis for several hosts, or ``immediate://`` to run jobs
inline (tests, one-off scripts).  Plugins contribute :class:`zhanggui.Job` objects;
each becomes a huey task of the same name that runs inside an application context
with the database open.  Periodic jobs hold a huey lock, so two consumers never run
the same one at once.
"""
from __future__ import annotations

import functools
from typing import Any
from urllib.parse import urlparse

from flask import Flask, current_app
from huey import MemoryHuey, RedisHuey, SqliteHuey
from huey.exceptions import TaskLockedException


def build_huey(url: str, name: str = "zhanggui"):
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = url.split("sqlite://", 1)[1]
        path = path[1:] if path.startswith("/") and not path.startswith("//") else path
        return SqliteHuey(name=name, filename=path or ":memory:", utc=True)
    if parsed.scheme == "redis":
        return RedisHuey(name=name, url=url, utc=True)
    if parsed.scheme in {"memory", "immediate"}:
        return MemoryHuey(name=name, immediate=parsed.scheme == "immediate", utc=True)
    raise ValueError(f"unsupported queue URL {url}")


class JobQueue:
    """The application's huey instance and the tasks built from plugin jobs."""

    def __init__(self, app: Flask, url: str, jobs: list[Any]):
        self.huey = build_huey(url)
        self.tasks: dict[str, Any] = {}
        for job in jobs:
            self.tasks[job.name] = self._wrap(app, job)

    def _wrap(self, app: Flask, job):
        @functools.wraps(job.func)
        def run(*args, **kwargs):
            with app.app_context():
                db = app.extensions["zhanggui"].db
                opened = db.connect(reuse_if_open=True)
                try:
                    return job.func(*args, **kwargs)
                finally:
                    if opened and not db.is_closed():
                        db.close()

        if job.schedule is not None:
            lock_name = f"periodic:{job.name}"
            locked = self.huey.lock_task(lock_name)(run)

            @functools.wraps(run)
            def periodic():
                try:
                    return locked()
                except TaskLockedException:
                    return None  # another consumer is running it right now

            return self.huey.periodic_task(job.schedule, retries=job.retries,
                                           retry_delay=job.retry_delay, name=job.name)(periodic)
        return self.huey.task(retries=job.retries, retry_delay=job.retry_delay,
                              name=job.name)(run)

    def enqueue(self, name: str, *args, **kwargs):
        try:
            task = self.tasks[name]
        except KeyError:
            raise LookupError(f"no background job named {name!r}; known: "
                              f"{', '.join(sorted(self.tasks)) or 'none'}") from None
        return task(*args, **kwargs)


def enqueue(name: str, *args, **kwargs):
    """Queue the job ``name`` (from any plugin) with its arguments; return huey's result."""
    return current_app.extensions["zhanggui"].queue.enqueue(name, *args, **kwargs)
