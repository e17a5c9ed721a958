"""Data steps of the members plugin's migrations ``0009_phones_e164`` and
``0010_name_sort_keys`` (the schema history itself is in :mod:`..migrations`).

Both are safe to run again on rows they already rewrote: columns are added only when
missing, and a row already in the new form is left as it is.  They work on the
tables by name, in chunks of :data:`CHUNK` rows, never through the live models (which
a later release may change).
"""
from __future__ import annotations

import logging

import peewee

from .crypto import FieldDecryptionError, phone_cipher
from .phones import PhoneNumberError, configured_region, last4, normalize_mobile
from .sort_keys import name_sort_keys

log = logging.getLogger(__name__)
CHUNK = 2000
# a store whose currency or time zone is one of these is in that region
_REGION_OF_STORE = (("TW", "TWD", "Asia/Taipei"), ("HK", "HKD", "Asia/Hong_Kong"),
                    ("MO", "MOP", "Asia/Macau"))


def with_country(store_model: type[peewee.Model]) -> type[peewee.Model]:
    """Step 0009's copy of the store table: the frozen ``store_model`` plus ``country``."""

    class Store(store_model):
        country = peewee.CharField(max_length=2, default="CN")

        class Meta:
            table_name = "members_store"

    return Store


def with_sort_keys(member_model: type[peewee.Model]) -> type[peewee.Model]:
    """Step 0010's copy of the member table: ``member_model`` plus the name sort keys."""

    class Member(member_model):
        name_pinyin = peewee.CharField(max_length=255, null=True, index=True)
        name_zhuyin = peewee.CharField(max_length=255, null=True, index=True)

        class Meta:
            table_name = "members_member"

    return Member


def _columns(ctx, table: str) -> set[str]:
    return {c.name for c in ctx.db.get_columns(table)}


def _add_missing(ctx, model, names: tuple[str, ...]) -> None:
    table = model._meta.table_name
    present = _columns(ctx, table)
    for name in names:
        if name not in present:
            field = model._meta.fields[name]     # the migrator indexes it as declared
            ctx.run(ctx.migrator.add_column(table, field.column_name, field))


# --- 0009: store countries, phones in E.164 ------------------------------------------

def phones_e164(ctx, store_model: type[peewee.Model]) -> None:
    """Give stores their country, then rewrite every stored phone (members and the
    aliases merges left) from the bare mainland digits to E.164: decrypt, normalise
    (a bare number in the home store's country), encrypt again, hash the E.164 form."""
    _add_missing(ctx, store_model, ("country",))
    p = ctx.db.param
    key = "{}key{}".format(*ctx.db.quote)      # a reserved word on MySQL
    for region, currency, timezone in _REGION_OF_STORE:
        ctx.execute_sql(f"UPDATE members_store SET country = {p} WHERE country = 'CN' "
                        f"AND (currency = {p} OR timezone = {p})", (region, currency, timezone))
    members = _rewrite_phones(
        ctx, "SELECT m.id, m.phone_encrypted, m.phone_hash, s.country FROM members_member m "
             "LEFT JOIN members_store s ON s.id = m.home_store_id "
             f"WHERE m.phone_encrypted IS NOT NULL AND m.id > {p} ORDER BY m.id",
        f"UPDATE members_member SET phone_encrypted = {p}, phone_hash = {p}, "
        f"phone_last4 = {p} WHERE id = {p}",
        f"SELECT id, phone_hash FROM members_member WHERE phone_hash IN ")
    aliases = _rewrite_phones(
        ctx, f"SELECT id, phone_encrypted, {key}, NULL FROM members_alias "
             f"WHERE kind = 'phone' AND phone_encrypted IS NOT NULL AND id > {p} ORDER BY id",
        f"UPDATE members_alias SET phone_encrypted = {p}, {key} = {p}, phone_last4 = {p} "
        f"WHERE id = {p}",
        f"SELECT id, {key} FROM members_alias WHERE kind = 'phone' AND {key} IN ")
    log.info("phones in E.164: %s member(s) and %s alias(es) rewritten, %s left as they "
             "were (unreadable or taken)", members[0], aliases[0], members[1] + aliases[1])


def _rewrite_phones(ctx, select: str, update: str, taken: str) -> tuple[int, int]:
    """Rewrite the phones ``select`` yields (``id, ciphertext, hash, country``) in
    chunks; returns ``(rewritten, skipped)``.  A row whose number does not decrypt or
    normalise, or whose new hash another row already holds, stays as it was."""
    cipher = phone_cipher()
    default = configured_region()
    p = ctx.db.param
    last_id, done, skipped = 0, 0, 0
    while True:
        rows = ctx.execute_sql(f"{select} LIMIT {CHUNK}", (last_id,)).fetchall()
        if not rows:
            return done, skipped
        last_id = rows[-1][0]
        planned: dict[str, tuple] = {}
        for row_id, encrypted, digest, country in rows:
            try:
                stored = cipher.decrypt(encrypted)
                e164 = normalize_mobile(stored, country or default)
            except (FieldDecryptionError, PhoneNumberError):
                skipped += 1
                continue
            new_digest = cipher.lookup_hash(e164)
            if stored == e164 and digest == new_digest:
                continue                                   # rewritten by an earlier run
            if new_digest in planned:
                skipped += 1
                continue
            planned[new_digest] = (cipher.encrypt(e164), new_digest, last4(e164), row_id)
        if planned:
            marks = ", ".join([p] * len(planned))
            holders = {held: holder for holder, held in
                       ctx.execute_sql(f"{taken}({marks})", tuple(planned)).fetchall()}
            params = []
            for new_digest, values in planned.items():
                if holders.get(new_digest, values[3]) != values[3]:
                    skipped += 1                          # the same number on another row
                    continue
                params.append(values)
            cursor = ctx.db.cursor()
            cursor.executemany(update, params)
            done += len(params)


# --- 0010: name sort keys -------------------------------------------------------------

def name_sort_keys_step(ctx, member_model: type[peewee.Model]) -> None:
    """Add the pinyin and zhuyin sort keys of member names and fill them for every
    member with a name."""
    _add_missing(ctx, member_model, ("name_pinyin", "name_zhuyin"))
    p = ctx.db.param
    last_id = 0
    while True:
        rows = ctx.execute_sql(
            f"SELECT id, name FROM members_member WHERE name IS NOT NULL AND id > {p} "
            f"ORDER BY id LIMIT {CHUNK}", (last_id,)).fetchall()
        if not rows:
            return
        last_id = rows[-1][0]
        ctx.db.cursor().executemany(
            f"UPDATE members_member SET name_pinyin = {p}, name_zhuyin = {p} WHERE id = {p}",
            [name_sort_keys(name) + (row_id,) for row_id, name in rows])
