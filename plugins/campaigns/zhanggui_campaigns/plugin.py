"""Hook implementations of the campaigns plugin (thin: the rules live elsewhere)."""
from __future__ import annotations

from pathlib import Path

from zhanggui import TranslationDir, _l, hookimpl

title = _l("Campaigns")
requires: tuple[str, ...] = ("members",)


@hookimpl
def zhanggui_translation_dirs():
    return [TranslationDir(domain="zhanggui_campaigns",
                           path=Path(__file__).parent / "translations")]
