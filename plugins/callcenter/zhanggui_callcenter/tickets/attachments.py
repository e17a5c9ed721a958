"""Safe uploads for tickets: a size limit checked while reading (before the disk
fills), a list of allowed types, random stored names (the customer's file name is
only shown, never used as a path), served as a download with ``nosniff``."""
from __future__ import annotations

import secrets
from pathlib import Path
from typing import BinaryIO

from flask import current_app

from zhanggui import _, write_transaction

from .models import Ticket, TicketAttachment

MAX_BYTES = 10 * 1024 * 1024
ALLOWED = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png",
           ".gif": "image/gif", ".pdf": "application/pdf", ".txt": "text/plain",
           ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
           ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
           ".mp3": "audio/mpeg", ".wav": "audio/wav"}


class AttachmentError(ValueError):
    pass


def folder() -> Path:
    path = Path(current_app.extensions["zhanggui"].settings["INSTANCE_PATH"]) \
        / "callcenter-attachments"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _display_name(filename: str) -> str:
    name = Path(str(filename or "").replace("\\", "/")).name
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '\x00"<>')
    return name[-200:] or "file"


def attach(ticket: Ticket, filename: str, stream: BinaryIO,
           max_bytes: int = MAX_BYTES) -> TicketAttachment:
    """Store an upload for ``ticket``; raises :class:`AttachmentError` (translated)."""
    name = _display_name(filename)
    suffix = Path(name).suffix.lower()
    if suffix not in ALLOWED:
        raise AttachmentError(_("Files of this type cannot be attached. Allowed: %(types)s",
                                types=", ".join(sorted(ALLOWED))))
    stored = secrets.token_hex(16) + suffix
    target = folder() / stored
    size = 0
    try:
        with open(target, "xb") as out:
            while chunk := stream.read(64 * 1024):
                size += len(chunk)
                if size > max_bytes:
                    raise AttachmentError(_("The file is larger than %(mb)s MB.",
                                            mb=max_bytes // (1024 * 1024)))
                out.write(chunk)
        if size == 0:
            raise AttachmentError(_("The file is empty."))
        with write_transaction():
            return TicketAttachment.create(ticket=ticket.id, filename=name,
                                           stored_name=stored, content_type=ALLOWED[suffix],
                                           size=size)
    except BaseException:
        target.unlink(missing_ok=True)
        raise


def path_of(attachment: TicketAttachment) -> Path:
    return folder() / attachment.stored_name
