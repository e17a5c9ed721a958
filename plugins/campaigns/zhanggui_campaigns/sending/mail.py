"""E-mail: composing a campaign message for one recipient, and an SMTP transport
that records a message as sent *before* it completes the SMTP transaction.

Why that order: a message is delivered only when the server receives the final
``.`` of DATA.  The worker writes the body, commits ``sent`` for the recipient, then
writes the ``.``.  A worker killed before the commit leaves the server without the
``.``, so it discards the message and the recipient is sent again later; killed after
the commit, the message is on record and never sent again.  The one window left is
the write of those three bytes after the commit: a worker killed exactly there loses
that single message (it is never sent twice).  README, "Campaigns: sending", says so.
"""
from __future__ import annotations

import html
import re
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from typing import Callable
from urllib.parse import parse_qs, unquote, urlparse

LINK_RE = re.compile(r"https?://[^\s<>\"')]+")


def render_text(body: str, name: str) -> str:
    """``{name}`` becomes the member's name (or nothing); nothing else is evaluated."""
    return body.replace("{name}", name or "")


def compose(*, sender: str, to: str, subject: str, text: str, token: str, base_url: str,
            link_ids: dict[str, int], list_id: str) -> bytes:
    """The message: plain text and HTML, links through the click tracker, an open
    pixel, and one-click unsubscribe headers (RFC 8058)."""
    unsubscribe = f"{base_url}/c/u/{token}"

    def tracked(url: str) -> str:
        link = link_ids.get(url)
        return f"{base_url}/c/l/{token}/{link}" if link else url

    plain = LINK_RE.sub(lambda m: tracked(m.group(0)), text)
    plain += f"\n\n--\n{unsubscribe}\n"
    body_html = LINK_RE.sub(
        lambda m: f'<a href="{html.escape(tracked(m.group(0)))}">{html.escape(m.group(0))}</a>',
        html.escape(text, quote=False)).replace("\n", "<br>\n")
    body_html = (f"<!DOCTYPE html><html><body>{body_html}"
                 f'<p style="font-size:small"><a href="{unsubscribe}">{unsubscribe}</a></p>'
                 f'<img src="{base_url}/c/o/{token}.gif" width="1" height="1" alt="">'
                 "</body></html>")
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(idstring=token, domain="zhanggui.campaigns")
    message["List-Id"] = list_id
    message["List-Unsubscribe"] = f"<{unsubscribe}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["X-Zhanggui-Token"] = token
    message.set_content(plain)
    message.add_alternative(body_html, subtype="html")
    return message.as_bytes()


class SmtpRefused(Exception):
    """The server refused the sender or recipient (``code`` 5xx: hard, 4xx: soft)."""

    def __init__(self, code: int, text: str):
        super().__init__(f"{code} {text}")
        self.code = code


class SmtpTransport:
    """One SMTP connection from ``MARKETING_SMTP_URL``:
    ``smtp://[user:password@]host[:port][?starttls=1]`` or ``smtps://…``."""

    def __init__(self, url: str, timeout: float = 30):
        parts = urlparse(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError(f"MARKETING_SMTP_URL must be smtp:// or smtps://, not {url!r}")
        self.parts, self.timeout = parts, timeout
        self.starttls = parse_qs(parts.query).get("starttls", ["0"])[0] in ("1", "true")
        self.smtp: smtplib.SMTP | None = None

    def open(self) -> None:
        p = self.parts
        if p.scheme == "smtps":
            self.smtp = smtplib.SMTP_SSL(p.hostname, p.port or 465, timeout=self.timeout,
                                         context=ssl.create_default_context())
        else:
            self.smtp = smtplib.SMTP(p.hostname, p.port or 25, timeout=self.timeout)
        self.smtp.ehlo()
        if self.starttls:
            self.smtp.starttls(context=ssl.create_default_context())
            self.smtp.ehlo()
        if p.username:
            self.smtp.login(unquote(p.username), unquote(p.password or ""))

    def abort(self) -> None:
        """Drop the connection without a word: a transaction cut off mid-DATA is
        discarded by the server (QUIT there would read as message text)."""
        if self.smtp is not None:
            self.smtp.close()
            self.smtp = None

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except smtplib.SMTPException:
                pass
            except OSError:
                pass
            self.smtp = None

    def send(self, sender: str, to: str, data: bytes, record_sent: Callable[[], None]) -> None:
        """Send one message; ``record_sent()`` commits it as sent just before the end
        of DATA (see the module docstring).  Raises :class:`SmtpRefused` when the
        server refuses it before that point (nothing recorded)."""
        if self.smtp is None:
            self.open()
        smtp = self.smtp
        code, text = smtp.mail(_addr(sender))
        if code != 250:
            smtp.rset()
            raise SmtpRefused(code, text.decode("utf-8", "replace"))
        code, text = smtp.rcpt(to)
        if code not in (250, 251):
            smtp.rset()
            raise SmtpRefused(code, text.decode("utf-8", "replace"))
        smtp.putcmd("data")
        code, text = smtp.getreply()
        if code != 354:
            smtp.rset()
            raise SmtpRefused(code, text.decode("utf-8", "replace"))
        payload = re.sub(rb"(?m)^\.", b"..", re.sub(rb"\r\n|\n|\r(?!\n)", b"\r\n", data))
        if not payload.endswith(b"\r\n"):
            payload += b"\r\n"
        smtp.send(payload)
        record_sent()
        smtp.send(b".\r\n")
        code, text = smtp.getreply()
        if code != 250:
            raise SmtpRefused(code, text.decode("utf-8", "replace"))


def _addr(sender: str) -> str:
    from email.utils import parseaddr

    return parseaddr(sender)[1] or sender


def sender_header(name: str, address: str) -> str:
    return formataddr((name, address))
