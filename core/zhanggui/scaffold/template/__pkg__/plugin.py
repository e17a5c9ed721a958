"""Hook implementations of the $name plugin (keep this module thin)."""
from __future__ import annotations

from pathlib import Path

from zhanggui import TranslationDir, _l, hookimpl

from .migrations import MIGRATIONS
from .models import $Model

title = _l("$title")
requires: tuple[str, ...] = ()


@hookimpl
def zhanggui_models():
    return [$Model]


@hookimpl
def zhanggui_migrations():
    return MIGRATIONS


@hookimpl
def zhanggui_translation_dirs():
    return [TranslationDir(domain="$pkg", path=Path(__file__).parent / "translations")]
