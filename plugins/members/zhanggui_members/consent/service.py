"""Marketing consent per channel: recording, withdrawing, guardians, merge and PIPL.

Rules (PIPL art. 14-16, 28, 31; Advertising Law art. 43):

* Every answer is a new :class:`ConsentRecord` (append-only); the member's current
  answer per channel (:class:`ConsentState`) is written in the same transaction, and
  the ``zhanggui_consent_changed`` event fires there too when that answer changes.
  A member without any record for a channel has not consented.
* Giving consent needs the version of the consent text shown, a version in force for
  that channel at the time (:class:`ConsentText`).  Withdrawing never needs anything
  but the channel and the source: it must be as easy as giving.
* A member under 14 on the day of recording (from the birthday; an unknown birthday
  counts as an adult) needs a guardian's consent recorded first
  (:func:`record_guardian_consent`); until then every grant is refused.
* Erasure keeps the records as proof (who consented to what wording and when, and
  that they withdrew), linked only to the member's anonymised id; the guardian's name
  goes, and every channel still granted is withdrawn (source ``erasure``).

Writers of one member serialise on the member row (``SELECT ... FOR UPDATE`` on
PostgreSQL; SQLite's ``BEGIN IMMEDIATE``), so two tills recording at once cannot
leave the state disagreeing with the latest record.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Iterable

from zhanggui import ExportSection, _l, database, emit, utcnow, write_transaction
from zhanggui.db import backend

from ..profile.models import Member
from .models import CHANNELS, SOURCES, ConsentRecord, ConsentState, ConsentText, GuardianConsent

CHANNEL_CODES = tuple(code for code, _label in CHANNELS)
#: sources a caller may give; ``erasure`` is the system's own
RECORDING_SOURCES = tuple(code for code, _label in SOURCES if code != "erasure")
GUARDIAN_AGE = 14


class ConsentError(ValueError):
    """A consent that cannot be recorded; ``messages`` maps fields to messages."""

    def __init__(self, messages: dict[str, list[str]]):
        super().__init__("; ".join(m for msgs in messages.values() for m in msgs))
        self.messages = messages


class MemberNotFound(LookupError):
    """No member (or an erased one) has this id."""


def age_on(birthday: dt.date | None, day: dt.date) -> int | None:
    """Whole years of age on ``day`` (``None`` without a birthday)."""
    if birthday is None:
        return None
    years = day.year - birthday.year
    if (day.month, day.day) < (birthday.month, birthday.day):
        years -= 1
    return years


def text_in_force(channel: str, at: dt.datetime | None = None) -> ConsentText | None:
    """The newest consent text of ``channel`` effective at ``at`` (default now)."""
    return (ConsentText.select().where((ConsentText.channel == channel)
                                       & (ConsentText.effective_from <= (at or utcnow())))
            .order_by(ConsentText.effective_from.desc(), ConsentText.id.desc()).first())


def _locked_member(member_id: Any) -> Member:
    query = Member.select().where(Member.id == member_id)
    if backend(database) != "sqlite":  # SQLite: BEGIN IMMEDIATE already holds the lock
        query = query.for_update()
    member = query.first()
    if member is None or member.erased_at is not None:
        raise MemberNotFound(member_id)
    return member


def _check(channel: Any, granted: Any, source: Any, text_version: Any,
           at: dt.datetime) -> None:
    errors: dict[str, list[str]] = {}
    if channel not in CHANNEL_CODES:
        errors["channel"] = [str(_l("Choose one of the channels %(channels)s.",
                                    channels=", ".join(CHANNEL_CODES)))]
    if not isinstance(granted, bool):
        errors["granted"] = [str(_l("Say true to give consent or false to withdraw it."))]
    if source not in RECORDING_SOURCES:
        errors["source"] = [str(_l("Choose one of the sources %(sources)s.",
                                   sources=", ".join(RECORDING_SOURCES)))]
    if text_version is not None and not isinstance(text_version, str):
        errors["text_version"] = [str(_l("Give the consent text version as text."))]
    elif granted is True and channel in CHANNEL_CODES:
        if not text_version:
            errors["text_version"] = [str(_l("Give the version of the consent text the "
                                             "member was shown."))]
        elif not ConsentText.select().where(
                (ConsentText.channel == channel) & (ConsentText.version == text_version)
                & (ConsentText.effective_from <= at)).exists():
            errors["text_version"] = [str(_l("There is no consent text %(version)s in force "
                                             "for this channel.", version=text_version))]
    if errors:
        raise ConsentError(errors)


def _needs_guardian(member: Member, at: dt.datetime) -> bool:
    age = age_on(member.birthday, at.date())
    if age is None or age >= GUARDIAN_AGE:
        return False
    return not GuardianConsent.select().where(
        (GuardianConsent.member == member) & (GuardianConsent.consented_at <= at)).exists()


def _append(member: Member, channel: str, granted: bool, source: str,
            text_version: str | None, recorded_by: str, at: dt.datetime) -> ConsentRecord:
    """Write the record and the state; fire the event when the answer changed."""
    record = ConsentRecord.create(member=member, channel=channel, granted=granted,
                                  source=source, text_version=text_version or None,
                                  recorded_at=at, recorded_by=(recorded_by or "")[:150])
    state = ConsentState.get_or_none((ConsentState.member == member)
                                     & (ConsentState.channel == channel))
    before = bool(state and state.granted)
    if state is None:
        ConsentState.create(member=member, channel=channel, granted=granted,
                            changed_at=at, record_id=record.id)
    else:
        (ConsentState.update(granted=granted, changed_at=at, record_id=record.id)
         .where(ConsentState.id == state.id).execute())
    if before != granted:
        emit("consent_changed", member_id=member.id, channel=channel, granted=granted)
    return record


def record_consent(member_id: Any, channel: Any, granted: Any, source: Any,
                   text_version: Any = None, recorded_by: str = "",
                   at: dt.datetime | None = None) -> ConsentRecord:
    """Record one answer of the member about one channel and return the record.

    Raises :class:`ConsentError` (field messages) for an unknown channel or source,
    a grant without a text version in force, or a grant for a member under 14
    without a guardian's consent; :class:`MemberNotFound` for an unknown or erased
    member.  Nothing is written then.
    """
    at = at or utcnow()
    _check(channel, granted, source, text_version, at)
    with write_transaction():
        member = _locked_member(member_id)
        if granted and _needs_guardian(member, at):
            raise ConsentError({"granted": [str(_l(
                "This member is under %(age)s: record a parent's or guardian's consent "
                "before any marketing consent.", age=GUARDIAN_AGE))]})
        return _append(member, channel, granted, source, text_version, recorded_by, at)


def withdraw_all(member_id: Any, source: Any, recorded_by: str = "",
                 at: dt.datetime | None = None) -> list[ConsentRecord]:
    """Withdraw every marketing channel at once (one record per channel)."""
    at = at or utcnow()
    _check(CHANNEL_CODES[0], False, source, None, at)
    with write_transaction():
        member = _locked_member(member_id)
        return [_append(member, channel, False, source, None, recorded_by, at)
                for channel in CHANNEL_CODES]


def record_guardian_consent(member_id: Any, guardian_name: Any, relation: Any,
                            source: Any, consented_at: dt.datetime | None = None,
                            recorded_by: str = "") -> GuardianConsent:
    """Record a parent's or guardian's consent for a minor member."""
    errors: dict[str, list[str]] = {}
    if not isinstance(guardian_name, str) or not guardian_name.strip():
        errors["guardian_name"] = [str(_l("Give the guardian's name."))]
    elif len(guardian_name.strip()) > 100:
        errors["guardian_name"] = [str(_l("At most %(count)s characters.", count=100))]
    if not isinstance(relation, str) or not relation.strip():
        errors["relation"] = [str(_l("Give the guardian's relation to the member, e.g. "
                                     "mother."))]
    elif len(relation.strip()) > 30:
        errors["relation"] = [str(_l("At most %(count)s characters.", count=30))]
    if source not in RECORDING_SOURCES:
        errors["source"] = [str(_l("Choose one of the sources %(sources)s.",
                                   sources=", ".join(RECORDING_SOURCES)))]
    now = utcnow()
    if consented_at is not None and (consented_at.tzinfo is None or consented_at > now):
        errors["consented_at"] = [str(_l("Give a past time with its offset, e.g. "
                                         "2026-05-01T10:00:00+08:00."))]
    if errors:
        raise ConsentError(errors)
    with write_transaction():
        member = _locked_member(member_id)
        return GuardianConsent.create(member=member, guardian_name=guardian_name.strip(),
                                      relation=relation.strip(), source=source,
                                      consented_at=consented_at or now, recorded_at=now,
                                      recorded_by=(recorded_by or "")[:150])


# --- reading ------------------------------------------------------------------------

def consent_states(member_id: Any) -> dict[str, ConsentState | None]:
    """The member's current answer per channel (``None``: never asked)."""
    states = {s.channel: s for s in ConsentState.select()
              .where(ConsentState.member == member_id)}
    return {channel: states.get(channel) for channel in CHANNEL_CODES}


def consent_history(member_id: Any, limit: int | None = None) -> list[ConsentRecord]:
    """The member's consent records, newest first."""
    query = (ConsentRecord.select().where(ConsentRecord.member == member_id)
             .order_by(ConsentRecord.recorded_at.desc(), ConsentRecord.id.desc()))
    return list(query.limit(limit) if limit else query)


def guardian_consents(member_id: Any) -> list[GuardianConsent]:
    return list(GuardianConsent.select().where(GuardianConsent.member == member_id)
                .order_by(GuardianConsent.consented_at.desc()))


def consenting_member_ids(channel: str):
    """A subquery of the ids of members who consent to ``channel`` now: what a
    campaign audience joins on (an index scan of ``(channel, granted, member)``)."""
    return (ConsentState.select(ConsentState.member)
            .where((ConsentState.channel == channel) & (ConsentState.granted == True)))  # noqa: E712


def state_payload(member_id: Any) -> dict[str, Any]:
    """The current answers as JSON (what the API and the export answer)."""
    return {channel: None if state is None else {
        "granted": state.granted, "changed_at": state.changed_at.isoformat()}
        for channel, state in consent_states(member_id).items()}


def record_payload(record: ConsentRecord) -> dict[str, Any]:
    return {"id": record.id, "channel": record.channel, "granted": record.granted,
            "source": record.source, "text_version": record.text_version,
            "recorded_at": record.recorded_at.isoformat(), "recorded_by": record.recorded_by}


# --- PIPL: export, erasure; merge ----------------------------------------------------

def export_consents(member_id: Any) -> list[ExportSection]:
    """The member's consent history and guardians' consents (PIPL art. 45)."""
    history = [record_payload(r) for r in reversed(consent_history(member_id))]
    guardians = [{"guardian_name": g.guardian_name, "relation": g.relation,
                  "consented_at": g.consented_at.isoformat(), "source": g.source,
                  "recorded_at": g.recorded_at.isoformat()}
                 for g in guardian_consents(member_id)]
    return [ExportSection(name="members.consents", title=_l("Marketing consent"),
                          rows=history),
            ExportSection(name="members.guardian_consents", title=_l("Guardian consent"),
                          rows=guardians)]


def erase_consents(member_id: Any) -> list[str]:
    """Inside the erasure transaction: withdraw what is still granted, drop the
    guardians' names, keep the records (the proof) on the anonymised id."""
    granted = [s.channel for s in ConsentState.select().where(
        (ConsentState.member == member_id) & (ConsentState.granted == True))]  # noqa: E712
    member = Member.get_or_none(Member.id == member_id)
    if member is None:
        return []
    now = utcnow()
    for channel in granted:
        _append(member, channel, False, "erasure", None, "", now)
    guardians = (GuardianConsent.update(guardian_name="")
                 .where(GuardianConsent.member == member_id).execute())
    return [f"{len(granted)} marketing consent(s) withdrawn; consent records kept as proof",
            f"{guardians} guardian name(s) removed"]


def fold_consents(source_id: Any, target_id: Any) -> int:
    """Member merge: the source's consent history and guardians' consents move to the
    target; the target keeps its own current answers (the source's are dropped, so a
    merge never turns a consent on).  Call inside the merge transaction; returns the
    number of consent records moved."""
    with write_transaction():
        moved = (ConsentRecord.update(member=target_id)
                 .where(ConsentRecord.member == source_id).execute())
        (GuardianConsent.update(member=target_id)
         .where(GuardianConsent.member == source_id).execute())
        ConsentState.delete().where(ConsentState.member == source_id).execute()
    return moved


def channel_labels() -> dict[str, Any]:
    return dict(CHANNELS)


def source_labels() -> dict[str, Any]:
    return dict(SOURCES)


def ensure_texts(texts: Iterable[tuple[str, str, str, str, str, dt.datetime]]) -> int:
    """Create the consent texts ``(channel, version, zh_CN, zh_TW, en, effective_from)``
    that do not exist yet; returns how many were created."""
    created = 0
    for channel, version, zh_cn, zh_tw, en, effective in texts:
        if not ConsentText.select().where((ConsentText.channel == channel)
                                          & (ConsentText.version == version)).exists():
            ConsentText.create(channel=channel, version=version, text_zh_cn=zh_cn,
                               text_zh_tw=zh_tw, text_en=en, effective_from=effective)
            created += 1
    return created
