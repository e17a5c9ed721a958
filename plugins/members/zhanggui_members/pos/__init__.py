"""Sales from the tills: the POS contract, recording purchases and refunds.

``parsing`` (the POS request bodies checked field by field), ``purchases`` (recording
sales and refunds idempotently and announcing them), ``api`` (``/api/v1/pos/`` and the
member look-up the tills use).
"""
