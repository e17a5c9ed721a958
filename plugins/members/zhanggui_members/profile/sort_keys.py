"""Sort keys of member names: pinyin for Simplified Chinese (and English) readers,
zhuyin (bopomofo) for Traditional Chinese readers.

Chinese names sorted by code point come out in no order a reader knows.  A member row
keeps two keys computed with ``pypinyin`` whenever the name is written
(``name_pinyin``: ``wang2 xiu4 ying1``; ``name_zhuyin``: ``ㄨㄤ2 ㄒㄧㄡ4 ㄧㄥ1``), so
the member list sorts in the database, indexed, by the key of the viewer's language.
Bopomofo letters are in dictionary order in Unicode, so the zhuyin key sorts as a
Taiwanese dictionary does; tones are digits after each syllable (1 to 5, 5 neutral)
so that 妈 comes before 马.  The first character is read as a surname, where several
common ones are pronounced differently from the everyday word (曾 zeng, 单 shan).
"""
from __future__ import annotations

from functools import lru_cache

from pypinyin import Style, lazy_pinyin

KEY_LENGTH = 255

# surnames read otherwise than the character's most common reading
_SURNAMES = {"曾": "zeng1", "单": "shan4", "單": "shan4", "仇": "qiu2", "解": "xie4",
             "区": "ou1", "區": "ou1", "朴": "piao2", "查": "zha1", "乐": "yue4",
             "樂": "yue4", "盖": "ge3", "蓋": "ge3", "缪": "miao4", "繆": "miao4",
             "覃": "qin2", "翟": "zhai2", "召": "shao4", "种": "chong2", "種": "chong2",
             "华": "hua4", "華": "hua4", "宁": "ning4", "寧": "ning4", "任": "ren2",
             "员": "yun4", "員": "yun4", "尉": "yu4", "秘": "bi4", "冼": "xian3"}
_SURNAME_ZHUYIN = {"zeng1": "ㄗㄥ1", "shan4": "ㄕㄢ4", "qiu2": "ㄑㄧㄡ2", "xie4": "ㄒㄧㄝ4",
                   "ou1": "ㄡ1", "piao2": "ㄆㄧㄠ2", "zha1": "ㄓㄚ1", "yue4": "ㄩㄝ4",
                   "ge3": "ㄍㄜ3", "miao4": "ㄇㄧㄠ4", "qin2": "ㄑㄧㄣ2", "zhai2": "ㄓㄞ2",
                   "shao4": "ㄕㄠ4", "chong2": "ㄔㄨㄥ2", "hua4": "ㄏㄨㄚ4", "ning4": "ㄋㄧㄥ4",
                   "ren2": "ㄖㄣ2", "yun4": "ㄩㄣ4", "yu4": "ㄩ4", "bi4": "ㄅㄧ4",
                   "xian3": "ㄒㄧㄢ3"}
_TONE_MARKS = {"ˊ": "2", "ˇ": "3", "ˋ": "4", "˙": "5"}


def _zhuyin(syllable: str) -> str:
    """``ㄨㄤˊ`` → ``ㄨㄤ2``; a syllable without a mark is in the first tone."""
    tone = "1"
    letters = []
    for ch in syllable:
        if ch in _TONE_MARKS:
            tone = _TONE_MARKS[ch]
        else:
            letters.append(ch)
    return "".join(letters) + tone


@lru_cache(maxsize=100_000)
def name_sort_keys(name: str | None) -> tuple[str | None, str | None]:
    """``(pinyin key, zhuyin key)`` of a name; ``(None, None)`` without a name.
    Text that is not Chinese (``Alice``) stays as written, lower-cased."""
    if not name or not name.strip():
        return None, None
    text = name.strip()
    surname = _SURNAMES.get(text[0])
    rest = text[1:] if surname else text
    pinyin = lazy_pinyin(rest, style=Style.TONE3, neutral_tone_with_five=True)
    bopomofo = lazy_pinyin(rest, style=Style.BOPOMOFO, neutral_tone_with_five=True)
    p_parts = [s.strip().lower() for s in pinyin]
    z_parts = [_zhuyin(s) if _is_han_reading(s) else s.strip().lower() for s in bopomofo]
    if surname:
        p_parts.insert(0, surname)
        z_parts.insert(0, _SURNAME_ZHUYIN[surname])
    return (" ".join(p for p in p_parts if p)[:KEY_LENGTH],
            " ".join(z for z in z_parts if z)[:KEY_LENGTH])


def _is_han_reading(part: str) -> bool:
    """Whether a ``lazy_pinyin`` part is a bopomofo reading (not text passed through)."""
    return bool(part) and all("\u3100" <= ch <= "\u312f" or ch in _TONE_MARKS for ch in part)


def sort_key_columns(name: str | None) -> dict[str, str | None]:
    """The two stored columns for ``name``."""
    pinyin, zhuyin = name_sort_keys(name)
    return {"name_pinyin": pinyin, "name_zhuyin": zhuyin}


def sort_key_for_locale(locale) -> str:
    """``name_zhuyin`` for Traditional Chinese readers, else ``name_pinyin``."""
    text = str(locale or "")
    return "name_zhuyin" if text in ("zh_TW", "zh_Hant", "zh_Hant_TW", "zh_HK") else \
        "name_pinyin"
