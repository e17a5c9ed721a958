"""Importing members and purchases from CSV and XLSX files: the rows checked, members imported.

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

Files are read by :mod:`.reading`, purchases imported by :mod:`.purchase_import`, and
:func:`.file_import.import_file` is the one entry point for either kind.  The report,
the row checks and the bulk writer below are shared by both kinds.
"""
from __future__ import annotations

import datetime as dt
import decimal
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator
from zoneinfo import ZoneInfo

from zhanggui import _, _l, database, utcnow, write_transaction
from zhanggui.console.datamodel.safe_fields import text_problem

from ..bulk import BulkWriter
from ..profile.crypto import phone_cipher
from ..profile.models import GENDERS, JOIN_CHANNELS, Member, MemberIdentity, Store
from ..profile.phones import PhoneNumberError, configured_region, normalize_mobile
from ..profile.services import normalize_card
from ..profile.sort_keys import name_sort_keys
from .columns import IDENTITY_FIELDS
from .reading import ImportFileError, count_rows

KINDS = ("members", "purchases")
LOOKUP_CHUNK = 500
WRITE_CHUNK = 5000
MEMBER_INSERT = ("id", "name", "gender", "birthday", "phone_encrypted", "phone_hash",
                 "phone_last4", "card_no", "home_store_id", "joined_at", "join_channel",
                 "lifecycle_stage", "notes", "erased_at", "name_pinyin", "name_zhuyin")
GENDER_WORDS = {"男": "male", "m": "male", "male": "male", "先生": "male",
                "女": "female", "f": "female", "female": "female", "女士": "female",
                "未知": "unknown", "unknown": "unknown", "保密": "unknown"}
GENDER_WORDS.update({str(label).lower(): code for code, label in GENDERS})


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


class MemberImport:
    """Member rows: checked, matched to existing members, written in bulk."""

    def __init__(self, report, labels, tz, progress):
        self.report, self.labels, self.tz, self.progress = report, labels, tz, progress
        self.cipher = phone_cipher()
        self.stores = {code.upper(): (sid, country) for sid, code, country in
                       Store.select(Store.id, Store.code, Store.country).tuples()}
        self.region = configured_region()
        self.channels = {code for code, _label in JOIN_CHANNELS}

    def _require_columns(self):
        if not ({"phone", "card_no"} | set(IDENTITY_FIELDS)) & set(self.labels):
            raise ImportFileError(_("The file needs a mobile phone or a card number column "
                                    "(e.g. 手机号, 会员卡号)."))

    def check(self, number: int, values: dict[str, Any]) -> tuple[_MemberRow | None, list]:
        errors = _RowErrors(number, self.labels)
        name = _text(errors, values, "name", 100)
        store_id, region = None, self.region
        store_code = _text(errors, values, "home_store", 20)
        if store_code:
            store_id, region = self.stores.get(store_code.upper(), (None, region))
            if store_id is None:
                errors.add("home_store", _l("There is no store with the code %(code)s.",
                                            code=store_code))
        phone = phone_hash = None
        raw_phone = values.get("phone", "")
        if str(raw_phone).strip():
            try:   # a number without country code is one of the home store's country
                phone = normalize_mobile(str(raw_phone), region)
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
                                r.channel or "import", "potential", r.notes, None)
                               + name_sort_keys(r.name))
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
                   "phone_encrypted", "phone_hash", "phone_last4", "join_channel",
                   "name_pinyin", "name_zhuyin")
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
                           new_phone[-4:] if new_phone else None, r.channel)
                          + name_sort_keys(r.name) + (r.match,))
        cursor = database.cursor()
        for chunk in _chunks(params, WRITE_CHUNK):
            if writer.kind == "postgresql":
                from psycopg2.extras import execute_batch

                execute_batch(cursor, sql, chunk, page_size=500)
            else:
                cursor.executemany(sql, chunk)
            storing.advance(len(chunk))


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
