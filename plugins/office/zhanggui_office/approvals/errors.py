"""The refusal every approval command raises, and the shape of a request kind."""
from __future__ import annotations

import re

KIND = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")


class ApprovalError(ValueError):
    """The action is refused; ``messages`` maps a field to its messages.  Nothing
    was changed."""

    def __init__(self, messages: dict[str, list[str]]):
        super().__init__("; ".join(" ".join(v) for v in messages.values()))
        self.messages = messages


def _fail(field: str, message: str):
    raise ApprovalError({field: [message]})
