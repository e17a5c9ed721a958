"""The loyalty plugin's periodic jobs; each is safe to run twice (see the modules)."""
from __future__ import annotations

from .ledger.expiry import expire_due, notify_expiring as _notify, unlock_due
from .ledger.postings import program_settings
from .tiers.service import review_tiers as _review


def expire_points() -> int:
    """Expire every lot past its expiry time."""
    return expire_due()


def unlock_pending() -> int:
    """Release pending points whose return window has closed."""
    return unlock_due()


def notify_expiring() -> int:
    """Tell members (``zhanggui_points_expiring``) about points expiring soon."""
    return _notify()


def review_tiers() -> int:
    """Apply the tiers' downgrade policies."""
    return _review(timezone=program_settings().timezone)


def refresh_points_chart() -> int:
    """Recompute the dashboard's points of the current and the previous month."""
    from .console.dashboard import refresh_months

    return refresh_months(2)


def refresh_points_chart_year() -> int:
    """Recompute the dashboard's points of all twelve months (nightly)."""
    from .console.dashboard import MONTHS, refresh_months

    return refresh_months(MONTHS)
