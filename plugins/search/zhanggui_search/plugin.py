"""Hook implementations of the search plugin (thin: the rules live elsewhere)."""
from __future__ import annotations

from pathlib import Path

from zhanggui import TranslationDir, _l, hookimpl

title = _l("Search")
requires: tuple[str, ...] = ()


@hookimpl
def zhanggui_translation_dirs():
    return [TranslationDir(domain="zhanggui_search",
                           path=Path(__file__).parent / "translations")]
