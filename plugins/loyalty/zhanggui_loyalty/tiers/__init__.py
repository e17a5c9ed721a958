"""Tiers (star levels): qualifying, upgrades, downgrades and their history (``service``)."""
