"""Reading CSV and XLSX import files: rows as values, headers mapped to fields.

CSV files may be UTF-8 (with or without BOM) or GB18030; an XLSX file's first sheet
is read.  Blank rows are skipped; row numbers are the file's (the header is row 1).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any, Iterator

from zhanggui import _

from .columns import COLUMNS, fold, header_index

FORMATS = (".csv", ".xlsx")


class ImportFileError(ValueError):
    """The file as a whole cannot be read (format, encoding, headers)."""


def _cell(value: Any) -> Any:
    """Spreadsheet values as text, except dates; Excel turns 13800138000 into a float."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return value
    return str(value).strip()


def _decode_csv(path: Path) -> io.TextIOBase:
    """UTF-8 (with or without BOM), else GB18030 (what Chinese Excel writes)."""
    raw = path.open("rb")
    head = raw.read(1 << 16)
    raw.seek(0)
    try:
        head.decode("utf-8")
        encoding = "utf-8-sig"
    except UnicodeDecodeError as exc:
        # a multi-byte character cut at the end of the sample is still UTF-8
        encoding = "utf-8-sig" if exc.start >= len(head) - 3 else "gb18030"
    return io.TextIOWrapper(raw, encoding=encoding, newline="")


def count_rows(path: Path) -> int:
    """Data rows in the file (for the progress bar), cheaply."""
    if path.suffix.lower() == ".csv":
        with _decode_csv(path) as handle:
            return max(sum(1 for _row in csv.reader(handle)) - 1, 0)
    try:
        import openpyxl

        book = openpyxl.load_workbook(path, read_only=True)
        try:
            return max((book.worksheets[0].max_row or 1) - 1, 0)
        finally:
            book.close()
    except Exception:  # the reader proper reports unreadable files
        return 0


def read_rows(path: Path) -> tuple[list[str], Iterator[tuple[int, list[Any]]]]:
    """The header and ``(row number, values)`` of the data rows (blank rows skipped)."""
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ImportFileError(_("Give a .csv or .xlsx file."))
    if suffix == ".csv":
        handle = _decode_csv(path)
        reader = csv.reader(handle)
        try:
            header = next(reader)
        except StopIteration:
            handle.close()
            raise ImportFileError(_("The file is empty."))
        except (csv.Error, UnicodeDecodeError) as exc:
            handle.close()
            raise ImportFileError(_("The file is not a readable CSV file.")) from exc

        def rows():
            try:
                for number, values in enumerate(reader, 2):
                    if any(v.strip() for v in values):
                        yield number, [v.strip() for v in values]
            finally:
                handle.close()
        return [h.strip() for h in header], rows()
    try:
        import openpyxl

        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # a corrupt or foreign file: openpyxl raises many kinds
        raise ImportFileError(_("The file is not a readable XLSX workbook.")) from exc
    sheet = book.worksheets[0]
    values = sheet.iter_rows(values_only=True)
    try:
        header = [str(_cell(v)) for v in next(values)]
    except StopIteration:
        book.close()
        raise ImportFileError(_("The file is empty."))

    def xlsx_rows():
        try:
            for number, row in enumerate(values, 2):
                cells = [_cell(v) for v in row]
                if any(c not in ("", None) for c in cells):
                    yield number, cells
        finally:
            book.close()
    return header, xlsx_rows()


def parse_mapping(text: str | None) -> dict[str, str]:
    """``--mapping``: a JSON file ``{"header": "field"}``, or ``header=field,...``."""
    if not text:
        return {}
    path = Path(text)
    if path.suffix.lower() == ".json" and path.exists():
        try:
            data = json.loads(path.read_text("utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise ImportFileError(_("The mapping file is not valid JSON.")) from exc
        if not isinstance(data, dict):
            raise ImportFileError(_("The mapping file must map headers to fields."))
        return {str(k): str(v) for k, v in data.items()}
    mapping = {}
    for part in text.split(","):
        head, sep, name = part.partition("=")
        if not sep or not head.strip() or not name.strip():
            raise ImportFileError(_("Write the mapping as header=field, separated by "
                                    "commas."))
        mapping[head.strip()] = name.strip()
    return mapping


def map_columns(kind: str, header: list[str], mapping: dict[str, str]) -> \
        tuple[dict[int, str], dict[str, str], list[str]]:
    """Column index -> field; file header -> field; headers ignored."""
    fields = COLUMNS[kind]
    for head, name in mapping.items():
        if name not in fields:
            raise ImportFileError(_("The mapping names an unknown field %(field)s; known: "
                                    "%(fields)s.", field=name, fields=", ".join(fields)))
    explicit = {fold(h): f for h, f in mapping.items()}
    index = header_index(kind)
    by_column: dict[int, str] = {}
    named: dict[str, str] = {}
    ignored = []
    for position, head in enumerate(header):
        name = explicit.get(fold(head)) or index.get(fold(head))
        if name is None or name in by_column.values():
            if head:
                ignored.append(head)
            continue
        by_column[position] = name
        named[head] = name
    return by_column, named, ignored
