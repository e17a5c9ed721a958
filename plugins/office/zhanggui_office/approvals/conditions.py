"""Declarative conditions on a request's fields (no ``eval``).

A condition is a list of clauses separated by ``;`` or new lines; every clause must
hold.  A clause is ``<field> <operator> <value>``:

* ``field``: a key of the request's snapshot (``amount``, ``store``, ``region``...),
  letters, digits, ``_`` and ``.``;
* ``operator``: ``=``, ``!=``, ``<``, ``<=``, ``>``, ``>=`` (numbers compare as
  decimals), ``in`` / ``not in`` (a comma-separated list of values);
* ``value``: text without ``;``.

``amount >= 10000; store in SH001,SH002`` holds for a snapshot with an amount of at
least 10,000 at store SH001 or SH002.  A field the snapshot lacks makes its clause
false; the empty condition always holds.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from zhanggui import _

_CLAUSE = re.compile(r"^\s*([A-Za-z_][\w.]{0,59})\s*(not\s+in|in|!=|<=|>=|=|<|>)\s*(.*?)\s*$",
                     re.I)
NUMERIC = {"<", "<=", ">", ">="}
MAX_LENGTH = 2000


class ConditionError(ValueError):
    """The condition cannot be read; the message names the clause."""


@dataclass(frozen=True)
class Clause:
    field: str
    op: str
    value: Any            # Decimal for numeric operators, str, or tuple for in / not in

    def holds(self, data: dict) -> bool:
        if self.field not in data or data[self.field] is None:
            return False
        actual = data[self.field]
        if self.op in ("in", "not in"):
            inside = str(actual) in self.value
            return inside if self.op == "in" else not inside
        number = _number(actual)
        if self.op in NUMERIC:
            if number is None:
                return False
            return {"<": number < self.value, "<=": number <= self.value,
                    ">": number > self.value, ">=": number >= self.value}[self.op]
        expected = _number(self.value)
        same = (number == expected) if (number is not None and expected is not None) \
            else str(actual) == self.value
        return same if self.op == "=" else not same


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def parse(text: str | None) -> list[Clause]:
    """The clauses of ``text``; :class:`ConditionError` names the first bad one."""
    text = (text or "").strip()
    if len(text) > MAX_LENGTH or "\x00" in text:
        raise ConditionError(_("A condition may have at most %(n)s characters and no "
                               "control characters.", n=MAX_LENGTH))
    clauses = []
    for part in re.split(r"[;\n]", text):
        if not part.strip():
            continue
        match = _CLAUSE.match(part)
        if not match:
            raise ConditionError(_("Cannot read “%(clause)s”: write a field, an operator "
                                   "(=, !=, <, <=, >, >=, in, not in) and a value.",
                                   clause=part.strip()[:80]))
        field, op, value = match.group(1), " ".join(match.group(2).lower().split()), \
            match.group(3)
        if value == "":
            raise ConditionError(_("“%(clause)s” needs a value.", clause=part.strip()[:80]))
        if op in NUMERIC:
            number = _number(value)
            if number is None:
                raise ConditionError(_("“%(clause)s” compares with a number: give one.",
                                       clause=part.strip()[:80]))
            clauses.append(Clause(field, op, number))
        elif op in ("in", "not in"):
            clauses.append(Clause(field, op, tuple(v.strip() for v in value.split(",")
                                                   if v.strip())))
        else:
            clauses.append(Clause(field, op, value))
    return clauses


def holds(text: str | None, data: dict) -> bool:
    """Whether every clause of ``text`` holds for ``data``."""
    return all(clause.holds(data) for clause in parse(text))
