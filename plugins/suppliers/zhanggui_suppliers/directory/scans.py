"""Licence scans stored safely: size limit before anything is written, a random stored
name (the user's file name is never a path), only PDF, JPEG and PNG by their first
bytes, kept under ``<instance>/supplier-scans``."""
from __future__ import annotations

import secrets
from pathlib import Path

from flask import current_app

from zhanggui import _

MAX_BYTES = 5 * 1024 * 1024
SIGNATURES = {b"%PDF-": ".pdf", b"\xff\xd8\xff": ".jpg", b"\x89PNG\r\n\x1a\n": ".png"}


class ScanError(ValueError):
    pass


def scan_folder() -> Path:
    folder = Path(current_app.instance_path) / "supplier-scans"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def save_scan(upload) -> str:
    if upload is None or not upload.filename:
        raise ScanError(_("Choose a file to upload."))
    data = upload.stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ScanError(_("The scan is larger than 5 MB."))
    suffix = next((ext for magic, ext in SIGNATURES.items() if data.startswith(magic)), None)
    if suffix is None:
        raise ScanError(_("Only PDF, JPEG and PNG scans are accepted."))
    name = secrets.token_hex(16) + suffix
    (scan_folder() / name).write_bytes(data)
    return name
