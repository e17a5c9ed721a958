"""Tables of marketing consent (per member and channel) and of file imports.

Imported by :mod:`zhanggui_members.models` (at its end, since they refer to
``Member``): import these classes from there, never this module first.

* ``ConsentRecord`` is append-only: every grant and withdrawal, with its source, time,
  the version of the consent text shown and who recorded it.  It is the proof.
* ``ConsentState`` is derived from it: one row per member and channel with the latest
  answer, written in the same transaction as the record, so a campaign audience of a
  million members is one indexed scan of ``(channel, granted)`` rather than a
  "latest record per member" query over the whole history.
* ``GuardianConsent``: a parent's or guardian's consent for a member under 14
  (PIPL art. 31), needed before any marketing consent of that member is accepted.
* ``ConsentText``: the wording shown, versioned per channel, with the day it applies
  from.
* ``ImportRun``: one file import (who, what, counts and the per-row report).
"""
from __future__ import annotations

import peewee

from zhanggui import Model, UTCDateTimeField, _l, utcnow

from .models import Member

CHANNELS = (("sms", _l("SMS")), ("email", _l("Email")), ("phone", _l("Phone calls")),
            ("app_push", _l("App push notifications")))
SOURCES = (("store", _l("In store")), ("pos", _l("POS")), ("app", _l("App")),
           ("callcenter", _l("Call center")), ("import", _l("Import")),
           ("console", _l("Console")), ("erasure", _l("Personal data erased")),
           ("unsubscribe", _l("Unsubscribe link or reply")))
IMPORT_KINDS = (("members", _l("Members")), ("purchases", _l("Purchases")))


class ConsentText(Model):
    """The consent wording of one channel, in one version."""

    channel = peewee.CharField(max_length=20, choices=CHANNELS, verbose_name=_l("Channel"))
    version = peewee.CharField(max_length=20, verbose_name=_l("Consent text version"))
    text_zh_cn = peewee.TextField(default="", verbose_name=_l("Wording (Simplified Chinese)"))
    text_zh_tw = peewee.TextField(default="",
                                  verbose_name=_l("Wording (Traditional Chinese)"))
    text_en = peewee.TextField(default="", verbose_name=_l("Wording (English)"))
    effective_from = UTCDateTimeField(default=utcnow, verbose_name=_l("Effective from"))

    class Meta:
        table_name = "members_consent_text"
        indexes = ((("channel", "version"), True),)

    def __str__(self):
        return f"{self.channel} {self.version}"


class ConsentRecord(Model):
    """One answer of a member about one channel; never updated (but see erasure)."""

    id = peewee.BigAutoField()
    member = peewee.ForeignKeyField(Member, backref="consent_records", index=False,
                                    verbose_name=_l("Member"))
    channel = peewee.CharField(max_length=20, choices=CHANNELS, verbose_name=_l("Channel"))
    granted = peewee.BooleanField(verbose_name=_l("Consent given"))
    source = peewee.CharField(max_length=20, choices=SOURCES, verbose_name=_l("Source"))
    text_version = peewee.CharField(max_length=20, null=True,
                                    verbose_name=_l("Consent text version"))
    recorded_at = UTCDateTimeField(default=utcnow, verbose_name=_l("Recorded at"))
    recorded_by = peewee.CharField(max_length=150, default="",
                                   verbose_name=_l("Recorded by"))

    class Meta:
        table_name = "members_consent_record"
        indexes = ((("member", "channel", "recorded_at"), False),)


class ConsentState(Model):
    """The member's current answer for a channel (the latest record)."""

    member = peewee.ForeignKeyField(Member, backref="consent_states", index=False,
                                    verbose_name=_l("Member"))
    channel = peewee.CharField(max_length=20, choices=CHANNELS, verbose_name=_l("Channel"))
    granted = peewee.BooleanField(verbose_name=_l("Consent given"))
    changed_at = UTCDateTimeField(verbose_name=_l("Changed at"))
    record_id = peewee.BigIntegerField(verbose_name=_l("Consent record"))

    class Meta:
        table_name = "members_consent_state"
        indexes = ((("member", "channel"), True), (("channel", "granted", "member"), False))


class GuardianConsent(Model):
    """A guardian's consent for a member under 14 to receive marketing."""

    id = peewee.BigAutoField()
    member = peewee.ForeignKeyField(Member, backref="guardian_consents",
                                    verbose_name=_l("Member"))
    guardian_name = peewee.CharField(max_length=100, verbose_name=_l("Guardian's name"))
    relation = peewee.CharField(max_length=30, verbose_name=_l("Relation to the member"))
    consented_at = UTCDateTimeField(verbose_name=_l("Guardian consented at"))
    source = peewee.CharField(max_length=20, choices=SOURCES, verbose_name=_l("Source"))
    recorded_at = UTCDateTimeField(default=utcnow, verbose_name=_l("Recorded at"))
    recorded_by = peewee.CharField(max_length=150, default="",
                                   verbose_name=_l("Recorded by"))

    class Meta:
        table_name = "members_guardian_consent"


class ImportRun(Model):
    """One file import: what was asked, what happened, and the per-row report."""

    id = peewee.BigAutoField()
    kind = peewee.CharField(max_length=20, choices=IMPORT_KINDS, verbose_name=_l("Kind"))
    file_name = peewee.CharField(max_length=255, verbose_name=_l("File name"))
    started_at = UTCDateTimeField(default=utcnow, verbose_name=_l("Started at"))
    finished_at = UTCDateTimeField(null=True, verbose_name=_l("Finished at"))
    user_name = peewee.CharField(max_length=150, default="", verbose_name=_l("Imported by"))
    dry_run = peewee.BooleanField(default=False, verbose_name=_l("Dry run"))
    skip_bad_rows = peewee.BooleanField(default=False, verbose_name=_l("Skip bad rows"))
    committed = peewee.BooleanField(default=False, verbose_name=_l("Imported"))
    rows = peewee.IntegerField(default=0, verbose_name=_l("Rows"))
    created = peewee.IntegerField(default=0, verbose_name=_l("Created"))
    matched = peewee.IntegerField(default=0, verbose_name=_l("Matched"))
    bad = peewee.IntegerField(default=0, verbose_name=_l("Bad rows"))
    report = peewee.TextField(default="[]", verbose_name=_l("Report"))

    class Meta:
        table_name = "members_import_run"


CONSENT_IO_MODELS = [ConsentText, ConsentRecord, ConsentState, GuardianConsent, ImportRun]
