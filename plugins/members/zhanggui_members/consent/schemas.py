"""The consent API's request bodies as marshmallow schemas.

Each schema validates the body of its endpoint (types, lengths, NUL characters,
lone surrogates, times that exist) before :mod:`zhanggui_members.consent` judges the
business rules (a channel and source it knows, a text version in force, a guardian
for a child), and is what ``/api/v1/_openapi`` declares for that body: one
definition, so the document cannot drift from the code.
"""
from __future__ import annotations

from marshmallow import EXCLUDE, Schema, ValidationError

from zhanggui import Instant, SafeString, StrictBoolean


class _Body(Schema):
    class Meta:
        unknown = EXCLUDE   # a till may send more than we read


class ConsentRequest(_Body):
    """``POST /api/v1/members/{member_id}/consents``."""

    channel = SafeString(required=True, max_length=20,
                         metadata={"description": "sms, email, phone or app_push"})
    granted = StrictBoolean(required=True,
                            metadata={"description": "true to give, false to withdraw"})
    source = SafeString(required=True, max_length=20,
                        metadata={"description": "store, pos, app, callcenter, import or "
                                                 "console"})
    text_version = SafeString(max_length=20, allow_none=True, load_default=None,
                              metadata={"description": "Version of the consent text the "
                                                       "member was shown (needed to give)"})


class WithdrawAllRequest(_Body):
    """``POST /api/v1/members/{member_id}/consents/withdraw-all``."""

    source = SafeString(required=True, max_length=20)


class GuardianConsentRequest(_Body):
    """``POST /api/v1/members/{member_id}/guardian-consent``."""

    guardian_name = SafeString(required=True, max_length=100)
    relation = SafeString(required=True, max_length=30,
                          metadata={"description": "e.g. mother"})
    source = SafeString(required=True, max_length=20)
    consented_at = Instant(allow_none=True, load_default=None,
                           metadata={"description": "When the guardian consented (a past "
                                                    "time; default now)"})


SCHEMAS = (ConsentRequest, WithdrawAllRequest, GuardianConsentRequest)


def load(schema: type[Schema], data: dict) -> tuple[dict | None, dict | None]:
    """``(values, None)``, or ``(None, field messages)`` in the request's language."""
    from zhanggui.console.datamodel.safe_fields import field_messages

    try:
        return schema().load(data), None
    except ValidationError as err:
        return None, field_messages(err)
