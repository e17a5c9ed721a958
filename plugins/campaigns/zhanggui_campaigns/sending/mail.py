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
import socket
import ssl
import base64
from email.header import Header
from email.utils import formataddr, formatdate, parseaddr
from typing import Callable
from urllib.parse import parse_qs, unquote, urlparse

LINK_RE = re.compile(r"https?://[^\s<>\"')]+")


def render_text(body: str, name: str) -> str:
    """``{name}`` becomes the member's name (or nothing); nothing else is evaluated."""
    return body.replace("{name}", name or "")


def compose(*, sender: str, to: str, subject: str, text: str, token: str, base_url: str,
            link_ids: dict[str, int], list_id: str) -> bytes:
    """The message: plain text and HTML, links through the click tracker, an open
    pixel, and one-click unsubscribe headers (RFC 8058).

    Written out directly (UTF-8, base64 bodies, RFC 2047 headers) rather than through
    ``email.message``, whose header machinery costs more than the whole SMTP exchange
    at campaign volumes."""
    unsubscribe = f"{base_url}/c/u/{token}"

    def tracked(url: str) -> str:
        link = link_ids.get(url)
        return f"{base_url}/c/l/{token}/{link}" if link else url

    plain = LINK_RE.sub(lambda m: tracked(m.group(0)), text) + f"\n\n--\n{unsubscribe}\n"
    body_html = LINK_RE.sub(
        lambda m: f'<a href="{html.escape(tracked(m.group(0)))}">{html.escape(m.group(0))}</a>',
        html.escape(text, quote=False)).replace("\n", "<br>\n")
    body_html = (f"<!DOCTYPE html><html><body>{body_html}"
                 f'<p style="font-size:small"><a href="{unsubscribe}">{unsubscribe}</a></p>'
                 f'<img src="{base_url}/c/o/{token}.gif" width="1" height="1" alt="">'
                 "</body></html>")
    boundary = f"=_zg_{token}"
    name, address = parseaddr(sender)
    headers = [
        f"From: {formataddr((name, address), charset='utf-8')}",
        f"To: {to}",
        f"Subject: {Header(subject, 'utf-8').encode()}",
        f"Date: {formatdate(localtime=False, usegmt=True)}",
        f"Message-ID: <{token}@zhanggui.campaigns>",
        f"List-Id: {list_id}",
        f"List-Unsubscribe: <{unsubscribe}>",
        "List-Unsubscribe-Post: List-Unsubscribe=One-Click",
        f"X-Zhanggui-Token: {token}",
        "MIME-Version: 1.0",
        f'Content-Type: multipart/alternative; boundary="{boundary}"',
    ]
    lines = headers + ["", f"--{boundary}"] + _part("text/plain", plain) + \
        [f"--{boundary}"] + _part("text/html", body_html) + [f"--{boundary}--", ""]
    return "\r\n".join(lines).encode("ascii")


def _part(content_type: str, body: str) -> list[str]:
    encoded = base64.encodebytes(body.encode("utf-8")).decode("ascii").rstrip("\n")
    return [f"Content-Type: {content_type}; charset=utf-8",
            "Content-Transfer-Encoding: base64", "", *encoded.split("\n")]


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
        # the end of DATA is written after the commit, in a packet of its own: without
        # this, Nagle's algorithm holds it back until the body's ACK arrives
        self.smtp.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
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
    return parseaddr(sender)[1] or sender
