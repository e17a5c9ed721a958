"""The rule model of rule-based tags: declarative JSON, checked, compiled to SQL.

A rule is plain data, never code (no ``eval``): a condition, or ``{"all": [...]}`` /
``{"any": [...]}`` of rules (AND / OR, nested up to :data:`MAX_DEPTH`).  A condition
names a ``field``, an ``op`` and a ``value``; purchase fields also take a window::

    {"all": [
        {"field": "purchase_count", "op": ">=", "value": 3, "days": 30, "category": "咖啡"},
        {"any": [{"field": "gender", "op": "=", "value": "female"},
                 {"field": "home_store", "op": "in", "value": ["SH01", "SH02"]}]}
    ]}

Fields (:data:`FIELDS`):

``purchase_count``
    purchases in the last ``days`` days (not fully refunded), optionally only those
    with a line of ``category`` and/or made in ``store``; ``value`` a whole number.
``spent``
    money spent in the last ``days`` days, net of refunds: purchase totals less
    refunded amounts, or with ``category`` the lines of that category less what was
    refunded on those lines; ``value`` a decimal string.  Amounts of different
    currencies are added as they are (a chain runs one currency per rule in practice).
``birthday_month``
    1-12, a list of months with ``in``, or ``"current"`` (the month of the day the
    rule is evaluated, in ``ZHANGGUI_TIMEZONE``).
``gender``, ``join_channel``, ``lifecycle_stage``
    one of the member's choices (``=``, ``!=``, ``in``).
``home_store``
    store codes (``=``, ``!=``, ``in``); unknown codes are refused.

:func:`parse_rule` checks a rule and raises :class:`RuleError` naming every bad part
(``all.1.op: ...``); :func:`member_condition` compiles a checked rule into one
peewee expression over :class:`~zhanggui_members.profile.models.Member`, evaluated by the
database in one statement for all members (sub-selects grouped by member, no loop).
"""
from __future__ import annotations

import datetime as dt
import decimal
import json
from dataclasses import dataclass
from typing import Any

import peewee
from peewee import fn

from zhanggui import _l, database
from zhanggui.db import backend

from ..profile.models import (GENDERS, JOIN_CHANNELS, LIFECYCLE_STAGES, Member, Purchase,
                              PurchaseLine, RefundLine, Store)

MAX_DEPTH = 4
MAX_CONDITIONS = 30
MAX_DAYS = 3650
NUMERIC_OPS = (">=", ">", "<=", "<", "=", "!=")
CHOICE_OPS = ("=", "!=", "in")
FIELDS = {
    "purchase_count": {"label": _l("Number of purchases"), "ops": NUMERIC_OPS,
                       "window": True},
    "spent": {"label": _l("Amount spent"), "ops": NUMERIC_OPS, "window": True},
    "birthday_month": {"label": _l("Birthday month"), "ops": ("=", "in")},
    "gender": {"label": _l("Gender"), "ops": CHOICE_OPS, "choices": GENDERS},
    "join_channel": {"label": _l("Join channel"), "ops": CHOICE_OPS,
                     "choices": JOIN_CHANNELS},
    "lifecycle_stage": {"label": _l("Lifecycle stage"), "ops": CHOICE_OPS,
                        "choices": LIFECYCLE_STAGES},
    "home_store": {"label": _l("Home store"), "ops": CHOICE_OPS},
}
_CONDITION_KEYS = {"field", "op", "value", "days", "category", "store"}


class RuleError(ValueError):
    """The rule is not valid; ``messages`` maps a path (``all.1.op``) to messages."""

    def __init__(self, messages: dict[str, list[str]]):
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in messages.items()))
        self.messages = messages


@dataclass(frozen=True)
class Condition:
    field: str
    op: str
    value: Any
    days: int | None = None
    category: str | None = None
    store: str | None = None


@dataclass(frozen=True)
class Group:
    combine: str  # "all" (AND) or "any" (OR)
    parts: tuple


class _Checker:
    def __init__(self):
        self.messages: dict[str, list[str]] = {}
        self.conditions = 0
        self.store_codes: set[str] = set()

    def error(self, path: str, message) -> None:
        self.messages.setdefault(path or "rule", []).append(str(message))

    def node(self, data: Any, path: str, depth: int):
        if not isinstance(data, dict):
            self.error(path, _l("Expected an object: a condition, or \"all\"/\"any\" "
                                "with a list of conditions."))
            return None
        groups = [k for k in ("all", "any") if k in data]
        if groups:
            if len(data) != 1:
                self.error(path, _l("A group has exactly one key, \"all\" or \"any\"."))
                return None
            key = groups[0]
            items = data[key]
            if depth >= MAX_DEPTH:
                self.error(path, _l("Groups are nested too deeply (at most %(n)s levels).",
                                    n=MAX_DEPTH))
                return None
            if not isinstance(items, list) or not items:
                self.error(_join(path, key), _l("Expected a non-empty list of conditions."))
                return None
            parts = [self.node(item, _join(path, key, i), depth + 1)
                     for i, item in enumerate(items)]
            return Group(key, tuple(parts))
        return self.condition(data, path)

    def condition(self, data: dict, path: str):
        self.conditions += 1
        unknown = sorted(set(data) - _CONDITION_KEYS)
        if unknown:
            self.error(path, _l("Unknown key(s): %(keys)s.", keys=", ".join(unknown)))
        name = data.get("field")
        spec = FIELDS.get(name) if isinstance(name, str) else None
        if spec is None:
            self.error(_join(path, "field"), _l("Unknown field “%(field)s”; use one of "
                                                "%(fields)s.", field=str(name),
                                                fields=", ".join(FIELDS)))
            return None
        op = data.get("op")
        if op not in spec["ops"]:
            self.error(_join(path, "op"), _l("Unknown operator “%(op)s” for %(field)s; use "
                                             "one of %(ops)s.", op=str(op), field=name,
                                             ops=" ".join(spec["ops"])))
            return None
        days = category = store = None
        if spec.get("window"):
            days = data.get("days")
            if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_DAYS:
                self.error(_join(path, "days"), _l("Give the window in days, a whole "
                                                   "number from 1 to %(max)s.", max=MAX_DAYS))
            category = data.get("category")
            if category is not None and (not isinstance(category, str) or not category.strip()):
                self.error(_join(path, "category"), _l("A category is a non-empty text."))
            store = data.get("store")
            if store is not None:
                if not isinstance(store, str):
                    self.error(_join(path, "store"), _l("A store is given by its code."))
                else:
                    self.store_codes.add(store)
        else:
            for key in ("days", "category", "store"):
                if key in data:
                    self.error(_join(path, key), _l("Only purchase fields take %(key)s.",
                                                    key=key))
        value = self._value(name, spec, op, data.get("value"), _join(path, "value"))
        return Condition(name, op, value, days, category.strip() if category else None,
                         store)

    def _value(self, name, spec, op, value, path):
        if name == "purchase_count":
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                self.error(path, _l("Give a whole number of purchases, 0 or more."))
            return value
        if name == "spent":
            try:
                amount = decimal.Decimal(str(value)) if not isinstance(value, (float, bool)) \
                    else None
            except decimal.InvalidOperation:
                amount = None
            if amount is None or not amount.is_finite() or amount < 0 \
                    or amount != amount.quantize(decimal.Decimal("0.01")):
                self.error(path, _l("Give an amount as a decimal string, e.g. \"5000.00\"."))
                return None
            return amount
        values = value if op == "in" else [value]
        if op == "in" and (not isinstance(value, list) or not value):
            self.error(path, _l("\"in\" takes a non-empty list."))
            return None
        if name == "birthday_month":
            if op == "=" and value == "current":
                return "current"
            if not all(isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 12
                       for v in values):
                self.error(path, _l("Give a month from 1 to 12, or \"current\"."))
            return tuple(values)
        if name == "home_store":
            if not all(isinstance(v, str) and v for v in values):
                self.error(path, _l("Give store codes."))
                return None
            self.store_codes.update(values)
            return tuple(values)
        allowed = [c for c, _label in spec["choices"]]
        if not all(v in allowed for v in values):
            self.error(path, _l("Use one of %(values)s.", values=", ".join(allowed)))
        return tuple(values)


def _join(*parts) -> str:
    return ".".join(str(p) for p in parts if p != "")


def parse_rule(data: Any) -> Condition | Group:
    """Check a rule (decoded JSON, or its JSON text); raise :class:`RuleError`."""
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except ValueError as exc:
            raise RuleError({"rule": [str(_l("The rule is not valid JSON: %(error)s",
                                             error=str(exc)))]}) from None
    checker = _Checker()
    tree = checker.node(data, "", 0)
    if checker.conditions > MAX_CONDITIONS:
        checker.error("", _l("A rule has at most %(n)s conditions.", n=MAX_CONDITIONS))
    if checker.store_codes and not checker.messages:
        known = {code for (code,) in Store.select(Store.code)
                 .where(Store.code.in_(sorted(checker.store_codes))).tuples()}
        for code in sorted(checker.store_codes - known):
            checker.error("", _l("No store has the code %(code)s.", code=code))
    if checker.messages:
        raise RuleError(checker.messages)
    return tree


# --- compilation ----------------------------------------------------------------

_COMPARE = {">=": lambda a, b: a >= b, ">": lambda a, b: a > b,
            "<=": lambda a, b: a <= b, "<": lambda a, b: a < b,
            "=": lambda a, b: a == b, "!=": lambda a, b: a != b}


def holds(op: str, left, right) -> bool:
    """``left op right`` in Python (the SQL compiled below means the same)."""
    return _COMPARE[op](left, right)


def _number(value):
    # SQLite sums money as floats and never compares a float with a bound Decimal
    # the way one means: compare with a float there, exactly elsewhere
    if isinstance(value, decimal.Decimal) and backend(database) == "sqlite":
        return float(value)
    return value


def _purchase_aggregate(cond: Condition, now: dt.datetime, only: list | None):
    """(select of purchases in the window grouped by member, the aggregate)."""
    since = now - dt.timedelta(days=cond.days)
    where = ((Purchase.member.is_null(False)) & (Purchase.occurred_at >= since)
             & (Purchase.occurred_at <= now))
    if only is not None:  # a few members (after a merge): their purchases only
        where &= Purchase.member.in_(only)
    if cond.store:
        store_id = Store.select(Store.id).where(Store.code == cond.store).scalar()
        where &= Purchase.store == store_id
    if cond.field == "purchase_count":
        where &= Purchase.refunded_amount < Purchase.total
        if cond.category:
            line = PurchaseLine.alias("tag_line")
            where &= fn.EXISTS(line.select(line.id).where(
                (line.purchase == Purchase.id) & (line.category == cond.category)))
        return Purchase.select(Purchase.member).where(where), fn.COUNT(Purchase.id)
    if cond.category:
        refunded = (RefundLine.select(fn.COALESCE(fn.SUM(RefundLine.amount), 0))
                    .where(RefundLine.purchase_line == PurchaseLine.id))
        query = (Purchase.select(Purchase.member)
                 .join(PurchaseLine, on=(PurchaseLine.purchase == Purchase.id))
                 .where(where & (PurchaseLine.category == cond.category)))
        return query, fn.ROUND(fn.SUM(PurchaseLine.amount - refunded), 2)
    return (Purchase.select(Purchase.member).where(where),
            fn.ROUND(fn.SUM(Purchase.total - Purchase.refunded_amount), 2))


def _sql_compare(op: str, left, right):
    return {">=": left >= right, ">": left > right, "<=": left <= right,
            "<": left < right, "=": left == right, "!=": left != right}[op]


def _purchase_condition(cond: Condition, now: dt.datetime, only: list | None):
    query, aggregate = _purchase_aggregate(cond, now, only)
    zero = 0 if cond.field == "purchase_count" else decimal.Decimal("0")
    value = _number(cond.value)
    if not holds(cond.op, zero, cond.value):
        # members without purchases in the window fail: those whose aggregate passes
        return Member.id.in_(query.group_by(Purchase.member)
                             .having(_sql_compare(cond.op, aggregate, value)))
    # members without purchases pass: all but those whose aggregate fails.  SQLite
    # builds a temporary index for NOT IN (subquery) once; PostgreSQL hashes NOT IN
    # only while the list fits work_mem, so there it is a correlated NOT EXISTS,
    # which it runs as an anti-join over the (member, occurred_at) index.
    if backend(database) == "sqlite":
        failing = (query.group_by(Purchase.member)
                   .having(~_sql_compare(cond.op, aggregate, value)))
        return Member.id.not_in(failing)
    failing = (query.where(Purchase.member == Member.id).group_by(Purchase.member)
               .having(~_sql_compare(cond.op, aggregate, value)))
    return ~fn.EXISTS(failing)


def _profile_condition(cond: Condition, today: dt.date):
    if cond.field == "birthday_month":
        months = (today.month,) if cond.value == "current" else cond.value
        column = Member.birthday.month
        return Member.birthday.is_null(False) & column.in_(list(months))
    if cond.field == "home_store":
        stores = Store.select(Store.id).where(Store.code.in_(list(cond.value)))
        if cond.op == "!=":
            return Member.home_store.is_null() | Member.home_store.not_in(stores)
        return Member.home_store.in_(stores)
    column = getattr(Member, cond.field)
    if cond.op == "!=":
        return column != cond.value[0]
    return column.in_(list(cond.value))


def member_condition(rule: Condition | Group, now: dt.datetime, today: dt.date,
                     only: list | None = None):
    """The rule as one SQL condition over ``Member`` (``now`` ends purchase windows,
    ``today`` is the local date for ``birthday_month: current``).  ``only``: member
    ids the caller restricts itself to, so sub-selects read only their purchases."""
    if isinstance(rule, Group):
        parts = [member_condition(p, now, today, only) for p in rule.parts]
        expr = parts[0]
        for part in parts[1:]:
            expr = (expr & part) if rule.combine == "all" else (expr | part)
        return peewee.NodeList((peewee.SQL("("), expr, peewee.SQL(")")))
    if FIELDS[rule.field].get("window"):
        return _purchase_condition(rule, now, only)
    return _profile_condition(rule, today)


def describe(rule: Condition | Group) -> str:
    """A short human reading of a checked rule (field labels translated)."""
    if isinstance(rule, Group):
        word = str(_l("and")) if rule.combine == "all" else str(_l("or"))
        return "(" + f" {word} ".join(describe(p) for p in rule.parts) + ")"
    label = str(FIELDS[rule.field]["label"])
    value = rule.value
    if isinstance(value, tuple):
        value = ", ".join(str(v) for v in value)
    text = f"{label} {rule.op} {value}"
    extras = []
    if rule.days:
        extras.append(str(_l("last %(days)s days", days=rule.days)))
    if rule.category:
        extras.append(str(_l("category %(category)s", category=rule.category)))
    if rule.store:
        extras.append(str(_l("store %(store)s", store=rule.store)))
    return text + (f" ({', '.join(extras)})" if extras else "")
