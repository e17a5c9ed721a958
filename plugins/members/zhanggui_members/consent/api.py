"""The consent API (thin: the rules live in :mod:`zhanggui_members.consent.service`)::

    GET  /api/v1/members/<id>/consents                   current answers + history   200 / 404
    POST /api/v1/members/<id>/consents                   {"channel", "granted", "source",
                                                          "text_version"}   201 / 404 / 422
    POST /api/v1/members/<id>/consents/withdraw-all      {"source"}         201 / 404 / 422
    POST /api/v1/members/<id>/guardian-consent           {"guardian_name", "relation",
                                                          "source", "consented_at"?}

Permissions ``can_get`` / ``can_post`` on ``MemberConsentApi``.  Store scope is the
360° view's: a store-scoped caller (Store manager, Store staff, a till's key) reaches
only members whose home store is one of its stores; any other member answers 404,
exactly like one that does not exist.  The recording user is the API's user.  Every
read is written to the audit log (``view`` on the member, with the field names), and
every change by :mod:`zhanggui_members.consent` in the change's own transaction.
Bodies are validated by :mod:`zhanggui_members.consent.schemas`, the same schemas
the OpenAPI document declares.
"""
from __future__ import annotations

from flask import Response, g
from flask_appbuilder.api import BaseApi, expose
from flask_appbuilder.security.decorators import permission_name, protect

from zhanggui import _

from ..answers import json_answer as _json
from ..answers import json_object_body as _body
from .service import (ConsentError, MemberNotFound, consent_history, guardian_consents,
                      record_consent, record_guardian_consent, record_payload,
                      state_payload, withdraw_all)
from .schemas import (SCHEMAS, ConsentRequest, GuardianConsentRequest,
                              WithdrawAllRequest, load)
from .views import member_in_scope

READ_FIELDS = ("consents", "consent_history", "guardian_consents")


def _who() -> str:
    user = getattr(g, "user", None)
    return str(getattr(user, "username", "") or "")


def _not_found() -> Response:
    return _json(404, {"message": _("No member has this id.")})


def _reachable(member_id) -> bool:
    """The member exists and is within the caller's stores (the 360° view's rule)."""
    return 0 < member_id < 2 ** 63 and member_in_scope(member_id) is not None


def _body_of(schema) -> tuple[dict | None, Response | None]:
    data, error = _body()
    if error:
        return None, error
    values, messages = load(schema, data)
    if messages:
        return None, _json(422, {"message": messages})
    return values, None


class MemberConsentApi(BaseApi):
    """Marketing consent per channel of one member."""

    resource_name = "members"
    openapi_spec_tag = "Members"
    openapi_spec_component_schemas = SCHEMAS

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
            400:
              description: The body is not a JSON object
            401:
              $ref: '#/components/responses/401'
            403:
              description: The caller's roles do not allow this
            200:
              description: The current answer per channel and the history, newest first
            404:
              description: No such member within the caller's stores
        """
        from zhanggui.console.audit import record

        if not _reachable(member_id):
            return _not_found()
        record("view", "members_member", pk=member_id, fields=READ_FIELDS)
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
                  $ref: '#/components/schemas/ConsentRequest'
          responses:
            400:
              description: The body is not a JSON object
            401:
              $ref: '#/components/responses/401'
            403:
              description: The caller's roles do not allow this
            201:
              description: Recorded; the record and the current answers
            404:
              description: No such member within the caller's stores
            422:
              description: Field messages; nothing recorded
        """
        data, error = _body_of(ConsentRequest)
        if error:
            return error
        if not _reachable(member_id):
            return _not_found()
        try:
            record = record_consent(member_id, data["channel"], data["granted"],
                                    data["source"], data["text_version"],
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
                  $ref: '#/components/schemas/WithdrawAllRequest'
          responses:
            400:
              description: The body is not a JSON object
            401:
              $ref: '#/components/responses/401'
            403:
              description: The caller's roles do not allow this
            201:
              description: Withdrawn on every channel
            404:
              description: No such member within the caller's stores
            422:
              description: Unknown source
        """
        data, error = _body_of(WithdrawAllRequest)
        if error:
            return error
        if not _reachable(member_id):
            return _not_found()
        try:
            records = withdraw_all(member_id, data["source"], recorded_by=_who())
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
                  $ref: '#/components/schemas/GuardianConsentRequest'
          responses:
            400:
              description: The body is not a JSON object
            401:
              $ref: '#/components/responses/401'
            403:
              description: The caller's roles do not allow this
            201:
              description: Recorded
            404:
              description: No such member within the caller's stores
            422:
              description: Field messages; nothing recorded
        """
        data, error = _body_of(GuardianConsentRequest)
        if error:
            return error
        if not _reachable(member_id):
            return _not_found()
        try:
            guardian = record_guardian_consent(
                member_id, data["guardian_name"], data["relation"], data["source"],
                consented_at=data["consented_at"], recorded_by=_who())
        except ConsentError as exc:
            return _json(422, {"message": exc.messages})
        except MemberNotFound:
            return _not_found()
        return _json(201, {"guardian_consent": {
            "id": guardian.id, "relation": guardian.relation,
            "consented_at": guardian.consented_at.isoformat()}})
