"""Receipt uploads, kept safe: at most :data:`MAX_BYTES`, only PDF, PNG and JPEG
(checked by their first bytes, not by the name), stored under a random name in
``<instance>/office-receipts/`` (the name the user gave is kept only as a label,
never as a path), and served back as an attachment with ``nosniff``."""
from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

from flask import current_app

from zhanggui import _, write_transaction

from .models import Receipt
from .service import ExpenseError

MAX_BYTES = 5 * 1024 * 1024
KINDS = {b"%PDF-": ("pdf", "application/pdf"), b"\x89PNG\r\n\x1a\n": ("png", "image/png"),
         b"\xff\xd8\xff": ("jpg", "image/jpeg")}


def folder() -> Path:
    path = Path(current_app.instance_path) / "office-receipts"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _label(name: str | None) -> str:
    name = os.path.basename((name or "").replace("\\", "/"))
    name = re.sub(r"[\x00-\x1f\x7f\"<>]", "", name).strip(". ")
    return name[:200] or "receipt"


def store_receipt(claim, user_id: int, filename: str | None, stream) -> Receipt:
    """Read at most ``MAX_BYTES`` + 1 bytes of ``stream``; refuse anything too big or
    not a PDF/PNG/JPEG; write it under a random name."""
    data = stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ExpenseError({"receipt": [_("A receipt may have at most 5 MB.")]})
    kind = next((v for magic, v in KINDS.items() if data.startswith(magic)), None)
    if kind is None:
        raise ExpenseError({"receipt": [_("Upload a PDF, PNG or JPEG file.")]})
    stored = f"{uuid.uuid4().hex}.{kind[0]}"
    path = folder() / stored
    with open(path, "xb") as fh:
        fh.write(data)
    try:
        with write_transaction():
            return Receipt.create(claim=claim, stored_name=stored, original_name=_label(filename),
                                  content_type=kind[1], size=len(data), uploaded_by_id=user_id)
    except Exception:
        path.unlink(missing_ok=True)
        raise


def receipt_path(receipt: Receipt) -> Path:
    # the stored name is ours (hex + extension); resolve and check all the same
    path = (folder() / receipt.stored_name).resolve()
    if path.parent != folder().resolve():
        raise FileNotFoundError(receipt.stored_name)
    return path
