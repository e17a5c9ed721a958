"""Earning points: the earning rules (``calculation``, pure) and awarding a purchase's
points in its own transaction (``earning``)."""
