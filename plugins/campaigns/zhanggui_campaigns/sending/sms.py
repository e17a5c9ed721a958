"""SMS gateways.  Another plugin may answer ``zhanggui_sms_gateway`` with a carrier of
its own; this plugin answers last with the gateway ``MARKETING_SMS_GATEWAY`` names:

* ``file:///folder``: each SMS becomes one JSON line in ``folder/sms-YYYYMMDD.jsonl``
  (the demo, and chains that hand files to a carrier);
* ``http(s)://…``: a JSON ``POST {"to", "text", "reference"}``; any 2xx answer is
  success and its ``{"id": …}`` (if any) the gateway's message id.

``reference`` is the recipient's token: a gateway that deduplicates by client
reference (most do) makes a resend after a worker crash harmless.
"""
from __future__ import annotations

import json
import os
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse


class GatewayError(Exception):
    """The gateway refused or could not be reached."""


class FileGateway:
    def __init__(self, folder: str):
        self.folder = Path(folder)

    def send(self, to: str, text: str, reference: str) -> str:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / time.strftime("sms-%Y%m%d.jsonl")
        line = json.dumps({"to": to, "text": text, "reference": reference},
                          ensure_ascii=False) + "\n"
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(line)
            fh.flush()
            os.fsync(fh.fileno())
        return reference


class HttpGateway:
    def __init__(self, url: str, timeout: float = 10):
        self.url, self.timeout = url, timeout

    def send(self, to: str, text: str, reference: str) -> str:
        body = json.dumps({"to": to, "text": text, "reference": reference}).encode()
        request = urllib.request.Request(self.url, data=body, method="POST",
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                answer = response.read()
        except OSError as exc:
            raise GatewayError(str(exc)) from exc
        try:
            return str(json.loads(answer or b"{}").get("id") or reference)
        except (ValueError, AttributeError):
            return reference


def gateway_from_url(url: str | None):
    if not url:
        return None
    parts = urlparse(url)
    if parts.scheme == "file":
        return FileGateway(parts.path)
    if parts.scheme in ("http", "https"):
        return HttpGateway(url)
    raise ValueError(f"MARKETING_SMS_GATEWAY must be file:// or http(s)://, not {url!r}")
