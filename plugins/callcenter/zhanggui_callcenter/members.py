"""What the call center learns about members, asked through hooks only.

Plugins never import each other: the member directory answers
``zhanggui_find_member``; the member's facts (profile, tier, points, last purchases,
consent) come from every plugin answering ``zhanggui_member_summary``.
"""
from __future__ import annotations

from typing import Any

from zhanggui import plugins

from .phones import CallerNumber


def find_member_id(number: CallerNumber | None) -> Any:
    """The id of the member with this caller number, or ``None``.

    The member directory keys members by their mainland mobile number; other numbers
    are asked for as written in E.164 (a directory that keeps them may answer)."""
    if number is None:
        return None
    phone = number.national if number.region == "CN" else number.e164
    return plugins().call_first("zhanggui_find_member", phone=phone, card=None)


def member_summary(member_id: Any) -> dict[str, Any]:
    """Every plugin's facts about the member merged into one dict (keys are each
    plugin's sections: ``member``, ``purchases``, ``consent``, ``loyalty``...).
    A key answered twice keeps the first plugin's answer (plugin order)."""
    if member_id is None:
        return {}
    merged: dict[str, Any] = {}
    for answer in plugins().pm.hook.zhanggui_member_summary(member_id=member_id):
        for key, value in (answer or {}).items():
            merged.setdefault(key, value)
    return merged


def consents_to(summary: dict[str, Any], channel: str) -> bool | None:
    """The member's current answer for ``channel`` (``None``: never asked)."""
    return (summary.get("consent") or {}).get(channel)
