"""The audit log: who viewed, exported or changed what, and when (PIPL art. 54-56).

``zhanggui_audit_log`` is append-only.  Each entry stores who (user id and name), the
action (see :data:`ACTIONS`), the resource (a table or security object), the record's
primary key, the NAMES of the fields changed (never their values), the time in UTC,
the client IP and user agent.

Tampering is detectable: entry ``n`` stores ``sha256(hash of entry n-1 + canonical
entry n)`` and a gap-free sequence number; the chain head (``zhanggui_audit_head``)
holds the last sequence number and hash.  :func:`verify` (and ``zhanggui audit
verify``) walks the chain and names the first broken entry.  Writers serialise on the
chain head (``SELECT ... FOR UPDATE`` on PostgreSQL and MySQL, ``BEGIN IMMEDIATE`` on
SQLite), so concurrent writers never fork the chain; a unique sequence number backs
that up.  Triggers refuse UPDATE and DELETE on the log.

Plugins call :func:`record` for what the console cannot see by itself, e.g.
unmasking a phone number::

    from zhanggui.console.audit import record

    record("view", "members_member", pk=member.id, fields=["phone"])

Screens and APIs built on ``zhanggui.console.datamodel`` are audited automatically
(see :mod:`zhanggui.console.auditing`).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any, Iterable

import click
import peewee
from flask import g, has_request_context, request
from flask.cli import with_appcontext

from ..db import Model, UTCDateTimeField, backend, database, utcnow, write_transaction
from ..i18n import _

ACTIONS = ("view", "export", "create", "update", "delete", "login", "login-failed",
           "permission-change")
GENESIS = "0" * 64


class AuditEntry(Model):
    """One audited event; never updated or deleted."""

    seq = peewee.BigIntegerField(unique=True)
    created_at = UTCDateTimeField(index=True)
    user_id = peewee.IntegerField(null=True, index=True)
    user_name = peewee.CharField(max_length=256, default="")
    action = peewee.CharField(max_length=32, index=True)
    resource = peewee.CharField(max_length=128, index=True)
    record_pk = peewee.CharField(max_length=128, null=True)
    fields = peewee.TextField(default="")
    ip = peewee.CharField(max_length=64, default="")
    user_agent = peewee.CharField(max_length=512, default="")
    prev_hash = peewee.CharField(max_length=64)
    row_hash = peewee.CharField(max_length=64)

    class Meta:
        table_name = "zhanggui_audit_log"

    def __str__(self):
        return f"#{self.seq} {self.action} {self.resource}"

    def canonical(self) -> str:
        """The entry as hashed: every column but the hashes, in a fixed JSON form."""
        created = self.created_at.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        return json.dumps([self.seq, created, self.user_id, self.user_name, self.action,
                           self.resource, self.record_pk, self.fields, self.ip,
                           self.user_agent], ensure_ascii=False, separators=(",", ":"))

    def compute_hash(self) -> str:
        return hashlib.sha256((self.prev_hash + self.canonical()).encode("utf-8")).hexdigest()


class AuditChainHead(Model):
    """The single row (id 1) naming the last entry of the chain; writers lock it."""

    id = peewee.IntegerField(primary_key=True)
    seq = peewee.BigIntegerField(default=0)
    row_hash = peewee.CharField(max_length=64, default=GENESIS)

    class Meta:
        table_name = "zhanggui_audit_head"


# ------------------------------------------------------------------ migration
_TRIGGERS = {
    "sqlite": [
        "CREATE TRIGGER zhanggui_audit_log_no_update BEFORE UPDATE ON zhanggui_audit_log "
        "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
        "CREATE TRIGGER zhanggui_audit_log_no_delete BEFORE DELETE ON zhanggui_audit_log "
        "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
    ],
    "postgresql": [
        "CREATE FUNCTION zhanggui_audit_log_append_only() RETURNS trigger AS $$ BEGIN "
        "RAISE EXCEPTION 'the audit log is append-only'; END; $$ LANGUAGE plpgsql",
        "CREATE TRIGGER zhanggui_audit_log_append_only BEFORE UPDATE OR DELETE ON "
        "zhanggui_audit_log FOR EACH ROW EXECUTE FUNCTION zhanggui_audit_log_append_only()",
    ],
}


def migrate_audit_log(ctx) -> None:
    """Migration ``core:0001_audit_log``: the log, its chain head and the triggers."""

    class AuditLog0001(Model):
        seq = peewee.BigIntegerField(unique=True)
        created_at = UTCDateTimeField(index=True)
        user_id = peewee.IntegerField(null=True, index=True)
        user_name = peewee.CharField(max_length=256, default="")
        action = peewee.CharField(max_length=32, index=True)
        resource = peewee.CharField(max_length=128, index=True)
        record_pk = peewee.CharField(max_length=128, null=True)
        fields = peewee.TextField(default="")
        ip = peewee.CharField(max_length=64, default="")
        user_agent = peewee.CharField(max_length=512, default="")
        prev_hash = peewee.CharField(max_length=64)
        row_hash = peewee.CharField(max_length=64)

        class Meta:
            table_name = "zhanggui_audit_log"

    class AuditHead0001(Model):
        id = peewee.IntegerField(primary_key=True)
        seq = peewee.BigIntegerField(default=0)
        row_hash = peewee.CharField(max_length=64, default=GENESIS)

        class Meta:
            table_name = "zhanggui_audit_head"

    ctx.create_tables([AuditLog0001, AuditHead0001])
    AuditHead0001.insert(id=1, seq=0, row_hash=GENESIS).execute()
    for sql in _TRIGGERS.get(ctx.backend, []):
        ctx.execute_sql(sql)


# ------------------------------------------------------------------ writing
def _actor(user: Any) -> tuple[int | None, str]:
    if user is None and has_request_context():
        user = getattr(g, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        return None, ""
    return getattr(user, "id", None), str(getattr(user, "username", "") or "")


def _client() -> tuple[str, str]:
    if not has_request_context():
        return "", ""
    agent = request.headers.get("User-Agent", "")
    return (request.remote_addr or "")[:64], agent[:512]


def _lock_head() -> AuditChainHead:
    query = AuditChainHead.select().where(AuditChainHead.id == 1)
    if backend(database) != "sqlite":  # SQLite: the IMMEDIATE transaction is the lock
        query = query.for_update()
    return query.get()


def record(action: str, resource: str, pk: Any = None, fields: Iterable[str] = (),
           user: Any = None) -> AuditEntry:
    """Append an entry to the audit log and return it.

    ``action`` is one of :data:`ACTIONS`; ``resource`` names what was touched (a table
    name such as ``"members_member"`` or a security object such as ``"User"``);
    ``pk`` the record's primary key (or ``None``); ``fields`` the NAMES of the fields
    viewed or changed, never their values.  ``user`` defaults to the signed-in user
    (console session, API key or JWT); client IP and user agent come from the request.

    Runs in its own write transaction, or joins the caller's: called inside a
    transaction the entry commits or rolls back with the caller's change.  On SQLite
    that transaction must hold the write lock (``zhanggui.write_transaction()``).
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}; use one of {', '.join(ACTIONS)}")
    user_id, user_name = _actor(user)
    ip, agent = _client()
    names = ",".join(sorted({str(f) for f in fields}))
    with write_transaction():
        head = _lock_head()
        entry = AuditEntry(seq=head.seq + 1, created_at=utcnow().replace(microsecond=0),
                           user_id=user_id, user_name=user_name[:256], action=action,
                           resource=str(resource)[:128],
                           record_pk=None if pk is None else str(pk)[:128],
                           fields=names, ip=ip, user_agent=agent, prev_hash=head.row_hash)
        entry.row_hash = entry.compute_hash()
        entry.save(force_insert=True)
        (AuditChainHead.update(seq=entry.seq, row_hash=entry.row_hash)
         .where(AuditChainHead.id == 1).execute())
    return entry


# ------------------------------------------------------------------ checking
@dataclass(frozen=True)
class ChainReport:
    """What :func:`verify` found: ``ok``, entries checked, and the first broken one."""

    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""


def verify() -> ChainReport:
    """Walk the chain in sequence order; report the first entry that is missing,
    altered, or not linked to its predecessor, and a chain head that does not match
    the last entry (entries removed at the end)."""
    previous, expected, checked = GENESIS, 1, 0
    for entry in AuditEntry.select().order_by(AuditEntry.seq).iterator():
        if entry.seq != expected:
            return ChainReport(False, checked, expected,
                               _("the entry is missing (removed from the log)"))
        if entry.prev_hash != previous:
            return ChainReport(False, checked, entry.seq,
                               _("the entry is not linked to the one before it"))
        if entry.compute_hash() != entry.row_hash:
            return ChainReport(False, checked, entry.seq,
                               _("the entry was altered after it was written"))
        previous, expected, checked = entry.row_hash, expected + 1, checked + 1
    head = AuditChainHead.get_or_none(AuditChainHead.id == 1)
    if head is None or head.seq != checked or head.row_hash != previous:
        return ChainReport(False, checked, checked + 1,
                           _("entries are missing at the end of the log"))
    return ChainReport(True, checked)


@click.group("audit")
def audit_group() -> None:
    """The audit log."""


@audit_group.command("verify")
@with_appcontext
def audit_verify_command() -> None:
    """Check the audit log's hash chain; exit 1 naming the first broken entry."""
    report = verify()
    if report.ok:
        click.echo(_("Audit log intact: %(count)s entries checked.", count=report.checked))
        return
    click.echo(_("Audit log broken at entry #%(seq)s: %(reason)s",
                 seq=report.broken_seq, reason=report.reason), err=True)
    raise SystemExit(1)
