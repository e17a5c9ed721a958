"""Dedupe and merge: fold one member into another, find likely duplicates.

``models`` (the append-only merge record and the look-up aliases a merge leaves),
``command`` (:class:`MemberMerge` command: validate, fold, recompute), ``duplicates``
(likely-duplicate candidates), ``views`` (console), ``api`` (REST).
"""
