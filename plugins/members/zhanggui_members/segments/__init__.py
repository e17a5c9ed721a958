"""Member segmentation: RFM scores, CLV, value groups and lifecycle stages.

``models`` (scores and stage history), ``recompute`` (the set-based nightly
computation), ``queries`` (what the console and the PIPL paths read), ``views``
(console, dashboard charts, the 360° panel), ``cli`` (the command and the jobs).
"""
