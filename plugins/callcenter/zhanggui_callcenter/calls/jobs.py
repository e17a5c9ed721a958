"""Background work of the call log."""
from __future__ import annotations

from .service import relink_unknown_callers


def relink_callers() -> int:
    """Every ten minutes: link earlier calls of numbers whose member joined since."""
    return relink_unknown_callers()
