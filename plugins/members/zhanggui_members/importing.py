"""Importing members and purchases from CSV and XLSX files.

Policy (README "Assumptions"): **all or nothing per file** by default.  Every row is
checked first; if any row is bad, nothing is written and the report names each bad
row (its row number as in the file, the header row being row 1), the column and
what is wrong.  With ``skip_bad_rows`` the good rows are imported and the bad ones
reported.  Either way the writing happens in ONE transaction: a killed import
leaves nothing of the file behind, and the file's rows appear all at once.

Dedupe: a member row that matches an existing member by mobile phone (keyed hash),
card number or a channel identity updates that member (the file's non-empty fields
win; identities are added) instead of creating a second one; the report counts
them as *matched*.  A row whose phone, card and identities point at two different
members, or repeats a phone, card or identity of an earlier row of the file, is bad.
Purchase rows (one per line, grouped into sales by transaction id) must name a
known store and, if any, a known member; a sale already recorded with the same
content is *matched* and skipped, with other content it is bad.  Imported sales are
recorded like POS sales, events included (loyalty awards their points).

Speed: rows are checked in Python (phones hashed once each), existing members are
looked up 500 keys a query, new members go in with ``executemany`` (SQLite) or
``COPY`` (PostgreSQL) and matched ones with one batched ``UPDATE``.
"""
from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator
from zoneinfo import ZoneInfo

from zhanggui import _, _l, database, utcnow, write_transaction
from zhanggui.console.datamodel.safe_fields import text_problem

from .bulk import BulkWriter
from .crypto import phone_cipher
from .io_columns import COLUMNS, IDENTITY_FIELDS, fold, header_index
from .models import (GENDERS, JOIN_CHANNELS, PAYMENT_METHODS, ImportRun, Member,
                     MemberIdentity, Purchase, Store)
from .phones import PhoneNumberError, normalize_mobile
from .services import normalize_card

KINDS = ("members", "purchases")
FORMATS = (".csv", ".xlsx")
LOOKUP_CHUNK = 500
WRITE_CHUNK = 5000
MEMBER_INSERT = ("id", "name", "gender", "birthday", "phone_encrypted", "phone_hash",
                 "phone_last4", "card_no", "home_store_id", "joined_at", "join_channel",
                 "lifecycle_stage", "notes", "erased_at")
GENDER_WORDS = {"男": "male", "m": "male", "male": "male", "先生": "male",
                "女": "female", "f": "female", "female": "female", "女士": "female",
                "未知": "unknown", "unknown": "unknown", "保密": "unknown"}
GENDER_WORDS.update({str(label).lower(): code for code, label in GENDERS})


class ImportFileError(ValueError):
    """The file as a whole cannot be read (format, encoding, headers)."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one row: ``row`` as numbered in the file (header = 1)."""

    row: int
    field: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "field": self.field, "message": self.message}


@dataclass
class ImportReport:
    kind: str
    rows: int = 0
    created: int = 0
    matched: int = 0
    problems: list[Problem] = field(default_factory=list)
    committed: bool = False
    dry_run: bool = False
    skip_bad_rows: bool = False
    headers: dict[str, str] = field(default_factory=dict)   # file header -> field
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def bad_rows(self) -> list[int]:
        return sorted({p.row for p in self.problems})

    @property
    def bad(self) -> int:
        return len(self.bad_rows)


ProgressFactory = Callable[[str, int], Any]


class _NoProgress:
    done = 0

    def advance(self, n: int = 1) -> None:
        self.done += n

    def close(self) -> None:
        pass


def _no_progress(label: str, total: int):
    return _NoProgress()


# --- reading files ---------------------------------------------------------------------

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


# --- checking values ------------------------------------------------------------------

class _RowErrors:
    def __init__(self, number: int, labels: dict[str, str]):
        self.number, self.labels, self.problems = number, labels, []

    def add(self, name: str, message) -> None:
        self.problems.append(Problem(self.number, self.labels.get(name, name), str(message)))


def _text(errors, values, name, max_length, required=False):
    value = values.get(name, "")
    if isinstance(value, (dt.date, dt.datetime)):
        value = value.isoformat()
    value = str(value).strip()
    if not value:
        if required:
            errors.add(name, _l("This column must not be empty."))
        return None
    problem = text_problem(value, max_length)
    if problem:
        errors.add(name, problem)
        return None
    return value


def _date(errors, values, name) -> dt.date | None:
    value = values.get(name, "")
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if not text:
        return None
    for pattern in ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d", "%Y年%m月%d日"):
        try:
            day = dt.datetime.strptime(text, pattern).date()
            break
        except ValueError:
            continue
    else:
        errors.add(name, _l("Write the date as YYYY-MM-DD, e.g. 1990-05-17."))
        return None
    if day > dt.date.today() or day.year < 1900:
        errors.add(name, _l("This date is not possible."))
        return None
    return day


def _moment(errors, values, name, tz: ZoneInfo, required=False) -> dt.datetime | None:
    value = values.get(name, "")
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time())
    else:
        text = str(value).strip()
        if not text:
            if required:
                errors.add(name, _l("This column must not be empty."))
            return None
        try:
            moment = dt.datetime.fromisoformat(text.replace("/", "-"))
        except ValueError:
            errors.add(name, _l("Write the time as YYYY-MM-DD HH:MM, e.g. 2026-05-01 "
                                "14:30 (local time of the store)."))
            return None
    if moment.tzinfo is None:  # local time of the store (or of the chain)
        moment = moment.replace(tzinfo=tz)
    try:
        moment = moment.astimezone(dt.timezone.utc)
    except OverflowError:  # e.g. 0001-01-01T00:00:00+14:00 is before year 1 in UTC
        moment = None
    if moment is None or moment.year < 1900:
        errors.add(name, _l("This date is not possible."))
        return None
    if moment > utcnow() + dt.timedelta(days=1):
        errors.add(name, _l("This time is in the future."))
        return None
    return moment


def _decimal(errors, values, name, places: int, positive: bool) -> decimal.Decimal | None:
    text = str(values.get(name, "")).strip().replace(",", "")
    if not text:
        errors.add(name, _l("This column must not be empty."))
        return None
    try:
        number = decimal.Decimal(text)
    except decimal.InvalidOperation:
        errors.add(name, _l("Write a number, e.g. 12.50."))
        return None
    if not number.is_finite() or number.as_tuple().exponent < -places:
        errors.add(name, _l("At most %(count)s decimal places.", count=places))
        return None
    if positive and number <= 0 or number < 0:
        errors.add(name, _l("The number must be greater than zero."))
        return None
    return number


# --- the import -----------------------------------------------------------------------

@dataclass
class _MemberRow:
    number: int
    name: str | None
    phone: str | None
    phone_hash: str | None
    card: str | None
    gender: str | None
    birthday: dt.date | None
    store_id: int | None
    joined_at: dt.datetime | None
    channel: str | None
    notes: str | None
    identities: list[tuple[str, str]]
    match: int | None = None


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _zone(settings_tz: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(settings_tz or "Asia/Shanghai")
    except Exception:
        return ZoneInfo("Asia/Shanghai")


def import_file(path: str | os.PathLike, kind: str = "members", *,
                mapping: dict[str, str] | None = None, dry_run: bool = False,
                skip_bad_rows: bool = False, progress: ProgressFactory | None = None,
                timezone: str | None = None) -> ImportReport:
    """Import ``path`` (see the module docstring) and return the report.

    Raises :class:`ImportFileError` when the file cannot be read at all (wrong
    format, no usable header); nothing is written then.
    """
    if kind not in KINDS:
        raise ImportFileError(_("Choose what the file holds: members or purchases."))
    path = Path(path)
    progress = progress or _no_progress
    header, rows = read_rows(path)
    by_column, named, ignored = map_columns(kind, header, mapping or {})
    report = ImportReport(kind=kind, dry_run=dry_run, skip_bad_rows=skip_bad_rows,
                          headers=named, ignored_columns=ignored)
    labels = {f: h for h, f in named.items()}
    importer = _MemberImport if kind == "members" else _PurchaseImport
    importer(report, labels, _zone(timezone), progress).run(
        path, by_column, rows, commit=not dry_run)
    return report


class _MemberImport:
    def __init__(self, report, labels, tz, progress):
        self.report, self.labels, self.tz, self.progress = report, labels, tz, progress
        self.cipher = phone_cipher()
        self.stores = {code.upper(): sid for sid, code in
                       Store.select(Store.id, Store.code).tuples()}
        self.channels = {code for code, _label in JOIN_CHANNELS}

    def _require_columns(self):
        if not ({"phone", "card_no"} | set(IDENTITY_FIELDS)) & set(self.labels):
            raise ImportFileError(_("The file needs a mobile phone or a card number column "
                                    "(e.g. 手机号, 会员卡号)."))

    def check(self, number: int, values: dict[str, Any]) -> tuple[_MemberRow | None, list]:
        errors = _RowErrors(number, self.labels)
        name = _text(errors, values, "name", 100)
        phone = phone_hash = None
        raw_phone = values.get("phone", "")
        if str(raw_phone).strip():
            try:
                phone = normalize_mobile(str(raw_phone))
                phone_hash = self.cipher.lookup_hash(phone)
            except PhoneNumberError as exc:
                errors.add("phone", exc.args[0])
        card = normalize_card(_text(errors, values, "card_no", 32))
        gender = None
        raw_gender = str(values.get("gender", "")).strip()
        if raw_gender:
            gender = GENDER_WORDS.get(raw_gender.lower())
            if gender is None:
                errors.add("gender", _l("Write 男 or 女 (male or female), or leave it "
                                        "empty."))
        birthday = _date(errors, values, "birthday")
        store_id = None
        store_code = _text(errors, values, "home_store", 20)
        if store_code:
            store_id = self.stores.get(store_code.upper())
            if store_id is None:
                errors.add("home_store", _l("There is no store with the code %(code)s.",
                                            code=store_code))
        joined_at = _moment(errors, values, "joined_at", self.tz)
        channel = _text(errors, values, "join_channel", 20)
        if channel and channel not in self.channels:
            errors.add("join_channel", _l("Choose one of the join channels %(channels)s.",
                                          channels=", ".join(sorted(self.channels))))
        notes = _text(errors, values, "notes", 2000)
        identities = []
        for kind in IDENTITY_FIELDS:
            value = _text(errors, values, kind, 128)
            if value:
                identities.append((kind, value))
        if not errors.problems and not (phone or card or identities):
            errors.add("phone", _l("Give a mobile phone or a card number."))
        if errors.problems:
            return None, errors.problems
        return _MemberRow(number, name, phone, phone_hash, card, gender, birthday,
                          store_id, joined_at, channel, notes, identities), []

    def _existing(self, good: list[_MemberRow]):
        hashes, cards, idents = {}, {}, {}
        keys = [r.phone_hash for r in good if r.phone_hash]
        for chunk in _chunks(keys, LOOKUP_CHUNK):
            hashes.update(Member.select(Member.phone_hash, Member.id)
                          .where(Member.phone_hash.in_(chunk)).tuples())
        keys = [r.card for r in good if r.card]
        for chunk in _chunks(keys, LOOKUP_CHUNK):
            cards.update(Member.select(Member.card_no, Member.id)
                         .where(Member.card_no.in_(chunk)).tuples())
        pairs = [pair for r in good for pair in r.identities]
        for kind in IDENTITY_FIELDS:
            values = [v for k, v in pairs if k == kind]
            for chunk in _chunks(values, LOOKUP_CHUNK):
                for value, member_id in (MemberIdentity
                                         .select(MemberIdentity.value, MemberIdentity.member)
                                         .where((MemberIdentity.kind == kind)
                                                & MemberIdentity.value.in_(chunk)).tuples()):
                    idents[kind, value] = member_id
        return hashes, cards, idents

    def dedupe(self, good: list[_MemberRow]) -> list[Problem]:
        hashes, cards, idents = self._existing(good)
        seen: dict[Any, int] = {}
        problems = []
        kept = []
        for row in good:
            errors = _RowErrors(row.number, self.labels)
            keys = []
            if row.phone_hash:
                keys.append(("phone", ("p", row.phone_hash)))
            if row.card:
                keys.append(("card_no", ("c", row.card)))
            keys += [(kind, ("i", kind, value)) for kind, value in row.identities]
            for name, key in keys:
                if key in seen:
                    errors.add(name, _l("Row %(row)s of this file has the same value.",
                                        row=seen[key]))
            found = set()
            if row.phone_hash in hashes:
                found.add(hashes[row.phone_hash])
            if row.card in cards:
                found.add(cards[row.card])
            found |= {idents[pair] for pair in row.identities if pair in idents}
            if len(found) > 1:
                errors.add("phone" if row.phone_hash else "card_no", _l(
                    "The phone, card and accounts of this row belong to different "
                    "members (%(ids)s): merge them first.",
                    ids=", ".join(f"#{i}" for i in sorted(found))))
            if errors.problems:
                problems += errors.problems
                continue
            for _name, key in keys:
                seen[key] = row.number
            row.match = found.pop() if found else None
            kept.append(row)
        good[:] = kept
        return problems

    def run(self, path, by_column, rows, commit: bool) -> None:
        report = self.report
        self._require_columns()
        checking = self.progress(_("Checking rows"), count_rows(path))
        good: list[_MemberRow] = []
        for number, values in rows:
            report.rows += 1
            fields = {name: values[i] for i, name in by_column.items() if i < len(values)}
            row, problems = self.check(number, fields)
            if row is not None:
                good.append(row)
            report.problems += problems
            checking.advance()
        checking.close()
        report.problems += self.dedupe(good)
        report.problems.sort(key=lambda p: p.row)
        new = [r for r in good if r.match is None]
        matched = [r for r in good if r.match is not None]
        report.created, report.matched = len(new), len(matched)
        if report.problems and not report.skip_bad_rows:
            report.created = report.matched = 0     # all or nothing: nothing
            return
        if not commit or not good:
            return
        storing = self.progress(_("Storing members"), len(good))
        with write_transaction():
            self._store(new, matched, storing)
        storing.close()
        report.committed = True

    def _reserve_ids(self, writer: BulkWriter, n: int) -> list[int]:
        if not n:
            return []
        if writer.kind == "postgresql":
            return [r[0] for r in database.execute_sql(
                "SELECT nextval(pg_get_serial_sequence('members_member', 'id')) "
                "FROM generate_series(1, %s)", (n,)).fetchall()]
        first = writer.next_id(Member)   # SQLite: BEGIN IMMEDIATE holds the write lock
        return list(range(first, first + n))

    def _store(self, new, matched, storing) -> None:
        writer = BulkWriter()
        try:
            now = utcnow().strftime("%Y-%m-%d %H:%M:%S")
            ids = self._reserve_ids(writer, len(new))
            identities = []
            encrypt = self.cipher.encrypt
            for chunk_ids, chunk in zip(_chunks(ids, WRITE_CHUNK), _chunks(new, WRITE_CHUNK)):
                out = []
                for mid, r in zip(chunk_ids, chunk):
                    out.append((mid, r.name, r.gender or "unknown",
                                r.birthday.isoformat() if r.birthday else None,
                                encrypt(r.phone) if r.phone else None, r.phone_hash,
                                r.phone[-4:] if r.phone else None, r.card, r.store_id,
                                r.joined_at.strftime("%Y-%m-%d %H:%M:%S")
                                if r.joined_at else now,
                                r.channel or "import", "potential", r.notes, None))
                    identities += [(mid, kind, value, now) for kind, value in r.identities]
                _write(writer, Member, MEMBER_INSERT, out)
                storing.advance(len(chunk))
            self._update(writer, matched, storing)
            known = set()
            pairs = [(r.match, k, v) for r in matched for k, v in r.identities]
            for chunk in _chunks(pairs, LOOKUP_CHUNK):
                known |= set(MemberIdentity.select(MemberIdentity.member, MemberIdentity.kind,
                                                   MemberIdentity.value)
                             .where(MemberIdentity.value.in_([v for _m, _k, v in chunk]))
                             .tuples())
            identities += [(m, k, v, now) for m, k, v in pairs if (m, k, v) not in known]
            _write(writer, MemberIdentity, ("member_id", "kind", "value", "created_at"),
                   identities)
        finally:
            writer.abort()   # connection settings back; ids came from the sequence

    def _update(self, writer: BulkWriter, matched, storing) -> None:
        """The file's non-empty fields win; a phone already on the member stays."""
        mark = "?" if writer.kind == "sqlite" else "%s"
        columns = ("name", "gender", "birthday", "home_store_id", "notes", "card_no",
                   "phone_encrypted", "phone_hash", "phone_last4", "join_channel")
        sql = ("UPDATE members_member SET "
               + ", ".join(f"{c} = COALESCE({mark}, {c})" for c in columns)
               + f" WHERE id = {mark}")
        current = {}
        for chunk in _chunks([r.match for r in matched], LOOKUP_CHUNK):
            current.update(Member.select(Member.id, Member.phone_hash)
                           .where(Member.id.in_(chunk)).tuples())
        params = []
        for r in matched:
            new_phone = r.phone if r.phone_hash and current.get(r.match) != r.phone_hash \
                else None
            params.append((r.name, r.gender, r.birthday.isoformat() if r.birthday else None,
                           r.store_id, r.notes, r.card,
                           self.cipher.encrypt(new_phone) if new_phone else None,
                           r.phone_hash if new_phone else None,
                           new_phone[-4:] if new_phone else None, r.channel, r.match))
        cursor = database.cursor()
        for chunk in _chunks(params, WRITE_CHUNK):
            if writer.kind == "postgresql":
                from psycopg2.extras import execute_batch

                execute_batch(cursor, sql, chunk, page_size=500)
            else:
                cursor.executemany(sql, chunk)
            storing.advance(len(chunk))


class _PurchaseImport:
    """Purchase lines grouped into sales by transaction id, recorded like POS sales."""

    def __init__(self, report, labels, tz, progress):
        self.report, self.labels, self.tz, self.progress = report, labels, tz, progress
        self.stores = {s.code.upper(): s for s in Store.select()}
        self.methods = {code for code, _label in PAYMENT_METHODS}

    def _require_columns(self):
        missing = [f for f in ("transaction_id", "store", "occurred_at", "sku", "item",
                               "category", "quantity", "amount") if f not in self.labels]
        if missing:
            raise ImportFileError(_("The file lacks the columns %(columns)s.",
                                    columns=", ".join(COLUMNS["purchases"][f][0]
                                                      for f in missing)))

    def check(self, number, values):
        errors = _RowErrors(number, self.labels)
        pos_id = _text(errors, values, "transaction_id", 64, required=True)
        code = _text(errors, values, "store", 20, required=True)
        store = self.stores.get(code.upper()) if code else None
        if code and store is None:
            errors.add("store", _l("There is no store with the code %(code)s.", code=code))
        tz = _zone(store.timezone) if store else self.tz
        occurred = _moment(errors, values, "occurred_at", tz, required=True)
        member = None
        raw_phone = str(values.get("member_phone", "")).strip()
        card = normalize_card(_text(errors, values, "member_card", 32))
        if raw_phone:
            try:
                member = {"phone": normalize_mobile(raw_phone)}
            except PhoneNumberError as exc:
                errors.add("member_phone", exc.args[0])
        elif card:
            member = {"card": card}
        line = {"sku": _text(errors, values, "sku", 40, required=True),
                "name": _text(errors, values, "item", 100, required=True),
                "category": _text(errors, values, "category", 40, required=True),
                "counter": _text(errors, values, "counter", 20)}
        quantity = _decimal(errors, values, "quantity", 3, positive=True)
        amount = _decimal(errors, values, "amount", 2, positive=False)
        method = _text(errors, values, "payment_method", 20) or "cash"
        if method not in self.methods:
            errors.add("payment_method", _l("Choose one of the payment methods %(methods)s.",
                                            methods=", ".join(sorted(self.methods))))
        if errors.problems:
            return None, errors.problems
        line.update(quantity=str(quantity), amount=str(amount))
        return {"number": number, "id": pos_id, "store": store.code,
                "occurred_at": occurred.isoformat(), "member": member, "line": line,
                "method": method}, []

    def run(self, path, by_column, rows, commit: bool) -> None:
        from .pos import PosInputError, parse_sale
        from .services import find_member

        report = self.report
        self._require_columns()
        checking = self.progress(_("Checking rows"), count_rows(path))
        sales: dict[str, list[dict]] = {}
        bad_sales: set[str] = set()
        for number, values in rows:
            report.rows += 1
            fields = {name: values[i] for i, name in by_column.items() if i < len(values)}
            row, problems = self.check(number, fields)
            report.problems += problems
            pos_id = str(fields.get("transaction_id", "")).strip()
            if row is None:
                bad_sales.add(pos_id)
            else:
                sales.setdefault(row["id"], []).append(row)
            checking.advance()
        checking.close()
        ready = []
        for pos_id, lines in sales.items():
            first = lines[0]
            labels = _RowErrors(first["number"], self.labels)
            if pos_id in bad_sales:
                for line in lines:
                    report.problems.append(Problem(line["number"], labels.labels.get(
                        "transaction_id", "transaction_id"), str(_l(
                            "Another row of this transaction is bad."))))
                continue
            problems = []
            for line in lines[1:]:
                for key, name in (("store", "store"), ("occurred_at", "occurred_at"),
                                  ("member", "member_phone")):
                    if line[key] != first[key]:
                        problems.append(Problem(line["number"], self.labels.get(name, name),
                                                str(_l("Differs from row %(row)s of the same "
                                                       "transaction.", row=first["number"]))))
            member = first["member"]
            if member and not problems and find_member(phone=member.get("phone"),
                                                       card=member.get("card")) is None:
                problems.append(Problem(first["number"], self.labels.get(
                    "member_phone" if "phone" in member else "member_card", "member"),
                    str(_l("No member has this phone or card number; import the members "
                           "first."))))
            body = {"id": pos_id, "store": first["store"], "occurred_at": first["occurred_at"],
                    "member": member, "lines": [ln["line"] for ln in lines]}
            total = sum((decimal.Decimal(ln["line"]["amount"]) for ln in lines),
                        decimal.Decimal("0"))
            body["total"] = str(total)
            body["payments"] = [{"method": first["method"], "amount": str(total)}]
            if not problems:
                try:
                    sale = parse_sale(body)
                except PosInputError as exc:
                    problems += [Problem(first["number"], self.labels.get(
                        "transaction_id", "transaction_id"), message)
                        for message in _flatten(exc.messages)]
            if problems:
                report.problems += problems
                continue
            stored = Purchase.get_or_none(Purchase.pos_id == pos_id)
            if stored is not None:
                if stored.request_hash == sale.fingerprint():
                    report.matched += 1
                else:
                    report.problems.append(Problem(first["number"], self.labels.get(
                        "transaction_id", "transaction_id"), str(_l(
                            "Transaction %(id)s was already recorded with different "
                            "content.", id=pos_id))))
                continue
            ready.append(sale)
        report.problems.sort(key=lambda p: p.row)
        report.created = len(ready)
        if not commit or (report.problems and not report.skip_bad_rows):
            if report.problems and not report.skip_bad_rows:
                report.created = report.matched = 0
            return
        from .purchases import _record

        storing = self.progress(_("Storing purchases"), len(ready))
        with write_transaction():
            for sale in ready:
                _record(sale, sale.fingerprint(), "anonymous")
                storing.advance()
        storing.close()
        report.committed = True


def _copy_text(value: Any) -> str:
    if value is None:
        return "\\N"
    return (str(value).replace("\\", "\\\\").replace("\t", "\\t")
            .replace("\n", "\\n").replace("\r", "\\r"))


def _write(writer: BulkWriter, model, columns, rows: list) -> None:
    """Bulk insert; file values may hold tabs, newlines and backslashes, which
    PostgreSQL's COPY text format needs escaped."""
    if not rows:
        return
    if writer.kind == "postgresql":
        payload = "".join("\t".join(_copy_text(v) for v in row) + "\n" for row in rows)
        writer.write_copy(model, columns, payload.encode("utf-8"))
    else:
        writer.write(model, columns, rows)


def _flatten(messages: Any, prefix: str = "") -> Iterable[str]:
    if isinstance(messages, dict):
        for key, value in messages.items():
            yield from _flatten(value, f"{prefix}{key}.")
    elif isinstance(messages, list):
        for message in messages:
            yield f"{prefix.rstrip('.')}: {message}" if prefix else str(message)


# --- keeping the run ---------------------------------------------------------------------

def save_run(report: ImportReport, file_name: str, user_name: str = "",
             started_at: dt.datetime | None = None) -> ImportRun:
    """Keep the outcome of an import (the console shows it as a page)."""
    with write_transaction():
        return ImportRun.create(
            kind=report.kind, file_name=file_name[:255], started_at=started_at or utcnow(),
            finished_at=utcnow(), user_name=user_name[:150], dry_run=report.dry_run,
            skip_bad_rows=report.skip_bad_rows, committed=report.committed,
            rows=report.rows, created=report.created, matched=report.matched,
            bad=report.bad, report=json.dumps([p.as_dict() for p in report.problems],
                                              ensure_ascii=False))

