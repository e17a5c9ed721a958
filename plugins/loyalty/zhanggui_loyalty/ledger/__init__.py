"""The append-only points ledger and everything that moves points.

``postings`` (the only code that writes entries, lots and balances), ``redemption``,
``expiry``, ``refunds`` (reversal on refund), ``adjustments`` (by hand, audited),
``queries`` (what the API, the POS and the 360° panel show), ``api`` (REST),
``cli`` (``zhanggui loyalty check``).
"""
