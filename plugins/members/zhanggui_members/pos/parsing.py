"""What a till sends: POS sales and refunds read from JSON, checked field by field.

``parse_sale(data)`` and ``parse_refund(data)`` turn the decoded JSON body into typed,
normalised requests or raise :class:`PosInputError` carrying every problem found,
keyed like the body (``{"lines": {"0": {"amount": [...]}}, "total": [...]}``), so the
till can show which field is wrong.  Nothing is written here.

Money and quantities must be decimal strings (or whole numbers): a JSON float such as
``0.1`` is not exact, and a sale is refused rather than rounded.

A request's *fingerprint* is a SHA-256 of its normalised content (the phone replaced
by its keyed look-up hash, so the fingerprint cannot be used to guess numbers); a
replay is "the same body" when the fingerprints match, however the till spelled the
phone, the decimals or the time zone.
"""
from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from zhanggui import _l, cached, utcnow

from ..profile.crypto import phone_cipher
from ..profile.models import IDENTITY_KINDS, PAYMENT_METHODS, PURCHASE_CHANNELS, Store
from ..profile.phones import PhoneNumberError, national_key, normalize_mobile
from ..profile.services import normalize_card, phone_region_of
from .schemas import MAX_BATCH, MAX_LINES, PosRefundSchema, PosSaleSchema, schema_errors

__all__ = ["MAX_BATCH", "MAX_LINES", "PosInputError", "PosSale", "RefundRequest",
           "parse_refund", "parse_sale"]
MONEY_PLACES = 2
QUANTITY_PLACES = 3
MAX_DIGITS = 12
FUTURE_TOLERANCE = dt.timedelta(days=1)
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)
ZERO = decimal.Decimal("0")


class PosInputError(ValueError):
    """The request cannot be accepted; ``messages`` says which fields and why."""

    def __init__(self, messages: dict[str, Any]):
        super().__init__("invalid POS request")
        self.messages = messages


class _Errors:
    """Collects ``(path, message)`` into the nested, JSON-able ``messages`` dict."""

    def __init__(self):
        self.messages: dict[str, Any] = {}

    def add(self, path: tuple, message) -> None:
        node = self.messages
        for key in path[:-1]:
            node = node.setdefault(str(key), {})
        node.setdefault(str(path[-1]), []).append(str(message))

    def raise_if_any(self) -> None:
        if self.messages:
            raise PosInputError(self.messages)


@dataclass(frozen=True)
class MemberRef:
    """How the till identified the customer (any of the three; phone normalised)."""

    phone: str | None = None
    card: str | None = None
    identity_kind: str | None = None
    identity_value: str | None = None


@dataclass(frozen=True)
class SaleLine:
    sku: str
    name: str
    category: str
    counter: str | None
    quantity: decimal.Decimal
    amount: decimal.Decimal


@dataclass(frozen=True)
class SalePayment:
    method: str
    amount: decimal.Decimal


@dataclass(frozen=True)
class PosSale:
    """A checked POS sale, ready to record."""

    pos_id: str
    store: Store
    occurred_at: dt.datetime
    channel: str
    member: MemberRef | None
    lines: tuple[SaleLine, ...]
    total: decimal.Decimal
    payments: tuple[SalePayment, ...]

    def fingerprint(self) -> str:
        member = None
        if self.member is not None:
            member = {
                "phone": phone_cipher().lookup_hash(national_key(self.member.phone))
                if self.member.phone
                else None,
                "card": self.member.card,
                "identity": [self.member.identity_kind, self.member.identity_value],
            }
        return _fingerprint({
            "id": self.pos_id, "store": self.store.code,
            "occurred_at": self.occurred_at.astimezone(dt.timezone.utc).isoformat(),
            "channel": self.channel, "member": member, "total": str(self.total),
            "lines": [[ln.sku, ln.name, ln.category, ln.counter, str(ln.quantity),
                       str(ln.amount)] for ln in self.lines],
            "payments": [[p.method, str(p.amount)] for p in self.payments],
        })


@dataclass(frozen=True)
class RefundItem:
    """Part of a purchase line to give back: by SKU, a quantity, optionally an amount."""

    sku: str
    quantity: decimal.Decimal
    amount: decimal.Decimal | None


@dataclass(frozen=True)
class RefundRequest:
    """A checked refund: either ``items`` (per line) or a plain ``amount``."""

    refund_id: str
    pos_id: str
    items: tuple[RefundItem, ...] | None
    amount: decimal.Decimal | None

    def fingerprint(self) -> str:
        return _fingerprint({
            "id": self.refund_id, "transaction": self.pos_id,
            "amount": None if self.amount is None else str(self.amount),
            "lines": None if self.items is None else [
                [i.sku, str(i.quantity), None if i.amount is None else str(i.amount)]
                for i in self.items],
        })


def _fingerprint(content: dict) -> str:
    text = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- field readers: each returns the value or None after recording an error --------

def _text(errors: _Errors, data: dict, path: tuple, key: str, max_length: int,
          required: bool = True) -> str | None:
    value = data.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors.add(path + (key,), _l("This field is required."))
        return None
    if not isinstance(value, str):
        errors.add(path + (key,), _l("Give this field as text."))
        return None
    value = value.strip()
    if len(value) > max_length:
        errors.add(path + (key,), _l("At most %(count)s characters.", count=max_length))
        return None
    return value


def _decimal(errors: _Errors, data: dict, path: tuple, key: str, places: int,
             positive: bool = False) -> decimal.Decimal | None:
    value = data.get(key)
    where = path + (key,)
    if value is None:
        errors.add(where, _l("This field is required."))
        return None
    if isinstance(value, bool) or isinstance(value, float) or not isinstance(value, (str, int)):
        errors.add(where, _l("Give amounts and quantities as decimal strings, e.g. \"12.50\"."))
        return None
    try:
        number = decimal.Decimal(str(value).strip())
    except decimal.InvalidOperation:
        errors.add(where, _l("Not a valid decimal number."))
        return None
    if not number.is_finite():
        errors.add(where, _l("Not a valid decimal number."))
        return None
    if number.as_tuple().exponent < -places:
        errors.add(where, _l("At most %(count)s decimal places.", count=places))
        return None
    if abs(number) >= decimal.Decimal(10) ** (MAX_DIGITS - places):
        errors.add(where, _l("This number is too large."))
        return None
    if number < 0 or (positive and number == 0):
        errors.add(where, _l("Must be greater than zero.") if positive
                   else _l("Must not be negative."))
        return None
    return number.quantize(decimal.Decimal(1).scaleb(-places))


def _occurred_at(errors: _Errors, data: dict) -> dt.datetime | None:
    value = data.get("occurred_at")
    if value is None:
        errors.add(("occurred_at",), _l("This field is required."))
        return None
    try:
        when = dt.datetime.fromisoformat(str(value).strip())
    except ValueError:
        errors.add(("occurred_at",), _l("Give the time in ISO 8601 with its offset, e.g. "
                                        "2025-11-11T10:30:00+08:00."))
        return None
    if when.tzinfo is None:
        errors.add(("occurred_at",), _l("The time needs its UTC offset, e.g. +08:00."))
        return None
    try:
        when = when.astimezone(dt.timezone.utc)
    except OverflowError:  # e.g. 0001-01-01T00:00:00+14:00 is before year 1 in UTC
        when = None
    if when is None or when < EARLIEST:
        errors.add(("occurred_at",), _l("This time is too far in the past; check the "
                                        "till's clock."))
        return None
    if when - utcnow() > FUTURE_TOLERANCE:
        errors.add(("occurred_at",), _l("This time is in the future; check the till's clock."))
        return None
    return when


def _member(errors: _Errors, data: dict, store: Store | None = None) -> MemberRef | None:
    value = data.get("member")
    if value is None:
        return None
    if not isinstance(value, dict):
        errors.add(("member",), _l("Give the member as {\"phone\": ...}, {\"card\": ...} "
                                   "or {\"identity\": {\"kind\": ..., \"value\": ...}}, "
                                   "or null."))
        return None
    phone = card = kind = ident = None
    if value.get("phone") not in (None, ""):
        try:
            raw_phone = value["phone"]
            phone = normalize_mobile(raw_phone if isinstance(raw_phone, (str, int)) and
                                     not isinstance(raw_phone, bool) else None,
                                     phone_region_of(store))
        except PhoneNumberError as exc:
            errors.add(("member", "phone"), exc.args[0])
    if value.get("card") not in (None, ""):
        card = normalize_card(value["card"]) if isinstance(value["card"], (str, int)) else None
        if not card or len(card) > 32:
            errors.add(("member", "card"), _l("Not a valid membership card number."))
            card = None
    identity = value.get("identity")
    if identity is not None:
        kinds = {k for k, _ in IDENTITY_KINDS}
        if not isinstance(identity, dict) or identity.get("kind") not in kinds:
            errors.add(("member", "identity"),
                       _l("Give the identity as {\"kind\": ..., \"value\": ...}; kinds: "
                          "%(kinds)s.", kinds=", ".join(sorted(kinds))))
        else:
            kind = identity["kind"]
            ident = _text(errors, identity, ("member", "identity"), "value", 128)
    if not (phone or card or ident) and not errors.messages.get("member"):
        errors.add(("member",), _l("Give the member's phone, card or identity, or null for "
                                   "an anonymous sale."))
    if phone or card or ident:
        return MemberRef(phone=phone, card=card, identity_kind=kind if ident else None,
                         identity_value=ident)
    return None


def _transaction_id(errors: _Errors, data: dict) -> str | None:
    return _text(errors, data, (), "id", 64)


def _object(data: Any, schema) -> dict:
    """``data`` if it fits ``schema`` (types, lengths, storable text), else the
    schema's field messages as :class:`PosInputError`."""
    problems = schema_errors(schema, data)
    if problems:
        raise PosInputError(problems)
    return data


def parse_sale(data: Any) -> PosSale:
    """Check a POS sale body; raise :class:`PosInputError` with every problem found."""
    data = _object(data, PosSaleSchema())
    errors = _Errors()
    pos_id = _transaction_id(errors, data)
    store = None
    code = _text(errors, data, (), "store", 20)
    if code is not None:
        store = cached(("members.store", code), lambda: Store.get_or_none(Store.code == code))
        if store is None:
            errors.add(("store",), _l("No store has the code %(code)s.", code=code))
    occurred_at = _occurred_at(errors, data)
    channel = data.get("channel") or "pos"
    if not isinstance(channel, str) or channel not in {c for c, _ in PURCHASE_CHANNELS}:
        errors.add(("channel",), _l("Unknown sales channel."))
    member = _member(errors, data, store)
    total = _decimal(errors, data, (), "total", MONEY_PLACES)

    lines: list[SaleLine] = []
    raw_lines = data.get("lines")
    if not isinstance(raw_lines, list) or not raw_lines:
        errors.add(("lines",), _l("A sale needs at least one line."))
    elif len(raw_lines) > MAX_LINES:
        errors.add(("lines",), _l("At most %(count)s lines per sale.", count=MAX_LINES))
    else:
        for i, raw in enumerate(raw_lines):
            path = ("lines", i)
            if not isinstance(raw, dict):
                errors.add(path, _l("Each line must be a JSON object."))
                continue
            line = (_text(errors, raw, path, "sku", 40), _text(errors, raw, path, "name", 100),
                    _text(errors, raw, path, "category", 40),
                    _text(errors, raw, path, "counter", 20, required=False),
                    _decimal(errors, raw, path, "quantity", QUANTITY_PLACES, positive=True),
                    _decimal(errors, raw, path, "amount", MONEY_PLACES))
            if None not in (line[0], line[1], line[2], line[4], line[5]):
                lines.append(SaleLine(*line))

    payments: list[SalePayment] = []
    raw_payments = data.get("payments")
    methods = {m for m, _ in PAYMENT_METHODS}
    if not isinstance(raw_payments, list):
        errors.add(("payments",), _l("Give the payments as a list."))
    else:
        for i, raw in enumerate(raw_payments):
            path = ("payments", i)
            if not isinstance(raw, dict):
                errors.add(path, _l("Each payment must be a JSON object."))
                continue
            method = raw.get("method")
            if method not in methods:
                errors.add(path + ("method",), _l("Unknown payment method; use one of "
                                                  "%(methods)s.",
                                                  methods=", ".join(sorted(methods))))
            amount = _decimal(errors, raw, path, "amount", MONEY_PLACES, positive=True)
            if method in methods and amount is not None:
                payments.append(SalePayment(method, amount))

    if total is not None and not errors.messages.get("lines") and \
            len(lines) == len(raw_lines or []):
        lines_sum = sum((ln.amount for ln in lines), ZERO)
        if lines_sum != total:
            errors.add(("total",), _l("The lines add up to %(sum)s, not %(total)s.",
                                      sum=lines_sum, total=total))
    if total is not None and isinstance(raw_payments, list) and \
            len(payments) == len(raw_payments):
        paid = sum((p.amount for p in payments), ZERO)
        if paid != total:
            errors.add(("payments",), _l("The payments add up to %(sum)s, not %(total)s.",
                                         sum=paid.quantize(decimal.Decimal("0.01")),
                                         total=total))
    errors.raise_if_any()
    return PosSale(pos_id=pos_id, store=store, occurred_at=occurred_at, channel=channel,
                   member=member, lines=tuple(lines), total=total, payments=tuple(payments))


def parse_refund(pos_id: str, data: Any) -> RefundRequest:
    """Check a refund body (``{"id", "lines": [...]}`` or ``{"id", "amount"}``)."""
    data = _object(data, PosRefundSchema())
    errors = _Errors()
    refund_id = _transaction_id(errors, data)
    has_lines, has_amount = data.get("lines") is not None, data.get("amount") is not None
    items: list[RefundItem] | None = None
    amount = None
    if has_lines == has_amount:
        errors.add(("_schema",), _l("Give either the lines to refund or an amount, not both."))
    elif has_amount:
        amount = _decimal(errors, data, (), "amount", MONEY_PLACES, positive=True)
    elif not isinstance(data["lines"], list) or not data["lines"]:
        errors.add(("lines",), _l("Give at least one line to refund."))
    else:
        items = []
        for i, raw in enumerate(data["lines"][:MAX_LINES + 1]):
            path = ("lines", i)
            if not isinstance(raw, dict):
                errors.add(path, _l("Each line must be a JSON object."))
                continue
            sku = _text(errors, raw, path, "sku", 40)
            quantity = _decimal(errors, raw, path, "quantity", QUANTITY_PLACES, positive=True)
            line_amount = None
            if raw.get("amount") is not None:
                line_amount = _decimal(errors, raw, path, "amount", MONEY_PLACES)
            if sku is not None and quantity is not None:
                items.append(RefundItem(sku, quantity, line_amount))
    errors.raise_if_any()
    return RefundRequest(refund_id=refund_id, pos_id=pos_id,
                         items=tuple(items) if items is not None else None, amount=amount)
