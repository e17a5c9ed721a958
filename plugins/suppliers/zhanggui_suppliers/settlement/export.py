"""A statement as an XLSX workbook (openpyxl) or a PDF (reportlab, with the Adobe
Song CID font every PDF reader has, so Chinese needs no embedded font file)."""
from __future__ import annotations

import io

from zhanggui import _

from .models import LINE_KINDS, Statement

CONTENT_TYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                 "pdf": "application/pdf"}


def _rows(statement: Statement):
    kinds = dict(LINE_KINDS)
    for line in statement.lines.order_by(line_position()):
        yield (line.position, str(kinds.get(line.kind, "")), line.category, line.detail,
               line.base, line.rate, line.amount)


def line_position():
    from .models import StatementLine

    return StatementLine.position


def _header(statement: Statement) -> list[tuple[str, object]]:
    counter = statement.counter
    return [(_("Counter"), f"{counter.code} {counter.name}"),
            (_("Supplier"), statement.supplier.name if statement.supplier else ""),
            (_("Month"), f"{statement.month:%Y-%m}"),
            (_("Currency"), statement.currency),
            (_("Gross sales"), statement.gross_sales), (_("Refunds"), statement.refunds),
            (_("Net sales"), statement.net_sales), (_("Store income"), statement.mall_income),
            (_("Payable to supplier"), statement.payable)]


def _columns():
    return [_("Line"), _("Line kind"), _("Category"), _("Detail"), _("Base amount"),
            _("Rate (%)"), _("Amount")]


def to_xlsx(statement: Statement) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = f"{statement.month:%Y-%m}"
    for label, value in _header(statement):
        sheet.append([label, value])
    sheet.append([])
    sheet.append(_columns())
    for row in _rows(statement):
        sheet.append(list(row))
    for cells in sheet.iter_rows():
        for cell in cells:
            if cell.column_letter in "BEG" and not isinstance(cell.value, str):
                cell.number_format = "#,##0.00"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_pdf(statement: Statement) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle

    font = "STSong-Light"
    if font not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(font))
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, title=_("Settlement statement"))
    style = TableStyle([("FONTNAME", (0, 0), (-1, -1), font), ("FONTSIZE", (0, 0), (-1, -1), 9),
                        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                        ("ALIGN", (4, 0), (-1, -1), "RIGHT")])
    head = Table([[label, str(value)] for label, value in _header(statement)],
                 style=TableStyle([("FONTNAME", (0, 0), (-1, -1), font)]))
    body = [_columns()] + [["" if v is None else str(v) for v in row]
                           for row in _rows(statement)]
    doc.build([head, Spacer(1, 12), Table(body, style=style, repeatRows=1)])
    return out.getvalue()


def export(statement: Statement, fmt: str) -> tuple[bytes, str, str]:
    """``(content, content type, file name)``; XLSX unless ``fmt`` is ``pdf``."""
    fmt = "pdf" if fmt == "pdf" else "xlsx"
    data = to_pdf(statement) if fmt == "pdf" else to_xlsx(statement)
    name = f"statement-{statement.counter.code}-{statement.month:%Y-%m}.{fmt}"
    return data, CONTENT_TYPES[fmt], name

