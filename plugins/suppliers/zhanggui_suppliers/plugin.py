"""Hook implementations of the suppliers plugin (thin: the rules live elsewhere)."""
from __future__ import annotations

from pathlib import Path

from zhanggui import TranslationDir, _l, hookimpl

title = _l("Suppliers & counters")
requires: tuple[str, ...] = ()


@hookimpl
def zhanggui_translation_dirs():
    return [TranslationDir(domain="zhanggui_suppliers",
                           path=Path(__file__).parent / "translations")]
