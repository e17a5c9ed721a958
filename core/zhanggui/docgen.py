"""Parts of ``docs/hooks.md`` written from the code: the values events carry.

``python -m zhanggui.docgen`` rewrites the block between the markers
``<!-- generated: event values -->`` and ``<!-- end of generated -->``;
``tests/test_docs.py`` fails while the file differs from what this writes.
"""
from __future__ import annotations

import dataclasses
import inspect
import re
import sys
from pathlib import Path

from . import registry

EVENT_VALUES = ("PurchaseEvent", "PurchaseLineEvent", "PaymentEvent", "RefundEvent", "PointsBonus")
START, END = "<!-- generated: event values -->", "<!-- end of generated -->"
FIELD_RE = re.compile(r"^\s+(\w+): ([^#=]+?)\s*(?:= [^#]+?)?\s*(?:#\s*(.*))?$")


def _fields(cls) -> list[tuple[str, str, str]]:
    comments = {}
    for line in inspect.getsource(cls).splitlines():
        match = FIELD_RE.match(line)
        if match:
            comments[match.group(1)] = (match.group(2).strip(), (match.group(3) or "").strip())
    return [(f.name, *comments.get(f.name, (str(f.type), ""))) for f in dataclasses.fields(cls)]


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def event_values() -> str:
    out = [START, ""]
    for name in EVENT_VALUES:
        cls = getattr(registry, name)
        doc = " ".join((inspect.getdoc(cls) or "").split())
        doc = re.sub(r":class:`zhanggui\.(\w+)`|:class:`(\w+)`", lambda m: f"`{m.group(1) or m.group(2)}`", doc)
        out += [f"### `zhanggui.{name}`", "", doc, "", "| field | type | meaning |",
                "|---|---|---|"]
        out += [f"| `{f}` | `{_cell(t)}` | {text} |" for f, t, text in _fields(cls)]
        out.append("")
    out.append(END)
    return "\n".join(out)


def rewrite(text: str) -> str:
    start, end = text.index(START), text.index(END) + len(END)
    return text[:start] + event_values() + text[end:]


if __name__ == "__main__":  # pragma: no cover
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/hooks.md")
    path.write_text(rewrite(path.read_text("utf-8")), "utf-8")
