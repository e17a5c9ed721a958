"""The key of the phone-suffix hashes and the sources the index knows."""
from __future__ import annotations

import hashlib
import hmac

from flask import current_app


def suffix_key() -> bytes:
    """The HMAC key of phone suffixes in the index: derived from ``FIELD_KEY`` (or
    ``SECRET_KEY`` when unset), like the members plugin's look-up hashes, for a
    purpose of its own.  Changing the key needs a full reindex."""
    settings = current_app.extensions["zhanggui"].settings
    secret = settings.get("FIELD_KEY") or settings.get("SECRET_KEY")
    if not secret:
        raise RuntimeError("neither FIELD_KEY nor SECRET_KEY is configured")
    return hmac.new(secret.encode("utf-8"), b"zhanggui search.phone_suffix v1",
                    hashlib.sha256).digest()


def sources() -> dict:
    """Every enabled plugin's search sources, by name."""
    host = current_app.extensions["zhanggui"].plugins
    return {source.name: source for source in host.search_sources()}
