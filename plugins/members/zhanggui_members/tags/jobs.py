"""The daily re-evaluation of rule tags (a periodic ``zhanggui_jobs`` job, locked by
the core so two consumers never run it at once)."""
from __future__ import annotations

import logging

log = logging.getLogger("zhanggui.members.tags")


def evaluate_tags(tag_ids=None) -> dict:
    """Re-evaluate every active rule tag (or those of ``tag_ids``); returns counts."""
    from .evaluate import evaluate_rule_tags

    results = evaluate_rule_tags(tag_ids)
    for r in results:
        if r.error:
            log.warning("rule tag %s (%s) not evaluated: %s", r.tag_id, r.name, r.error)
    return {"tags": len(results), "added": sum(r.added for r in results),
            "removed": sum(r.removed for r in results),
            "failed": [r.tag_id for r in results if r.error]}
