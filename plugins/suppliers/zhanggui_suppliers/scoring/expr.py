"""A safe evaluator for scoring formulas (never ``eval``).

A formula is parsed with :mod:`ast` and only these nodes are allowed: numbers, names
of variables, ``+ - * /``, unary ``-``/``+``, comparisons (true is 1, false 0),
``and``/``or``/``not``, ``a if condition else b`` and calls of ``min``, ``max``,
``abs`` and ``round(x[, places])``.  Anything else (attributes, strings, ``**``,
subscripts, other calls) is refused when the formula is saved.

Defined results instead of exceptions: ``x / 0`` is 0; a formula naming a variable
that the period does not have gives :data:`MISSING` (the criterion is skipped); an
arithmetic overflow gives ``None`` (the criterion scores 0).  Arithmetic is
``Decimal`` in a bounded context.
"""
from __future__ import annotations

import ast
import decimal
from decimal import Decimal

MAX_LENGTH = 500
MAX_NODES = 200
FUNCTIONS = {"min", "max", "abs", "round"}
_CONTEXT = decimal.Context(prec=28, Emax=10**6, Emin=-10**6,
                           traps=[decimal.Overflow, decimal.InvalidOperation,
                                  decimal.DivisionByZero])


class FormulaError(ValueError):
    """A formula that cannot be saved; the message says why."""


class _Missing:
    def __repr__(self):
        return "MISSING"


MISSING = _Missing()
_BINOPS = (ast.Add, ast.Sub, ast.Mult, ast.Div)
_CMPOPS = (ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE)


def parse(formula: str) -> ast.Expression:
    """The checked syntax tree of ``formula``; :class:`FormulaError` otherwise."""
    if not isinstance(formula, str) or not formula.strip():
        raise FormulaError("empty formula")
    if len(formula) > MAX_LENGTH or "\x00" in formula:
        raise FormulaError(f"at most {MAX_LENGTH} characters")
    try:
        tree = ast.parse(formula.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        raise FormulaError(f"not a formula: {getattr(exc, 'msg', exc)}") from None
    nodes = list(ast.walk(tree))
    if len(nodes) > MAX_NODES:
        raise FormulaError(f"at most {MAX_NODES} terms")
    for node in nodes:
        _check(node)
    return tree


def _check(node) -> None:
    if isinstance(node, (ast.Expression, ast.Load, ast.Name, ast.IfExp, ast.And, ast.Or,
                         ast.Not, ast.USub, ast.UAdd) + _BINOPS + _CMPOPS):
        return
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise FormulaError("only numbers may be written as values")
        return
    if isinstance(node, ast.BinOp) and isinstance(node.op, _BINOPS):
        return
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd, ast.Not)):
        return
    if isinstance(node, (ast.BoolOp, ast.Compare)):
        return
    if isinstance(node, ast.Call):
        if (isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS
                and not node.keywords and node.args):
            if node.func.id in ("abs",) and len(node.args) != 1:
                raise FormulaError("abs takes one value")
            if node.func.id == "round" and len(node.args) > 2:
                raise FormulaError("round takes a value and the places")
            return
        raise FormulaError("only min, max, abs and round may be called")
    raise FormulaError(f"{type(node).__name__} is not allowed in a formula")


def names(tree: ast.Expression) -> set[str]:
    """Variable names the formula uses."""
    called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and id(n) not in called}


def evaluate(tree: ast.Expression, variables: dict) -> Decimal | _Missing | None:
    """The formula's value; :data:`MISSING` when it names an absent variable, ``None``
    when the arithmetic overflows.  Never raises for any variables given."""
    absent = names(tree) - set(variables)
    if absent:
        return MISSING
    values = {}
    for key, value in variables.items():
        try:
            values[key] = Decimal(str(value))
        except (decimal.InvalidOperation, ValueError, TypeError):
            return None
        if not values[key].is_finite():
            return None
    try:
        with decimal.localcontext(_CONTEXT):
            result = +_eval(tree.body, values)
        return result if result.is_finite() else None
    except (decimal.DecimalException, RecursionError, MemoryError, OverflowError):
        return None


def _bool(value: Decimal) -> Decimal:
    return Decimal(1) if value else Decimal(0)


def _eval(node, values):  # noqa: C901 - one branch per allowed node
    if isinstance(node, ast.Constant):
        return Decimal(str(node.value))
    if isinstance(node, ast.Name):
        return values[node.id]
    if isinstance(node, ast.UnaryOp):
        operand = _eval(node.operand, values)
        if isinstance(node.op, ast.Not):
            return _bool(not operand)
        return -operand if isinstance(node.op, ast.USub) else +operand
    if isinstance(node, ast.BinOp):
        left, right = _eval(node.left, values), _eval(node.right, values)
        if isinstance(node.op, ast.Add):
            return left + right
        if isinstance(node.op, ast.Sub):
            return left - right
        if isinstance(node.op, ast.Mult):
            return left * right
        return Decimal(0) if right == 0 else left / right
    if isinstance(node, ast.Compare):
        left = _eval(node.left, values)
        for op, comparator in zip(node.ops, node.comparators):
            right = _eval(comparator, values)
            ok = {ast.Eq: left == right, ast.NotEq: left != right, ast.Lt: left < right,
                  ast.LtE: left <= right, ast.Gt: left > right,
                  ast.GtE: left >= right}[type(op)]
            if not ok:
                return Decimal(0)
            left = right
        return Decimal(1)
    if isinstance(node, ast.BoolOp):
        results = [_eval(v, values) for v in node.values]
        if isinstance(node.op, ast.And):
            return _bool(all(results))
        return _bool(any(results))
    if isinstance(node, ast.IfExp):
        return _eval(node.body if _eval(node.test, values) else node.orelse, values)
    if isinstance(node, ast.Call):
        args = [_eval(a, values) for a in node.args]
        name = node.func.id
        if name == "min":
            return min(args)
        if name == "max":
            return max(args)
        if name == "abs":
            return abs(args[0])
        places = int(max(Decimal(0), min(Decimal(10), args[1]))) if len(args) > 1 else 0
        return args[0].quantize(Decimal(1).scaleb(-places), rounding=decimal.ROUND_HALF_UP)
    raise FormulaError(type(node).__name__)
