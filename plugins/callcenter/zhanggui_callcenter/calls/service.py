"""Recording PBX/CTI call events in the call log (no Flask request in sight).

:class:`RecordCallEvent` is the command behind ``POST /api/v1/callcenter/calls``:
``validate()`` checks the body (marshmallow field messages), ``run()`` writes the
call, the event and, when an agent's extension rings or answers, the screen pop, in
one write transaction.  ``(connector, call_id, event)`` is the idempotency key: the
same body again gets the stored answer (200), another body 409.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

import peewee
from marshmallow import ValidationError

from zhanggui import _, utcnow, write_transaction

from ..members import find_member_id
from ..phones import CallerNumberError, normalize_caller
from .models import Agent, Call, CallEvent
from .schemas import CallEventSchema


@dataclass
class CallAnswer:
    status: int
    body: dict[str, Any]


def call_dict(call: Call) -> dict[str, Any]:
    iso = lambda v: v.isoformat() if v else None  # noqa: E731
    return {"id": call.id, "call_id": call.call_id, "state": call.state,
            "direction": call.direction, "phone": call.phone, "member_id": call.member_id,
            "extension": call.extension, "agent_id": call.agent_id,
            "started_at": iso(call.started_at), "answered_at": iso(call.answered_at),
            "ended_at": iso(call.ended_at), "duration_seconds": call.duration_seconds,
            "outcome": call.outcome}


def _fingerprint(data: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str,
                                     ensure_ascii=False).encode()).hexdigest()


class RecordCallEvent:
    """One event from connector ``connector`` (the API key's user name)."""

    def __init__(self, connector: str, payload: Any):
        self.connector = connector
        self.payload = payload
        self.data: dict[str, Any] = {}
        self.number = None
        self.errors: dict[str, list[str]] = {}

    def validate(self) -> bool:
        if not isinstance(self.payload, dict):
            self.errors = {"_schema": [_("The request body is not a JSON object.")]}
            return False
        try:
            self.data = CallEventSchema().load(self.payload)
        except ValidationError as exc:
            self.errors = exc.normalized_messages()
            return False
        if self.data.get("caller"):
            try:
                self.number = normalize_caller(self.data["caller"])
            except CallerNumberError as exc:
                self.errors = {"caller": [str(exc.args[0])]}
                return False
        return True

    def run(self) -> CallAnswer:
        if not self.validate():
            return CallAnswer(422, {"message": self.errors})
        digest = _fingerprint(self.payload)
        for attempt in range(2):
            try:
                with write_transaction():
                    return self._record(digest)
            except peewee.IntegrityError:
                if attempt:  # a concurrent twin won twice: give its answer
                    raise
        raise AssertionError("unreachable")

    def _record(self, digest: str) -> CallAnswer:
        data = self.data
        when = data["occurred_at"] or utcnow()
        call = Call.get_or_none((Call.connector == self.connector)
                                & (Call.call_id == data["call_id"]))
        if call is not None:
            seen = CallEvent.get_or_none((CallEvent.call == call)
                                         & (CallEvent.event == data["event"]))
            if seen is not None:
                if seen.request_hash == digest:
                    return CallAnswer(200, json.loads(seen.response))
                return CallAnswer(409, {"message": _(
                    "This call already has this event with other details.")})
        elif self.number is None:
            return CallAnswer(422, {"message": {"caller": [_(
                "The first event of a call needs the caller's number.")]}})
        else:
            call = Call.create(connector=self.connector, call_id=data["call_id"],
                               direction=data["direction"], phone=self.number.e164,
                               region=self.number.region, state="ringing", started_at=when,
                               member_id=find_member_id(self.number))
        agent = self._agent(call, data.get("extension"))
        getattr(self, f"_{data['event']}")(call, when)
        for field in ("recording_url", "outcome", "notes"):
            if data.get(field):
                setattr(call, field, data[field])
        call.save()
        if agent is not None and data["event"] in ("started", "answered"):
            from ..screenpop.service import offer_pop

            offer_pop(agent, call)
        body = {"call": call_dict(call)}
        CallEvent.create(call=call, event=data["event"], occurred_at=when,
                         request_hash=digest, response=json.dumps(body, ensure_ascii=False))
        return CallAnswer(201, body)

    def _agent(self, call: Call, extension: str | None) -> Agent | None:
        if not extension:
            return call.agent if call.agent_id else None
        call.extension = extension
        agent = Agent.get_or_none((Agent.extension == extension) & Agent.active)
        call.agent = agent
        return agent

    @staticmethod
    def _started(call: Call, when: dt.datetime) -> None:
        call.started_at = min(call.started_at, when)

    @staticmethod
    def _answered(call: Call, when: dt.datetime) -> None:
        call.answered_at = when
        if call.state == "ringing":
            call.state = "answered"

    @staticmethod
    def _ended(call: Call, when: dt.datetime) -> None:
        call.state = "ended"
        call.ended_at = when
        since = call.answered_at
        call.duration_seconds = max(0, int((when - since).total_seconds())) if since else 0
        if since is None and not call.outcome:
            call.outcome = "missed"


def relink_unknown_callers(days: int = 30, batch: int = 500) -> int:
    """Link calls of the last ``days`` from numbers no member had when they rang to
    the member who has the number now (a caller who joined after calling).  Safe to
    run any number of times, on any number of workers: it only fills empty links."""
    since = utcnow() - dt.timedelta(days=days)
    phones = [row.phone for row in Call.select(Call.phone).distinct()
              .where(Call.member_id.is_null() & Call.phone.is_null(False)
                     & (Call.started_at >= since)).limit(batch)]
    linked = 0
    for phone in phones:
        try:
            member_id = find_member_id(normalize_caller(phone))
        except CallerNumberError:
            continue
        if member_id is None:
            continue
        with write_transaction():
            linked += (Call.update(member_id=member_id)
                       .where((Call.phone == phone) & Call.member_id.is_null()).execute())
    return linked
