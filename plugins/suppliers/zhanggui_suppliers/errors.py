"""The one error type of the plugin's commands: a message per field, shown on the
console form or answered 422 by the API."""
from __future__ import annotations


class SupplierError(Exception):
    def __init__(self, messages: dict[str, list[str]] | str):
        if isinstance(messages, str):
            messages = {"_schema": [messages]}
        self.messages = {k: [str(m) for m in v] for k, v in messages.items()}
        super().__init__("; ".join(m for v in self.messages.values() for m in v))


def check(errors: dict[str, list[str]]) -> None:
    if errors:
        raise SupplierError(errors)
