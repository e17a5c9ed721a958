"""Shared look-ups for the localization tests: every catalog folder of the tree."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ("zh_CN", "zh_TW", "en")


def catalog_folders() -> list[Path]:
    """The core's ``locale/`` and every plugin's ``translations/`` under plugins/."""
    return [ROOT / "locale"] + sorted(ROOT.glob("plugins/*/zhanggui_*/translations"))


def domain_of(folder: Path) -> str:
    return "zhanggui" if folder.name == "locale" else folder.parent.name


def read_catalog(folder: Path, lang: str):
    from babel.messages.pofile import read_po

    path = folder / lang / "LC_MESSAGES" / f"{domain_of(folder)}.po"
    with path.open("rb") as fh:
        return read_po(fh, locale=lang)


def folder_id(folder: Path) -> str:
    return domain_of(folder)
