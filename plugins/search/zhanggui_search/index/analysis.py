"""Chinese-aware text analysis, shared by every backend.

A document becomes a bag of *terms*, and a query a list of *groups* of alternative
terms (a document matches when it holds one term of every group).  Both go through
the same steps, so what a document was indexed under is exactly what a query asks:

* **script** – OpenCC converts Traditional characters to Simplified (``t2s``) before
  anything else, so 張偉 finds 张伟 and 张伟 finds 張偉;
* **words** – jieba in search mode (every dictionary word inside a longer one, so
  质量问题 is also 质量 and 问题); Latin words and digit runs are lower-cased as they are;
* **names** – each character, and the pinyin of the whole name (``zhangwei``), its
  syllables (``zhang``, ``wei``) and initials (``zw``), tone-less;
* **codes** – card numbers exactly, prefixed ``c:`` so they never meet body words;
* **phone suffixes** – the last four digits as a keyed HMAC (``p:<hex>``): the index
  never holds a phone number, and without the key nobody can test the 10,000
  suffixes against it.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import re
from functools import lru_cache

_WORD = re.compile(r"[0-9a-z]+|[\u3400-\u9fff\uf900-\ufaff]+", re.IGNORECASE)
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_STOP = frozenset("的 了 和 与 及 是 在 有 就 也 都 又 被 把 我 你 他 她 它".split())


@lru_cache(maxsize=1)
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


@lru_cache(maxsize=1)
def _t2s():
    from opencc import OpenCC

    return OpenCC("t2s")


@lru_cache(maxsize=65536)
def to_simplified(text: str) -> str:
    """``text`` with Traditional characters in their Simplified form."""
    if not text or not _CJK.search(text):
        return text
    return _t2s().convert(text)


def words(text: str) -> list[str]:
    """The searchable words of free text, in order (with repeats)."""
    out: list[str] = []
    for chunk in _WORD.findall(to_simplified(text or "").lower()):
        if _CJK.match(chunk):
            out.extend(w for w in _jieba().cut_for_search(chunk, HMM=False)
                       if w.strip() and w not in _STOP)
        else:
            out.append(chunk)
    return out


@lru_cache(maxsize=65536)
def name_terms(name: str) -> tuple[str, ...]:
    """A name's characters, words and pinyin (full, syllables, initials)."""
    from pypinyin import Style, lazy_pinyin

    simplified = to_simplified((name or "").strip()).lower()
    terms: list[str] = list(words(simplified))
    cjk = "".join(_CJK.findall(simplified))
    if cjk:
        terms.append(cjk)
        terms.extend(cjk)
        syllables = [s for s in lazy_pinyin(cjk, errors="ignore") if s.isascii()]
        if syllables:
            terms.append("".join(syllables))
            terms.extend(syllables)
            terms.append("".join(s[0] for s in syllables))
    return tuple(dict.fromkeys(t for t in terms if t))


def phone_suffix_term(suffix: str, key: bytes) -> str:
    """The index term of a phone's last four digits: an HMAC under the search key."""
    digits = re.sub(r"\D", "", suffix or "")[-4:]
    return "p:" + hmac.new(key, digits.encode("ascii"), hashlib.sha256).hexdigest()[:32]


def code_term(code: str) -> str:
    return "c:" + re.sub(r"[\s-]", "", code or "").lower()


def query_groups(text: str, key: bytes) -> list[tuple[str, ...]]:
    """The query as groups of alternative terms (AND of ORs).

    A run of four digits may be a phone suffix, a card or a word; a longer digit run a
    card or a word; a Chinese run is segmented like the documents were, and a run
    jieba keeps whole also asks for its characters' name terms.
    """
    groups: list[tuple[str, ...]] = []
    for raw in (text or "").split():
        for chunk in _WORD.findall(to_simplified(raw).lower()):
            if chunk.isdigit():
                alternatives = [chunk, code_term(chunk)]
                if len(chunk) == 4:
                    alternatives.append(phone_suffix_term(chunk, key))
                groups.append(tuple(alternatives))
            elif _CJK.match(chunk):
                parts = [w for w in _jieba().cut(chunk, HMM=False) if w not in _STOP]
                # each longest word must match; a document segmented it the same way
                groups.extend((w,) for w in parts if w.strip())
            else:
                groups.append((chunk, code_term(chunk)))
    return [g for g in dict.fromkeys(groups) if g]
