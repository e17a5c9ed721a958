"""The audience condition tree: checking it and turning it into one SQL query.

A definition is JSON::

    {"all": [ {"criterion": "members.store", "op": "in", "value": ["SH01", "SH02"]},
              {"any": [ {"criterion": "loyalty.tier", "op": "in", "value": ["gold"]},
                        {"criterion": "members.rfm", "op": ">=", "value": 12} ]},
              {"not": {"criterion": "members.tag", "op": "in", "value": ["7"]}} ]}

``all`` is AND, ``any`` OR, ``not`` NOT (within the universe of addressable members);
groups nest to any depth up to :data:`MAX_DEPTH`.  Leaves name a criterion some
plugin offers through ``zhanggui_audience_criteria``.  Every error names the place in
the tree (``all.1.any.0.value``) and says what is wrong, translated.
"""
from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Any

from zhanggui import _, plugins

MAX_DEPTH = 6
MAX_CONDITIONS = 50
MAX_CHOICES = 500


class AudienceError(ValueError):
    """``errors`` maps a place in the tree to its messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


def criteria_by_name() -> dict[str, Any]:
    return {c.name: c for c in plugins().audience_criteria()}


def parse(text_or_tree: Any) -> dict:
    """The tree from JSON text (or a tree), checked; raises :class:`AudienceError`."""
    tree = text_or_tree
    if isinstance(text_or_tree, (str, bytes)):
        try:
            tree = json.loads(text_or_tree)
        except ValueError:
            raise AudienceError({"definition": [_("The conditions are not valid JSON.")]})
    errors: dict[str, list[str]] = {}
    known = criteria_by_name()
    count = _check(tree, "definition", 0, known, errors)
    if count == 0 and not errors:
        errors["definition"] = [_("Add at least one condition.")]
    if count > MAX_CONDITIONS:
        errors.setdefault("definition", []).append(
            _("At most %(n)s conditions in one audience.", n=MAX_CONDITIONS))
    if errors:
        raise AudienceError(errors)
    return tree


def _check(node: Any, where: str, depth: int, known: dict, errors: dict) -> int:
    if depth > MAX_DEPTH:
        errors[where] = [_("Groups nest at most %(n)s deep.", n=MAX_DEPTH)]
        return 0
    if not isinstance(node, dict) or len(node) != 1 and "criterion" not in node:
        errors[where] = [_("Each item is a group (all, any, not) or a condition.")]
        return 0
    if "all" in node or "any" in node:
        key = "all" if "all" in node else "any"
        items = node[key]
        if not isinstance(items, list) or not items:
            errors[f"{where}.{key}"] = [_("A group needs at least one item.")]
            return 0
        return sum(_check(item, f"{where}.{key}.{i}", depth + 1, known, errors)
                   for i, item in enumerate(items))
    if "not" in node:
        return _check(node["not"], f"{where}.not", depth + 1, known, errors)
    return _check_leaf(node, where, known, errors)


def _check_leaf(node: dict, where: str, known: dict, errors: dict) -> int:
    name = node.get("criterion")
    criterion = known.get(name) if isinstance(name, str) else None
    if criterion is None:
        errors[f"{where}.criterion"] = [_("Unknown condition: choose one from the list.")]
        return 1
    op = node.get("op", criterion.operators[0])
    if op not in criterion.operators:
        errors[f"{where}.op"] = [_("Choose one of: %(ops)s.", ops=", ".join(criterion.operators))]
        return 1
    try:
        node["value"] = _value(criterion, op, node.get("value"))
        node["op"] = op
    except ValueError as exc:
        errors[f"{where}.value"] = [str(exc)]
    return 1


def _value(criterion, op: str, value: Any) -> Any:
    kind = criterion.kind
    if kind == "choice":
        if not isinstance(value, list) or not value or len(value) > MAX_CHOICES or \
                not all(isinstance(v, str) for v in value):
            raise ValueError(_("Choose at least one value."))
        allowed = {code for code, _label in criterion.choices()} if criterion.choices else None
        unknown = [v for v in value if allowed is not None and v not in allowed]
        if unknown:
            raise ValueError(_("Not a choice here: %(values)s.", values=", ".join(unknown[:5])))
        return value
    if kind == "number":
        if op == "between":
            if not isinstance(value, list) or len(value) != 2:
                raise ValueError(_("Enter a lowest and a highest value."))
            low, high = (_number(v) for v in value)
            if low > high:
                raise ValueError(_("The lowest value is above the highest."))
            return [str(low), str(high)]
        return str(_number(value))
    if kind == "days":
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 3650:
            raise ValueError(_("Enter a whole number of days from 1 to 3650."))
        return value
    if not isinstance(value, str) or not value.strip() or len(value) > 100 or "\x00" in value:
        raise ValueError(_("Enter a text of at most 100 characters."))
    return value.strip()


def _number(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(_("Enter a number."))
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(_("Enter a number.")) from None
    if not number.is_finite() or abs(number) > Decimal("1e12"):
        raise ValueError(_("Enter a number."))
    return number


def member_query(tree: dict):
    """One query of the ids of the audience's members (checked tree)."""
    universe = plugins().call_first("zhanggui_audience_universe")
    if universe is None:
        raise AudienceError({"definition": [_("No plugin offers members to market to.")]})
    known = criteria_by_name()
    id_column = universe.selected_columns[0]
    return universe.where(_condition(tree, id_column, known))


def _condition(node: dict, column, known):
    if "all" in node or "any" in node:
        parts = [_condition(item, column, known) for item in node.get("all") or node["any"]]
        combined = parts[0]
        for part in parts[1:]:
            combined = (combined & part) if "all" in node else (combined | part)
        return combined
    if "not" in node:
        return ~_condition(node["not"], column, known)
    criterion = known[node["criterion"]]
    value = node["value"]
    if criterion.kind == "number":
        value = [Decimal(v) for v in value] if isinstance(value, list) else Decimal(value)
    return column.in_(criterion.members(node["op"], value))


def count(tree: dict) -> int:
    return member_query(tree).count()
