"""``zhanggui demo-data``: a deterministic demo chain built by every plugin."""
from __future__ import annotations

import datetime as dt
import random
import sys
import time
from dataclasses import dataclass, field
from typing import TextIO


class Progress:
    """Rows done, rate and time left, on one refreshed terminal line."""

    def __init__(self, label: str, total: int, stream: TextIO | None = None,
                 every: float = 0.5):
        self.label, self.total, self.done = label, max(total, 0), 0
        self.stream = stream or sys.stderr
        self.started = self._last = time.monotonic()
        self.every = every

    def advance(self, n: int = 1) -> None:
        self.done += n
        now = time.monotonic()
        if now - self._last >= self.every or self.done >= self.total:
            self._last = now
            self._draw(now)

    def _draw(self, now: float) -> None:
        elapsed = max(now - self.started, 1e-9)
        rate = self.done / elapsed
        left = (self.total - self.done) / rate if rate > 0 else 0
        pct = 100.0 * self.done / self.total if self.total else 100.0
        end = "\n" if self.done >= self.total else ""
        tty = getattr(self.stream, "isatty", lambda: False)()
        prefix = "\r" if tty else ""
        if not tty and end == "" and pct < 100:
            end = "\n"
        from .i18n import _

        self.stream.write(f"{prefix}{self.label}: {self.done:,}/{self.total:,} ({pct:5.1f}%) "
                          + _("%(rate)s/s, %(left)s s left", rate=f"{rate:,.0f}",
                              left=f"{left:,.0f}") + end)
        self.stream.flush()

    def close(self) -> None:
        """Finish the line (once: a bar that reached its total has drawn it already)."""
        if self.done < self.total:
            self.done = self.total
            self._draw(time.monotonic())


@dataclass
class DemoContext:
    """What ``zhanggui_demo_data`` implementations receive."""

    seed: int
    members: int
    purchases: int | None = None
    rng: random.Random = field(init=False)
    quiet: bool = False
    #: the last day of the demo's history (``None``: yesterday), so a seed gives the
    #: same data on any day
    as_of: dt.date | None = None
    created: dict[str, int] = field(default_factory=dict)

    def __post_init__(self):
        self.rng = random.Random(self.seed)

    def progress(self, label: str, total: int) -> Progress:
        import io

        return Progress(label, total, stream=io.StringIO() if self.quiet else None)

    def count(self, what: str, n: int) -> None:
        """Record that ``n`` rows of ``what`` were created (shown in the summary)."""
        self.created[what] = self.created.get(what, 0) + n
