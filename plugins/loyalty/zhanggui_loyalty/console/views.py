"""Console editors and lists of the loyalty plugin (thin: rules live in the services).

* Earning rules, tiers (with their benefits) and member events are edited through
  our ``ModelView``; each is saved through an interface that asks
  :mod:`zhanggui_loyalty.console.validation` first and shows its messages on the form.
* The points ledger is read-only (append-only by design) with filters on kind,
  source, member, store and date range; store-scoped users see their stores' entries.
* Sign-ups are listed per event; "Check in" (an action, POST with CSRF) awards the
  attendance points through the ledger.
"""
from __future__ import annotations

from flask import flash, redirect, request
from flask_appbuilder.actions import action

from zhanggui import (_, _l, format_local_date, format_local_datetime, format_money,
                      format_number)
from zhanggui.console.datamodel import ModelView, PeeweeInterface, RecordRejected
from zhanggui.console.scope import StoreScopedMixin

from ..ledger.redemption import LoyaltyError
from ..models import (BIRTHDAY_SCOPES, DOWNGRADE_POLICIES, ENTRY_KINDS, EXPIRY_POLICIES,
                      MATCH_FIELDS, QUALIFY_BY, REFUND_POLICIES, RULE_KINDS, SIGNUP_CHANNELS,
                      SOURCE_TYPES, EarningRule, EventSignup, LoyaltySettings, MemberEvent,
                      PointsLedgerEntry, Tier)
from . import validation


class ValidatedInterface(PeeweeInterface):
    """Saves only what ``problems(item)`` accepts; its messages land on the form.

    ``optional`` names NOT NULL text columns that may be left empty on the form
    (they default to ``""``), which the form converter would otherwise require.
    """

    def __init__(self, obj, problems, optional=(), **kwargs):
        super().__init__(obj, **kwargs)
        self.problems = problems
        self.optional = frozenset(optional)

    def is_nullable(self, col_name):
        return col_name in self.optional or super().is_nullable(col_name)

    def _check(self, item):
        errors = self.problems(item)
        if errors:
            raise RecordRejected(_("Please correct the marked fields."), errors)

    def add(self, item, commit=True):
        self._check(item)
        super().add(item, commit)

    def edit(self, item, commit=True):
        self._check(item)
        super().edit(item, commit)


# --- how values read in lists and show pages: labels, local times, formatted numbers

def _label(choices):
    labels = dict(choices)
    return lambda value: labels.get(value, value or "")


def _when(value):
    return format_local_datetime(value) if value else ""


def _day(value):
    return format_local_date(value) if value else ""


def _num(value):
    return format_number(value) if value is not None else ""


def _money(value):
    return format_money(value) if value is not None else ""


def _text(value):
    return value if value is not None else ""


def _rule_problems(rule):
    return validation.rule_problems(rule, EarningRule.select(),
                                    validation.known_categories())


def _tier_problems(tier):
    return validation.tier_problems(tier, Tier.select())


def _event_problems(event):
    return validation.event_problems(event, {t.code for t in Tier.select(Tier.code)})


_RULE_COLUMNS = ["code", "name", "kind", "sequence", "active", "starts_on", "ends_on",
                 "points_per_unit", "unit_amount", "min_spend", "excluded_categories",
                 "excluded_payment_methods", "match_field", "match_values", "multiplier",
                 "birthday_scope"]


class EarningRuleView(ModelView):
    """Earning rules, applied in the order documented in zhanggui_loyalty.rules.calculation."""

    datamodel = ValidatedInterface(EarningRule, _rule_problems,
                                   optional=("excluded_categories", "excluded_payment_methods",
                                             "match_values"))
    list_title = _l("Earning rules")
    show_title = _l("Earning rule")
    add_title = _l("Add earning rule")
    edit_title = _l("Edit earning rule")
    list_columns = ["code", "name", "kind", "sequence", "active", "starts_on", "ends_on",
                    "multiplier"]
    add_columns = edit_columns = show_columns = _RULE_COLUMNS
    search_columns = ["code", "name", "kind", "active", "starts_on", "ends_on"]
    order_columns = ["code", "sequence", "starts_on", "ends_on"]
    base_order = ("sequence", "asc")
    formatters_columns = {"kind": _label(RULE_KINDS), "match_field": _label(MATCH_FIELDS),
                          "birthday_scope": _label(BIRTHDAY_SCOPES), "starts_on": _day,
                          "ends_on": _day, "multiplier": _num, "points_per_unit": _num,
                          "unit_amount": _money, "min_spend": _money}
    description_columns = {
        "kind": _l("Base rate: points per amount spent. Multiplier: for lines of a SKU, "
                   "counter or category. Birthday multiplier: on the member's birthday."),
        "excluded_categories": _l("Category codes, comma-separated: these lines earn nothing."),
        "excluded_payment_methods": _l("Money paid this way earns nothing, "
                                       "e.g. gift_card, coupon."),
        "match_values": _l("SKUs, counter codes or category codes, comma-separated."),
    }


class TierView(ModelView):
    """Tiers (star levels) with their qualifying rules and benefits."""

    datamodel = ValidatedInterface(Tier, _tier_problems)
    list_title = _l("Tiers and benefits")
    show_title = _l("Tier")
    add_title = _l("Add tier")
    edit_title = _l("Edit tier")
    list_columns = ["rank", "code", "name", "qualify_by", "threshold", "points_multiplier",
                    "parking_hours", "active"]
    _qualify = ["code", "name", "rank", "active", "qualify_by", "threshold", "window_days",
                "downgrade_policy", "inactivity_days"]
    _benefits = ["points_multiplier", "birthday_gift", "parking_hours", "priority_service",
                 "exclusive_events"]
    add_fieldsets = edit_fieldsets = show_fieldsets = [
        (_l("Tier and how it is reached"), {"fields": _qualify}),
        (_l("Benefits"), {"fields": _benefits}),
    ]
    search_columns = ["code", "name", "qualify_by", "active"]
    order_columns = ["rank", "code", "threshold"]
    base_order = ("rank", "asc")
    formatters_columns = {"qualify_by": _label(QUALIFY_BY),
                          "downgrade_policy": _label(DOWNGRADE_POLICIES), "threshold": _num,
                          "points_multiplier": _num, "parking_hours": _num,
                          "window_days": _num, "inactivity_days": _num,
                          "birthday_gift": _text}


class PointsLedgerView(StoreScopedMixin, ModelView):
    """The points ledger, newest first; nothing here changes it."""

    datamodel = PeeweeInterface(PointsLedgerEntry)
    list_title = _l("Points ledger")
    show_title = _l("Ledger entry")
    base_permissions = ["can_list", "can_show"]
    list_columns = ["occurred_at", "member_id", "kind", "points", "pending_points",
                    "source_type", "source_id", "store_code", "reason"]
    show_columns = ["id", "member_id", "kind", "points", "pending_points", "spend",
                    "source_type", "source_id", "idempotency_key", "related_entry",
                    "store_code", "occurred_at", "expires_at", "unlock_at", "created_at",
                    "created_by", "reason", "detail"]
    search_columns = ["member_id", "kind", "source_type", "source_id", "store_code",
                      "occurred_at"]
    order_columns = ["occurred_at", "points", "member_id"]
    base_order = ("id", "desc")
    formatters_columns = {"kind": _label(ENTRY_KINDS), "source_type": _label(SOURCE_TYPES),
                          "occurred_at": _when, "expires_at": _when, "unlock_at": _when,
                          "created_at": _when, "points": _num, "pending_points": _num,
                          "spend": _money, "reason": _text, "store_code": _text,
                          "created_by": _text, "related_entry": _text, "detail": _text}
    store_field = "store_code"


class EventSignupView(StoreScopedMixin, ModelView):
    """Sign-ups of member events; check-in awards the attendance points."""

    datamodel = PeeweeInterface(EventSignup)
    list_title = _l("Event sign-ups")
    show_title = _l("Event sign-up")
    base_permissions = ["can_list", "can_show"]
    list_columns = ["event", "member_id", "channel", "signed_up_at", "attended_at"]
    show_columns = list_columns + ["attendance_entry"]
    search_columns = ["event", "member_id", "channel", "signed_up_at", "attended_at"]
    order_columns = ["signed_up_at", "attended_at", "member_id"]
    base_order = ("id", "desc")
    autocomplete_fields = ["event"]
    formatters_columns = {"channel": _label(SIGNUP_CHANNELS), "signed_up_at": _when,
                          "attended_at": _when, "member_id": _text,
                          "attendance_entry": _text}
    store_field = "event.store_code"

    @action("check_in", _l("Check in"), _l("Check in the selected members?"), "fa-check")
    def check_in(self, items):
        from ..events.service import check_in

        done = 0
        for signup in items if isinstance(items, list) else [items]:
            if signup is None or signup.member_id is None:
                continue
            try:
                if not check_in(signup.event_id, signup.member_id).repeated:
                    done += 1
            except LoyaltyError as exc:
                flash(exc.message if isinstance(exc.message, str) else str(exc), "danger")
        flash(_("%(count)s member(s) checked in.", count=done), "success")
        return redirect(request.referrer or self.get_redirect())


class MemberEventView(StoreScopedMixin, ModelView):
    """Member events (会员活动), their places and the tiers they are for."""

    datamodel = ValidatedInterface(MemberEvent, _event_problems, optional=("allowed_tiers",))
    list_title = _l("Member events")
    show_title = _l("Member event")
    add_title = _l("Add member event")
    edit_title = _l("Edit member event")
    list_columns = ["title", "store_code", "starts_at", "ends_at", "capacity",
                    "allowed_tiers", "attendance_points", "active"]
    add_columns = edit_columns = ["title", "store_code", "starts_at", "ends_at", "capacity",
                                  "allowed_tiers", "attendance_points", "active"]
    show_columns = list_columns
    search_columns = ["title", "store_code", "starts_at", "active"]
    order_columns = ["title", "starts_at", "ends_at"]
    base_order = ("starts_at", "desc")
    description_columns = {
        "allowed_tiers": _l("Tier codes, comma-separated; empty: every member may sign up."),
        "store_code": _l("Empty: a chain-wide event."),
    }
    related_views = [EventSignupView]

    def pre_delete(self, item):
        # attendance points were awarded for this event: the ledger must keep its source
        if EventSignup.select().where((EventSignup.event == item.id) &
                                      EventSignup.attended_at.is_null(False)).exists():
            raise ValueError(_("Members have checked in to this event; close it for "
                               "sign-up instead of deleting it."))

    @action("sign_up", _l("Sign a member up"), None, "fa-user-plus", multiple=False)
    def sign_up(self, item):
        from flask import abort, url_for

        if isinstance(item, list):
            item = item[0] if item else None
        if item is None:
            abort(404)
        return redirect(url_for("EventSignupFormView.signup", event_id=item.id))
    formatters_columns = {"starts_at": _when, "ends_at": _when, "capacity": _num,
                          "attendance_points": _num, "store_code": _text}
    store_field = "store_code"


class LoyaltySettingsView(ModelView):
    """The program's one settings row: return window, expiry, refund policy, time zone.

    A changed expiry policy applies to points earned from then on; points already
    earned keep the expiry they were given.
    """

    datamodel = ValidatedInterface(LoyaltySettings, validation.settings_problems)
    list_title = show_title = _l("Program settings")
    edit_title = _l("Edit program settings")
    base_permissions = ["can_list", "can_show", "can_edit"]
    list_columns = ["pending_days", "expiry_policy", "expiry_period", "expiry_notice_days",
                    "refund_policy", "timezone"]
    edit_columns = show_columns = list_columns
    formatters_columns = {"expiry_policy": _label(EXPIRY_POLICIES),
                          "refund_policy": _label(REFUND_POLICIES)}
    description_columns = {
        "expiry_policy": _l("Applies to points earned from now on; earned points keep "
                            "their expiry."),
        "pending_days": _l("0: points count at once; otherwise they unlock after the "
                           "return window."),
    }
