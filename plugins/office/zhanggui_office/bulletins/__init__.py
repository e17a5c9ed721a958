"""Bulletins and broadcasts: an audience by role and store, a notification to each
reader, and read receipts."""
