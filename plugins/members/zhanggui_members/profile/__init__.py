"""The member profile: stores, members, their channel identities, phones and purchases.

``models`` (the tables: stores, members, identities, purchases, refunds), ``services``
(register, find, summarise, PIPL export and erasure of a member), ``crypto`` (the
phone cipher and keyed hash), ``phones`` (normalising and masking mobile numbers),
``views`` (the member directory, purchases and stores in the console).
"""
