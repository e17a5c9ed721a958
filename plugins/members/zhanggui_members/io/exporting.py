"""Exporting members and purchases as CSV or XLSX.

The caller decides who may see what: ``stores`` (``None``: every store; a set of
codes: members whose home store, or purchases made in a store, is one of them) and
``clear_phones`` (``members.view_phone``; otherwise ``138****8000``).  Every export
is written to the audit log first (``export`` on the table, with the NAMES of the
columns exported, never their values).  Headers are in the reader's language and
are the ones the importer recognises, so an export can be imported again.

Rows are read by primary-key ranges (keyset pagination, 5,000 at a time), so a
million members stream in constant memory.
"""
from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any, Iterator

from zhanggui import write_transaction

from ..consent.models import ConsentState
from ..consent.service import CHANNEL_CODES
from ..profile.crypto import FieldDecryptionError, phone_cipher
from ..profile.models import Member, Payment, Purchase, PurchaseLine, Store
from ..profile.phones import configured_region, mask_last4, mask_mobile
from .columns import COLUMNS, header

PAGE = 5000
FORMATS = ("csv", "xlsx")
KINDS = ("members", "purchases")
MEMBER_FIELDS = ("card_no", "name", "phone", "gender", "birthday", "home_store",
                 "joined_at", "join_channel", "wechat_openid", "wechat_unionid", "app_user",
                 "ecommerce_account")
CONSENT_HEADERS = {"sms": ("短信营销", "簡訊行銷", "SMS consent"),
                   "email": ("邮件营销", "郵件行銷", "Email consent"),
                   "phone": ("电话营销", "電話行銷", "Phone consent"),
                   "app_push": ("App推送", "App推播", "App push consent")}
PURCHASE_FIELDS = ("transaction_id", "store", "occurred_at", "member_card", "member_phone",
                   "sku", "item", "category", "counter", "quantity", "amount",
                   "payment_method")
_LANG = {"zh_CN": 0, "zh_TW": 1}


def headers(kind: str, language: str) -> list[str]:
    if kind == "members":
        return ([header("members", f, language) for f in MEMBER_FIELDS]
                + [CONSENT_HEADERS[c][_LANG.get(language, 2)] for c in CHANNEL_CODES])
    return [header("purchases", f, language) for f in PURCHASE_FIELDS]


def _utc(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(dt.timezone.utc).isoformat()


def _phone(cipher, encrypted, last4, clear: bool) -> str:
    if not encrypted:
        return ""
    try:
        phone = cipher.decrypt(encrypted)
    except FieldDecryptionError:
        return mask_last4(last4)
    return phone if clear else mask_mobile(phone, configured_region())


def member_rows(stores: set[str] | None = None, clear_phones: bool = False,
                yes: str = "Y", no: str = "N") -> Iterator[list]:
    """Members (not erased) as rows in :func:`headers` order."""
    from ..profile.models import MemberIdentity

    cipher = phone_cipher()
    codes = dict(Store.select(Store.id, Store.code).tuples())
    base = Member.select(Member.id, Member.card_no, Member.name, Member.phone_encrypted,
                         Member.phone_last4, Member.gender, Member.birthday,
                         Member.home_store, Member.joined_at, Member.join_channel) \
        .where(Member.erased_at.is_null())
    if stores is not None:
        base = base.where(Member.home_store.in_(
            Store.select(Store.id).where(Store.code.in_(stores or [""]))))
    last = 0
    while True:
        page = list(base.where(Member.id > last).order_by(Member.id).limit(PAGE).tuples())
        if not page:
            return
        ids = [r[0] for r in page]
        last = ids[-1]
        consent: dict[tuple[int, str], bool] = {
            (m, c): g for m, c, g in ConsentState.select(
                ConsentState.member, ConsentState.channel, ConsentState.granted)
            .where(ConsentState.member.in_(ids)).tuples()}
        idents: dict[tuple[int, str], str] = {}
        for m, kind, value in (MemberIdentity.select(MemberIdentity.member,
                                                     MemberIdentity.kind, MemberIdentity.value)
                               .where(MemberIdentity.member.in_(ids))
                               .order_by(MemberIdentity.id).tuples()):
            idents.setdefault((m, kind), value)
        for (mid, card, name, enc, last4, gender, birthday, store_id, joined,
             channel) in page:
            if isinstance(birthday, dt.date):
                birthday = birthday.isoformat()
            yield ([card or "", name or "", _phone(cipher, enc, last4, clear_phones),
                    gender, birthday or "", codes.get(store_id, ""), _utc(joined), channel]
                   + [idents.get((mid, k), "") for k in
                      ("wechat_openid", "wechat_unionid", "app_user", "ecommerce_account")]
                   + [yes if consent.get((mid, c)) else no for c in CHANNEL_CODES])


def purchase_rows(stores: set[str] | None = None, clear_phones: bool = False) \
        -> Iterator[list]:
    """Purchase lines, one row each, in :func:`headers` order."""
    cipher = phone_cipher()
    codes = dict(Store.select(Store.id, Store.code).tuples())
    base = Purchase.select(Purchase.id, Purchase.pos_id, Purchase.store, Purchase.occurred_at,
                           Purchase.member)
    if stores is not None:
        base = base.where(Purchase.store.in_(
            Store.select(Store.id).where(Store.code.in_(stores or [""]))))
    last = 0
    while True:
        page = list(base.where(Purchase.id > last).order_by(Purchase.id).limit(PAGE).tuples())
        if not page:
            return
        ids = [r[0] for r in page]
        last = ids[-1]
        member_ids = {r[4] for r in page if r[4]}
        members = {m: (card, enc, l4) for m, card, enc, l4 in Member.select(
            Member.id, Member.card_no, Member.phone_encrypted, Member.phone_last4)
            .where(Member.id.in_(list(member_ids) or [0])).tuples()}
        methods: dict[int, str] = {}
        for pid, method in (Payment.select(Payment.purchase, Payment.method)
                            .where(Payment.purchase.in_(ids)).order_by(Payment.id).tuples()):
            methods.setdefault(pid, method)
        lines: dict[int, list] = {}
        for row in (PurchaseLine.select(PurchaseLine.purchase, PurchaseLine.sku,
                                        PurchaseLine.name, PurchaseLine.category,
                                        PurchaseLine.counter_code, PurchaseLine.quantity,
                                        PurchaseLine.amount)
                    .where(PurchaseLine.purchase.in_(ids)).order_by(PurchaseLine.id).tuples()):
            lines.setdefault(row[0], []).append(row[1:])
        for pid, pos_id, store_id, occurred, member_id in page:
            card, enc, l4 = members.get(member_id, (None, None, None))
            for sku, name, category, counter, quantity, amount in lines.get(pid, []):
                yield [pos_id, codes.get(store_id, ""), _utc(occurred), card or "",
                       _phone(cipher, enc, l4, clear_phones), sku, name, category,
                       counter or "", str(PurchaseLine.quantity.python_value(quantity)),
                       str(PurchaseLine.amount.python_value(amount)), methods.get(pid, "")]


def audited_fields(kind: str, clear_phones: bool) -> list[str]:
    fields = list(MEMBER_FIELDS if kind == "members" else PURCHASE_FIELDS)
    phone = "phone" if kind == "members" else "member_phone"
    if not clear_phones:
        fields[fields.index(phone)] = f"{phone}_masked"
    if kind == "members":
        fields += [f"consent_{c}" for c in CHANNEL_CODES]
    return fields


def export(target: Path, kind: str = "members", fmt: str = "csv", *,
           stores: set[str] | None = None, clear_phones: bool = False,
           language: str = "zh_CN", user: Any = None) -> int:
    """Write the export to ``target`` and return the number of rows written.

    The audit entry is written (and committed) before any row is read.
    """
    from zhanggui.console.audit import record

    if kind not in KINDS or fmt not in FORMATS:
        raise ValueError(f"unknown export {kind}/{fmt}")
    table = Member._meta.table_name if kind == "members" else Purchase._meta.table_name
    with write_transaction():
        record("export", table, fields=audited_fields(kind, clear_phones), user=user)
    rows = (member_rows(stores, clear_phones) if kind == "members"
            else purchase_rows(stores, clear_phones))
    head = headers(kind, language)
    count = 0
    if fmt == "csv":
        # UTF-8 with a BOM: Excel then opens the Chinese headers correctly
        with target.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(head)
            for row in rows:
                writer.writerow([_formula_safe(v) for v in row])
                count += 1
        return count
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(title=kind)
    sheet.append(head)
    for row in rows:
        sheet.append([_formula_safe(v) for v in row])
        count += 1
    book.save(target)
    return count


def _formula_safe(value: Any) -> Any:
    """A value a spreadsheet will not run as a formula (CSV injection): names and notes
    come from customers."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@") and \
            not _is_number(value):
        return "'" + value
    return value


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


__all__ = ["COLUMNS", "export", "headers", "member_rows", "purchase_rows"]
