"""Member tags: tag groups, manual and rule-based tags, and their assignments.

``models`` (the tables), ``rules`` (the declarative rule model: parse, validate,
compile to SQL), ``evaluate`` (set-based re-evaluation of rule tags), ``service``
(manual tagging, merge fold, PIPL export and erasure), ``views`` (console),
``demo`` (the demo chain's tags).
"""
