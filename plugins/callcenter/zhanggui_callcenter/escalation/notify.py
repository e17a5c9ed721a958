"""How the call center tells people things: one small function to switch later.

Today: a row in the call-center inbox (:class:`Notice`, shown on the agent's console)
and, when an e-mail address is known and ``MAIL_SERVER`` is configured, an e-mail
over SMTP (``MAIL_SERVER``, ``MAIL_PORT``, ``MAIL_DEFAULT_SENDER``,
``MAIL_USERNAME``/``MAIL_PASSWORD``, ``MAIL_USE_TLS`` in the configuration).  The
notice is written inside the caller's transaction; the e-mail goes after commit,
claimed row by row (``emailed`` false → true) so two workers never send it twice.
"""
from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from typing import Any

from flask import current_app

from zhanggui import write_transaction

from .models import Notice

log = logging.getLogger("zhanggui.callcenter.notify")


def notify(*, user_id: int | None, email: str | None, subject: str, body: str,
           ticket: Any = None) -> Notice:
    """Leave a notice for a console user and/or an e-mail address."""
    return Notice.create(user_id=user_id, email=email or None, subject=subject[:200],
                         body=body, ticket=ticket)


def deliver_pending(limit: int = 200) -> int:
    """Send the e-mails of notices not yet e-mailed; returns how many were sent."""
    config = current_app.config
    server = config.get("MAIL_SERVER")
    if not server:
        return 0
    sent = 0
    # read the rows first: a read cursor left open would block the writes below (SQLite)
    for notice in list(Notice.select().where(~Notice.emailed & Notice.email.is_null(False))
                       .order_by(Notice.id).limit(limit)):
        with write_transaction():
            claimed = (Notice.update(emailed=True)
                       .where((Notice.id == notice.id) & ~Notice.emailed).execute())
        if not claimed:
            continue
        message = EmailMessage()
        message["Subject"] = notice.subject
        message["From"] = config.get("MAIL_DEFAULT_SENDER") or "zhanggui@localhost"
        message["To"] = notice.email
        message.set_content(notice.body)
        try:
            with smtplib.SMTP(server, int(config.get("MAIL_PORT") or 25), timeout=10) as smtp:
                if config.get("MAIL_USE_TLS"):
                    smtp.starttls()
                if config.get("MAIL_USERNAME"):
                    smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
                smtp.send_message(message)
            sent += 1
        except (OSError, smtplib.SMTPException):
            log.exception("e-mail of notice %s failed; it will be tried again", notice.id)
            with write_transaction():
                Notice.update(emailed=False).where(Notice.id == notice.id).execute()
    return sent
