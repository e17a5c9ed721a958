"""Consent per channel: the texts members agree to, each grant and withdrawal, guardians.

``models`` (consent texts, records, current state, guardian consent), ``service``
(give, withdraw, history, merge fold, PIPL export and erasure), ``api`` (REST),
``views`` (console and the 360° panel), ``demo`` (the demo chain's consents).
"""
