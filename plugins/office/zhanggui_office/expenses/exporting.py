"""Approved claims for accounting: one row per claim line, CSV (UTF-8 with BOM, so
spreadsheet programs read Chinese) or XLSX."""
from __future__ import annotations

import csv
import io

from zhanggui import _

from .models import ExpenseCategory, ExpenseClaim, ExpenseLine


def columns():
    return [_("Claim number"), _("Store"), _("Department"), _("Claimant"), _("Category code"),
            _("Ledger account"), _("Description"), _("Spent on"), _("Amount"), _("Currency"),
            _("Decided at")]


def rows(period: str | None = None, stores: set | None = None):
    query = (ExpenseLine.select(ExpenseLine, ExpenseClaim, ExpenseCategory)
             .join(ExpenseClaim).switch(ExpenseLine).join(ExpenseCategory)
             .where(ExpenseClaim.status == "approved")
             .order_by(ExpenseClaim.decided_at, ExpenseClaim.id, ExpenseLine.id))
    if stores is not None:
        query = query.where(ExpenseClaim.store_code.in_(sorted(stores) or [""]))
    for line in query:
        claim = line.claim
        if period and (claim.decided_at is None
                       or f"{claim.decided_at:%Y-%m}" != period):
            continue
        yield [claim.number, claim.store_code, claim.department, claim.claimant_name,
               line.category.code, line.category.account, line.description,
               line.spent_on.isoformat(), str(line.amount), claim.currency,
               claim.decided_at.isoformat() if claim.decided_at else ""]


def to_csv(period=None, stores=None) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns())
    for row in rows(period, stores):
        writer.writerow(_safe(row))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _safe(row):
    """A cell starting with = + - @ is a formula to a spreadsheet: keep it text."""
    return ["'" + c if isinstance(c, str) and c[:1] in "=+-@" and not _number(c) else c
            for c in row]


def _number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def to_xlsx(period=None, stores=None) -> bytes:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(str(_("Expense claims")))
    sheet.append(columns())
    for row in rows(period, stores):
        sheet.append(_safe(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
