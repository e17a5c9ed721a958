"""Does a ticket's text read negative?  SnowNLP's sentiment model (it ships its
trained data inside the package, nothing is downloaded) scores Chinese text from 0
(negative) to 1 (positive).  Its model was trained on shopping reviews, so plain
questions already score low (about 0.06-0.2); only clearly angry text falls below
:data:`NEGATIVE_BELOW`.  Text without Chinese characters is not judged."""
from __future__ import annotations

import re

NEGATIVE_BELOW = 0.03
_CJK = re.compile(r"[\u4e00-\u9fff]")


def sentiment(text: str) -> float | None:
    """0..1 (negative..positive), or ``None`` when the text has no Chinese."""
    if not text or not _CJK.search(text):
        return None
    from snownlp import SnowNLP

    return float(SnowNLP(text[:2000]).sentiments)


def reads_negative(score: float | None) -> bool:
    return score is not None and score < NEGATIVE_BELOW
