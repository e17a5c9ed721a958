"""Tables of marketing consent (per member and channel).

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
"""
from __future__ import annotations

import peewee

from zhanggui import Model, UTCDateTimeField, _l, utcnow

from ..profile.models import Member

CHANNELS = (("sms", _l("SMS")), ("email", _l("Email")), ("phone", _l("Phone calls")),
            ("app_push", _l("App push notifications")))
SOURCES = (("store", _l("In store")), ("pos", _l("POS")), ("app", _l("App")),
           ("callcenter", _l("Call center")), ("import", _l("Import")),
           ("console", _l("Console")), ("erasure", _l("Personal data erased")),
           ("unsubscribe", _l("Unsubscribe link or reply")))


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


CONSENT_MODELS = [ConsentText, ConsentRecord, ConsentState, GuardianConsent]
