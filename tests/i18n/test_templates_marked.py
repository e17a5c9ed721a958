"""Text a reader sees in the core's templates is marked for translation."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

CORE_TEMPLATES = Path(__file__).resolve().parents[2] / "core" / "zhanggui" / "templates"
TEMPLATES = sorted(CORE_TEMPLATES.rglob("*.html"))
VISIBLE_ATTRS = re.compile(r'\b(?:title|placeholder|alt|aria-label)="([^"{]*)"')
WORD = re.compile(r"[A-Za-z]{2,}")


def _unmarked_text(source: str) -> list[str]:
    """English words left once Jinja's tags, HTML tags and scripts are taken out."""
    html = re.sub(r"(?s)\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", "\x00", source)
    html = re.sub(r"(?s)<script.*?</script>|<style.*?</style>", " ", html)
    found = [v for v in VISIBLE_ATTRS.findall(html) if WORD.search(v)]
    text = re.sub(r"(?s)<[^>]*>", "\n", html)
    found += [t.strip() for t in re.split(r"[\n\x00]", text) if WORD.search(t)]
    return sorted(found)


def test_templates_are_found():
    assert any(p.name == "baselayout.html" for p in TEMPLATES)


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(CORE_TEMPLATES)))
def test_no_unmarked_english_in_core_templates(path):
    assert _unmarked_text(path.read_text(encoding="utf-8")) == []


def test_the_check_finds_unmarked_text():
    source = '<h2>Dashboard</h2><a title="Close" {% if x %}class="y"{% endif %}>{{ _("OK") }}</a>'
    assert _unmarked_text(source) == ["Close", "Dashboard"]
