"""The consent API (thin: the rules live in :mod:`zhanggui_members.consent.service`)::

    GET  /api/v1/members/<id>/consents                   current answers + history   200 / 404
    POST /api/v1/members/<id>/consents                   {"channel", "granted", "source",
                                                          "text_version"}   201 / 404 / 422
    POST /api/v1/members/<id>/consents/withdraw-all      {"source"}         201 / 404 / 422
    POST /api/v1/members/<id>/guardian-consent           {"guardian_name", "relation",
                                                          "source", "consented_at"?}

Permissions ``can_get`` / ``can_post`` on ``MemberConsentApi``.  Not store-scoped,
like the member look-up: members shop and answer in every store, and a till must be
able to record a withdrawal for anyone.  The recording user is the API's user.
"""
from __future__ import annotations

import datetime as dt

from flask import Response, g
from flask_appbuilder.api import BaseApi, expose
from flask_appbuilder.security.decorators import permission_name, protect

from zhanggui import _

from ..answers import json_answer as _json
from ..answers import json_object_body as _body
from .service import (ConsentError, MemberNotFound, consent_history, guardian_consents,
                      record_consent, record_guardian_consent, record_payload,
                      state_payload, withdraw_all)


def _who() -> str:
    user = getattr(g, "user", None)
    return str(getattr(user, "username", "") or "")


def _not_found() -> Response:
    return _json(404, {"message": _("No member has this id.")})


class MemberConsentApi(BaseApi):
    """Marketing consent per channel of one member."""

    resource_name = "members"
    openapi_spec_tag = "Members"

    @expose("/<int:member_id>/consents", methods=["GET"])
    @protect()
    @permission_name("get")
    def get_consents(self, member_id):
        """The member's current consent per channel and its history.
        ---
        get:
          summary: Consent of a member per channel
          parameters:
          - in: path
            name: member_id
            required: true
            schema:
              type: integer
          responses:
            200:
              description: The current answer per channel and the history, newest first
            404:
              description: No such member
        """
        from ..profile.models import Member

        member = Member.get_or_none(Member.id == member_id)
        if member is None:
            return _not_found()
        return _json(200, {"consents": state_payload(member_id),
                           "history": [record_payload(r) for r in consent_history(member_id)],
                           "guardian_consents": [
                               {"relation": gc.relation,
                                "consented_at": gc.consented_at.isoformat()}
                               for gc in guardian_consents(member_id)]})

    @expose("/<int:member_id>/consents", methods=["POST"])
    @protect()
    @permission_name("post")
    def post_consent(self, member_id):
        """Give or withdraw the member's consent for one channel.
        ---
        post:
          summary: Record a consent or a withdrawal
          description: >-
            Body with channel (sms, email, phone, app_push), granted (true or false),
            source (store, pos, app, callcenter, import, console) and text_version.
            A grant needs a text version in force; a member under 14 needs the consent
            of a guardian first (422 on granted).
          parameters:
          - in: path
            name: member_id
            required: true
            schema:
              type: integer
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  type: object
          responses:
            201:
              description: Recorded; the record and the current answers
            404:
              description: No such member
            422:
              description: Field messages; nothing recorded
        """
        data, error = _body()
        if error:
            return error
        try:
            record = record_consent(member_id, data.get("channel"), data.get("granted"),
                                    data.get("source"), data.get("text_version"),
                                    recorded_by=_who())
        except ConsentError as exc:
            return _json(422, {"message": exc.messages})
        except MemberNotFound:
            return _not_found()
        return _json(201, {"record": record_payload(record),
                           "consents": state_payload(member_id)})

    @expose("/<int:member_id>/consents/withdraw-all", methods=["POST"])
    @protect()
    @permission_name("post")
    def post_withdraw_all(self, member_id):
        """Withdraw every marketing channel of the member at once.
        ---
        post:
          summary: Withdraw all marketing consent
          parameters:
          - in: path
            name: member_id
            required: true
            schema:
              type: integer
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  type: object
          responses:
            201:
              description: Withdrawn on every channel
            404:
              description: No such member
            422:
              description: Unknown source
        """
        data, error = _body()
        if error:
            return error
        try:
            records = withdraw_all(member_id, data.get("source"), recorded_by=_who())
        except ConsentError as exc:
            return _json(422, {"message": exc.messages})
        except MemberNotFound:
            return _not_found()
        return _json(201, {"records": [record_payload(r) for r in records],
                           "consents": state_payload(member_id)})

    @expose("/<int:member_id>/guardian-consent", methods=["POST"])
    @protect()
    @permission_name("post")
    def post_guardian_consent(self, member_id):
        """Record a parent's or guardian's consent for a member under 14.
        ---
        post:
          summary: Record a guardian's consent
          parameters:
          - in: path
            name: member_id
            required: true
            schema:
              type: integer
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  type: object
          responses:
            201:
              description: Recorded
            404:
              description: No such member
            422:
              description: Field messages; nothing recorded
        """
        data, error = _body()
        if error:
            return error
        consented_at = data.get("consented_at")
        if consented_at is not None:
            try:
                consented_at = dt.datetime.fromisoformat(str(consented_at))
            except ValueError:
                return _json(422, {"message": {"consented_at": [
                    _("Give a past time with its offset, e.g. 2026-05-01T10:00:00+08:00.")]}})
        try:
            guardian = record_guardian_consent(
                member_id, data.get("guardian_name"), data.get("relation"),
                data.get("source"), consented_at=consented_at, recorded_by=_who())
        except ConsentError as exc:
            return _json(422, {"message": exc.messages})
        except MemberNotFound:
            return _not_found()
        return _json(201, {"guardian_consent": {
            "id": guardian.id, "relation": guardian.relation,
            "consented_at": guardian.consented_at.isoformat()}})
