"""The POS and member look-up API (thin: the rules live in ``purchases`` and ``pos``).

Served under ``/api/v1/``::

    POST /api/v1/pos/transactions                 one sale        201 / 200 / 409 / 422
    POST /api/v1/pos/transactions/batch           up to 1,000     200, a result per sale
    POST /api/v1/pos/transactions/<id>/refunds    a refund        201 / 200 / 404 / 409 / 422
    GET  /api/v1/members/lookup?phone=...|card=...                200 / 404 / 422

Authentication is Flask-AppBuilder's: a JWT or an API key (``Authorization: Bearer``),
never the console's session cookie, so a browser cannot be tricked into posting
sales.  Permissions: ``can_record`` / ``can_refund`` on ``PosApi``, ``can_lookup`` on
``MemberLookupApi``.  Store scope: a till's user records and refunds only for the
stores assigned to it (403 / 404 otherwise); a sale may name a member of any store
(members shop everywhere), but a look-up finds only members whose home store is one
of the caller's stores, like the 360° view (404 otherwise, as for nobody), and each
look-up that finds one is written to the audit log (``view`` on the member).
"""
from __future__ import annotations

import logging

from flask import Response, current_app, request
from flask_appbuilder.api import BaseApi, expose
from flask_appbuilder.security.decorators import permission_name, protect

from zhanggui import _, hook_failure
from zhanggui.console.datamodel.safe_fields import text_problem

from ..answers import json_answer as _json
from ..profile.phones import PhoneNumberError
from ..profile.services import find_member, member_in_scope, member_summary
from .parsing import PosInputError
from .schemas import PosBatchSchema, PosRefundSchema, PosSaleSchema, schema_errors
from .batch import record_sales
from .purchases import record_refund, record_sale
from ..profile.models import Member

log = logging.getLogger("zhanggui.members.api")


def _unknown_members() -> str:
    return current_app.extensions["zhanggui"].settings["ANONYMOUS_POS_MEMBERS"]


def _stores() -> set[str] | None:
    """The stores the till's user is assigned to (``None``: every store)."""
    from zhanggui.console.scope import user_store_codes

    return user_store_codes()


def _body():
    data = request.get_json(silent=True)
    if data is None:
        return None, _json(400, {"message": _("The request body is not JSON.")})
    return data, None


def _failed() -> Response:
    log.exception("POS request failed and was rolled back")
    return _json(500, {"message": _("The transaction could not be recorded; nothing of it "
                                    "was stored. Send it again."), **hook_failure()})


class PosApi(BaseApi):
    """Sales and refunds from the tills (see the module docstring)."""

    resource_name = "pos"
    openapi_spec_tag = "POS"
    # the request bodies in the OpenAPI document are the schemas that check them
    openapi_spec_component_schemas = (PosSaleSchema, PosBatchSchema, PosRefundSchema)

    @expose("/transactions", methods=["POST"])
    @protect()
    @permission_name("record")
    def post_transaction(self):
        """Record one POS sale; the POS transaction id is the idempotency key.
        ---
        post:
          summary: Record a POS sale
          description: >-
            201 with the recorded sale (plus what other plugins add, e.g. points) the
            first time; 200 with the same stored answer for a replay of the same body;
            409 for the same id with another body; 422 with field messages, and
            nothing recorded, for a sale that does not add up or names an unknown
            store.
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  $ref: '#/components/schemas/PosSaleSchema'
          responses:
            201:
              description: Recorded
            200:
              description: Already recorded with this body; the stored answer
            409:
              description: Already recorded with another body
            422:
              description: Invalid; nothing recorded
        """
        data, error = _body()
        if error:
            return error
        try:
            result = record_sale(data, unknown_members=_unknown_members(), stores=_stores())
        except Exception:  # a listener raised: the sale was rolled back
            return _failed()
        return _json(result.status, result.body)

    @expose("/transactions/batch", methods=["POST"])
    @protect()
    @permission_name("record")
    def post_batch(self):
        """Record up to 1,000 sales from a till that was offline, each on its own.
        ---
        post:
          summary: Record a batch of POS sales
          description: >-
            Body {"transactions": [sale, ...]} (or the bare list) of at most 1,000
            sales (MAX_BATCH; 422 beyond). Answers 200 with
            {"results": [{"index", "id", "status", "body"}]}: each sale gets the
            status and body a single post would have had; one bad sale does not
            affect the others.
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  $ref: '#/components/schemas/PosBatchSchema'
          responses:
            200:
              description: One result per sale
            422:
              description: Not a list, or more than 1,000 sales
        """
        data, error = _body()
        if error:
            return error
        envelope = data if isinstance(data, dict) else {"transactions": data}
        problems = schema_errors(PosBatchSchema(), envelope)
        if problems:
            return _json(422, {"message": problems})
        items = envelope["transactions"]
        try:
            results = record_sales(items, unknown_members=_unknown_members(),
                                   stores=_stores())
        except PosInputError as exc:
            return _json(422, {"message": exc.messages})
        except Exception:
            return _failed()
        return _json(200, {"results": results})

    @expose("/transactions/<pos_id>/refunds", methods=["POST"])
    @protect()
    @permission_name("refund")
    def post_refund(self, pos_id):
        """Refund lines of a sale, or an amount; the refund id is the idempotency key.
        ---
        post:
          summary: Refund (part of) a POS sale
          description: >-
            Body {"id", "lines": [{"sku", "quantity", "amount"?}]} or {"id", "amount"}.
            A refund never exceeds what is left of the sale (422).
          parameters:
          - in: path
            name: pos_id
            required: true
            schema:
              type: string
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  $ref: '#/components/schemas/PosRefundSchema'
          responses:
            201:
              description: Recorded
            200:
              description: Already recorded with this body; the stored answer
            404:
              description: No sale has this id
            409:
              description: Refund id already used with another body
            422:
              description: Invalid or more than is left; nothing recorded
        """
        data, error = _body()
        if error:
            return error
        try:
            result = record_refund(pos_id, data, stores=_stores())
        except Exception:
            return _failed()
        return _json(result.status, result.body)


class MemberLookupApi(BaseApi):
    """The member summary a till or the call center shows."""

    resource_name = "members"
    openapi_spec_tag = "Members"

    @expose("/lookup", methods=["GET"])
    @protect()
    @permission_name("lookup")
    def lookup(self):
        """Find a member by phone or card number.
        ---
        get:
          summary: Look a member up by phone or card
          parameters:
          - in: query
            name: phone
            schema:
              type: string
          - in: query
            name: card
            schema:
              type: string
          responses:
            200:
              description: The member summary (phone masked)
            404:
              description: No such member
            422:
              description: No phone or card given, a malformed phone, or a number with
                characters no number has (NUL) or longer than 64 characters
        """
        phone, card = request.args.get("phone"), request.args.get("card")
        if not (phone or card):
            return _json(422, {"message": {"phone": [_("Give a phone or a card number.")]}})
        problems = {name: [problem] for name, value in (("phone", phone), ("card", card))
                    if value and (problem := text_problem(value, 64))}
        if problems:
            return _json(422, {"message": problems})
        try:
            member = find_member(phone=phone or None, card=card or None)
        except PhoneNumberError as exc:
            return _json(422, {"message": {"phone": [str(exc.args[0])]}})
        if member is None or not member_in_scope(member):
            return _json(404, {"message": _("No member has this phone or card number.")})
        from zhanggui.console.audit import record

        summary = member_summary(member)
        record("view", Member._meta.table_name, pk=member.id, fields=sorted(summary))
        return _json(200, {"member": summary})
