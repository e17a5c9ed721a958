"""Business rules of member identity: registering, finding, exporting and erasing.

Plain functions that take what they need; no Flask request in sight (they only need
an application context for the field key).  Hook implementations in ``plugin.py``
call them.
"""
from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

from zhanggui import ExportSection, _l, cached, database, utcnow, write_transaction

from ..segments.queries import erase_segment_data, export_segment_data
from .crypto import phone_cipher
from .models import Member, MemberIdentity, Payment, Purchase, PurchaseLine, Store
from .phones import configured_region, last4, mobile_candidates, normalize_mobile


class MemberError(ValueError):
    """A member action that cannot be done; the message says why (translated)."""


def normalize_card(card: str | None) -> str | None:
    """Card numbers as printed: spaces and dashes dropped, letters upper-cased."""
    if card is None:
        return None
    text = "".join(ch for ch in str(card) if ch not in " -\t").upper()
    return text or None


def phone_region_of(store) -> str:
    """The region a bare national number is read in: the store's country, else the
    ``PHONE_REGION`` setting."""
    country = getattr(store, "country", None) if store is not None else None
    return country or configured_region()


def phone_fields(phone: str | None, region: str | None = None) -> dict[str, Any]:
    """The three stored columns for a phone (all ``None`` when there is none): the
    E.164 number encrypted, its keyed hash and its last four digits.  A number without
    country code is read in ``region`` (default: the ``PHONE_REGION`` setting)."""
    if phone is None or not str(phone).strip():
        return {"phone_encrypted": None, "phone_hash": None, "phone_last4": None}
    normalised = normalize_mobile(phone, region or configured_region())
    cipher = phone_cipher()
    return {"phone_encrypted": cipher.encrypt(normalised),
            "phone_hash": cipher.lookup_hash(normalised),
            "phone_last4": last4(normalised)}


def register_member(*, name: str | None = None, phone: str | None = None,
                    card_no: str | None = None, home_store=None, gender: str = "unknown",
                    birthday: dt.date | None = None, join_channel: str = "store",
                    joined_at: dt.datetime | None = None,
                    lifecycle_stage: str = "potential", notes: str | None = None) -> Member:
    """Create a member.  Raises :class:`~zhanggui_members.profile.phones.PhoneNumberError`
    for a malformed phone and :class:`MemberError` when the phone or card is taken."""
    fields = phone_fields(phone, phone_region_of(home_store))
    card_no = normalize_card(card_no)
    with write_transaction():
        if fields["phone_hash"] and Member.select().where(
                Member.phone_hash == fields["phone_hash"]).exists():
            raise MemberError(_l("A member with this mobile number already exists."))
        if card_no and Member.select().where(Member.card_no == card_no).exists():
            raise MemberError(_l("This membership card number is already in use."))
        return Member.create(name=name, gender=gender, birthday=birthday, card_no=card_no,
                             home_store=home_store, join_channel=join_channel,
                             joined_at=joined_at or utcnow(), lifecycle_stage=lifecycle_stage,
                             notes=notes, **fields)


def member_phone(member: Member) -> str | None:
    """The member's phone number in clear (for people allowed to see it)."""
    if not member.phone_encrypted:
        return None
    return phone_cipher().decrypt(member.phone_encrypted)


def masked_phone(member: Member) -> str:
    """``138****8000``: what staff without ``members.view_phone`` see (the last four
    digits alone when the stored number cannot be decrypted)."""
    return member.masked_phone()


def find_member_by_identity(kind: str, value: str) -> Member | None:
    """The member linked to this channel identity (WeChat openid, app user id...)."""
    identity = (MemberIdentity.select(MemberIdentity, Member).join(Member)
                .where((MemberIdentity.kind == kind) & (MemberIdentity.value == value))
                .first())
    return identity.member if identity is not None else None


def phone_digests(phone: str, region: str | None = None) -> list[str]:
    """The keyed hashes of every number ``phone`` can mean (national or E.164, read in
    ``region`` first, then the chain's other regions); a number that is no mobile
    number anywhere raises :class:`PhoneNumberError`."""
    region = region or configured_region()
    candidates = mobile_candidates(phone, region)
    if not candidates:
        normalize_mobile(phone, region)      # raises the message that says why
    cipher = phone_cipher()
    return [cipher.lookup_hash(number) for number in candidates]


def find_member(phone: str | None = None, card: str | None = None,
                region: str | None = None) -> Member | None:
    """The member with this phone number, else with this card number, else ``None``.

    The phone may be written in E.164 or as a national number: a bare number is tried
    as a mobile number of ``region`` (default: the ``PHONE_REGION`` setting) first,
    then of the chain's other regions (:func:`phone_digests`).  A malformed one raises
    :class:`PhoneNumberError`.  Erased members are never found (their phone hash and
    card number are gone).
    """
    digests: list[str] = []
    if phone is not None and str(phone).strip():
        digests = phone_digests(phone, region)
        for digest in digests:
            member = _member_where("phone_hash", digest)
            if member is not None:
                return member
    card_no = normalize_card(card)
    if card_no:
        member = _member_where("card_no", card_no)
        if member is not None:
            return member
    # the old phone or card of a member merged into another finds that other one
    from ..merging.command import find_alias_member

    for digest in digests or [None]:
        member = find_alias_member(phone_hash=digest, card_no=card_no)
        if member is not None:
            return member
    return None


_PROBE = "\x00zhanggui-probe\x00"   # stands for the looked-up value while compiling
_COMPILED: dict[tuple, list] = {}


def _member_where(column: str, value: str) -> Member | None:
    """``Member.get_or_none(Member.<column> == value)``: the same SQL and the same
    ``Member``, but the SQL compiled once per database kind and column, and the row
    turned into a ``Member`` with the column converters peewee resolved the first
    time.  Building and compiling the select of every member column, then resolving
    its result columns, was nearly all the time of a till look-up
    (``bench/benchmarks/lookup.py``)."""
    db = database.obj
    key = (type(db), db.param, db.quote, column)
    compiled = _COMPILED.get(key)
    if compiled is None:
        field = getattr(Member, column)
        query = (Member.select().where(field == _PROBE)
                 .paginate(1, 1))                 # what get_or_none runs: LIMIT 1 OFFSET 0
        sql, params = query.sql()
        compiled = _COMPILED[key] = [query, sql, field.db_value,
                                     [p == _PROBE for p in params], list(params), None]
    query, sql, db_value, is_probe, params, row_plan = compiled
    value = db_value(value)
    cursor = db.execute_sql(sql, [value if probe else p
                                  for probe, p in zip(is_probe, params)])
    if row_plan is None:               # the first time: peewee's own cursor wrapper
        wrapper = query._get_cursor_wrapper(cursor)
        member = next(iter(wrapper), None)
        if wrapper.initialized:
            compiled[5] = (wrapper.unique_columns, wrapper.no_convert, wrapper.convert,
                           wrapper.converters)
        return member
    row = cursor.fetchone()
    cursor.close()
    if row is None:
        return None
    columns, no_convert, convert, converters = row_plan   # as peewee's process_row
    data = {columns[i]: row[i] for i in no_convert}
    for i in convert:
        data[columns[i]] = converters[i](row[i])
    member = Member(__no_default__=1, **data)
    member._dirty.clear()
    return member


def _store_by_id(store_id: int) -> Store | None:
    """A store row as this worker keeps it until a store changes (read-only)."""
    return cached(("members.store_id", store_id), lambda: Store.get_or_none(Store.id == store_id))


def member_in_scope(member: Member) -> bool:
    """Whether the signed-in user may reach ``member``, a row just read: what
    :func:`zhanggui.console.scope.member_reachable` answers, without reading the
    member again (its home store comes from the worker's cache).  A merged member
    is out of reach; one without a home store only for users who see every store."""
    from zhanggui.console.scope import user_store_codes

    if member.merged_into_id is not None:
        return False
    codes = user_store_codes()
    if codes is None:
        return True
    store = _store_by_id(member.home_store_id) if member.home_store_id else None
    return store is not None and store.code in codes


def member_summary(member: Member) -> dict[str, Any]:
    """What a till or the call center shows about a member: no phone in clear.

    Loyalty's tier and points are not here: they belong to the loyalty plugin.
    """
    from peewee import fn

    from .models import CENT

    count, last_at, spent = (
        Purchase.select(fn.COUNT(Purchase.id), fn.MAX(Purchase.occurred_at),
                        fn.SUM(Purchase.total - Purchase.refunded_amount))
        .where(Purchase.member == member).scalar(as_tuple=True))
    if isinstance(last_at, str):  # SQLite hands aggregates back untyped
        last_at = dt.datetime.fromisoformat(last_at)
    if last_at is not None and last_at.tzinfo is None:
        last_at = last_at.replace(tzinfo=dt.timezone.utc)
    store = _store_by_id(member.home_store_id) if member.home_store_id else None
    return {
        "id": member.id, "name": member.name, "phone": masked_phone(member),
        "card": member.card_no, "gender": member.gender,
        "home_store": {"code": store.code, "name": store.name} if store else None,
        "lifecycle_stage": member.lifecycle_stage, "join_channel": member.join_channel,
        "joined_at": _when(member.joined_at),
        "purchases": {"count": count or 0, "last_at": _when(last_at),
                      "net_spent": str(decimal.Decimal(str(spent or 0)).quantize(CENT))},
    }


def member_timeline(member: Member, limit: int = 50) -> list[dict[str, Any]]:
    """The member's latest purchases, newest first, each with its store, lines,
    payments and refunds (four queries whatever the number of purchases)."""
    from .models import Refund, Store

    purchases = list(Purchase.select(Purchase, Store).join(Store)
                     .where(Purchase.member == member)
                     .order_by(Purchase.occurred_at.desc(), Purchase.id.desc()).limit(limit))
    ids = [p.id for p in purchases]
    lines: dict[int, list] = {i: [] for i in ids}
    payments: dict[int, list] = {i: [] for i in ids}
    refunds: dict[int, list] = {i: [] for i in ids}
    if ids:
        for line in PurchaseLine.select().where(PurchaseLine.purchase.in_(ids)) \
                .order_by(PurchaseLine.id):
            lines[line.purchase_id].append(line)
        for pay in Payment.select().where(Payment.purchase.in_(ids)).order_by(Payment.id):
            payments[pay.purchase_id].append(pay)
        for refund in Refund.select().where(Refund.purchase.in_(ids)).order_by(Refund.id):
            refunds[refund.purchase_id].append(refund)
    return [{"purchase": p, "store": p.store, "lines": lines[p.id],
             "payments": payments[p.id], "refunds": refunds[p.id]} for p in purchases]


def reveal_phone(member: Member) -> str | None:
    """The member's phone in clear, for someone allowed to see it; the viewing is
    written to the audit log first, in the same transaction, so a number is never
    shown without its entry.  The caller checks ``members.view_phone``."""
    from zhanggui.console.audit import record  # the core's audit log (PIPL art. 54-56)

    with write_transaction():
        record("view", Member._meta.table_name, pk=member.id, fields=["phone"])
        return member_phone(member)


# --- personal data: export (PIPL art. 45) and erasure (art. 47) ---------------------

def _money(value) -> str:
    return str(value) if value is not None else None


def _when(value) -> str | None:
    return value.isoformat() if value is not None else None


def export_member_data(member_id: Any) -> list[ExportSection]:
    """The member's profile, channel identities and purchases as plain JSON-able rows."""
    member = Member.get_or_none(Member.id == member_id)
    if member is None:
        return []
    profile = {
        "id": member.id, "name": member.name, "gender": member.gender,
        "birthday": _when(member.birthday), "mobile_phone": member_phone(member),
        "card_no": member.card_no,
        "home_store": member.home_store.name if member.home_store_id else None,
        "joined_at": _when(member.joined_at), "join_channel": member.join_channel,
        "lifecycle_stage": member.lifecycle_stage, "notes": member.notes,
        "erased_at": _when(member.erased_at),
    }
    identities = [{"kind": i.kind, "value": i.value, "linked_at": _when(i.created_at)}
                  for i in member.identities.order_by(MemberIdentity.id)]
    purchases = list(Purchase.select().where(Purchase.member == member)
                     .order_by(Purchase.occurred_at, Purchase.id))
    ids = [p.id for p in purchases]
    lines: dict[int, list[dict]] = {i: [] for i in ids}
    payments: dict[int, list[dict]] = {i: [] for i in ids}
    for chunk in (ids[i:i + 500] for i in range(0, len(ids), 500)):
        for line in PurchaseLine.select().where(PurchaseLine.purchase.in_(chunk)) \
                .order_by(PurchaseLine.id):
            lines[line.purchase_id].append({
                "sku": line.sku, "item": line.name, "category": line.category,
                "counter": line.counter_code, "quantity": str(line.quantity),
                "amount": _money(line.amount)})
        for pay in Payment.select().where(Payment.purchase.in_(chunk)).order_by(Payment.id):
            payments[pay.purchase_id].append({"method": pay.method,
                                              "amount": _money(pay.amount)})
    stores = {}
    rows = []
    for p in purchases:
        if p.store_id not in stores:
            stores[p.store_id] = p.store
        store = stores[p.store_id]
        rows.append({"transaction_id": p.pos_id, "store": store.name,
                     "currency": store.currency, "occurred_at": _when(p.occurred_at),
                     "channel": p.channel, "total": _money(p.total),
                     "refunded_amount": _money(p.refunded_amount),
                     "lines": lines[p.id], "payments": payments[p.id]})
    from ..consent.service import export_consents
    from ..merging.service import export_member_merges
    from ..tags.service import export_member_tags

    return ([ExportSection(name="members.profile", title=_l("Member profile"),
                           rows=[profile]),
             ExportSection(name="members.identities", title=_l("Linked accounts"),
                           rows=identities),
             ExportSection(name="members.purchases", title=_l("Purchases"), rows=rows)]
            + export_consents(member.id) + export_segment_data(member.id)
            + export_member_tags(member.id) + export_member_merges(member.id))


def erase_member_data(member_id: Any) -> list[str]:
    """Irreversibly anonymise the member; keep purchases, de-identified.

    The row stays (its id is a pseudonym with nothing attached) so sales figures still
    add up; name, phone, card number, birthday, gender, notes and channel identities
    go, and the stored POS request fingerprints and responses of the member's
    purchases, which may echo personal data, are dropped.  On SQLite
    ``secure_delete`` is switched on so the old values are overwritten in the
    database file rather than left in free space; the caller should checkpoint the
    WAL after committing.  Erasing twice is harmless.
    """
    if database.obj is not None and _backend() == "sqlite":
        database.execute_sql("PRAGMA secure_delete = ON")
    with write_transaction():
        member = Member.get_or_none(Member.id == member_id)
        if member is None:
            return []
        identities = MemberIdentity.delete().where(MemberIdentity.member == member).execute()
        from ..consent.service import erase_consents
        consents = erase_consents(member.id)
        purchases = (Purchase.update(request_hash=None, response=None)
                     .where(Purchase.member == member).execute())
        segments = erase_segment_data(member.id)
        Member.update(name=None, name_pinyin=None, name_zhuyin=None, gender="unknown", birthday=None, phone_encrypted=None,
                      phone_hash=None, phone_last4=None, card_no=None, notes=None,
                      erased_at=member.erased_at or utcnow()) \
            .where(Member.id == member.id).execute()
        from ..merging.service import erase_member_aliases
        from ..tags.service import erase_member_tags

        extra = erase_member_tags(member.id) + erase_member_aliases(member.id)
    return [f"profile of member {member.id} anonymised",
            f"{identities} linked account(s) deleted",
            f"{purchases} purchase(s) de-identified"] + consents + segments + extra


def _backend() -> str:
    import peewee

    return "sqlite" if isinstance(database.obj, peewee.SqliteDatabase) else "other"
