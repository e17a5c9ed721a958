"""Zhanggui Loyalty plugin: Tiers, points rules, the points ledger, redemption and expiry."""
