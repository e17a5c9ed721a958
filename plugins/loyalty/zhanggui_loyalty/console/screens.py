"""Console screens that are forms, not tables: manual adjustment, rule preview, sign-up.

* **Manual adjustment**: points plus or minus with a mandatory reason, for users
  holding ``loyalty.adjust_points``.  It goes through the ledger service
  (:func:`zhanggui_loyalty.ledger.redemption.adjust_points`: the member's balance row is
  locked, a debit cannot take the balance below zero) and writes an audit entry in
  the same transaction.  The form carries a request id made when it is shown, so
  submitting it twice adjusts once.
* **Rule preview**: "this basket earns ..." for a store, a member (phone or card) or
  a tier, lines (category, counter, SKU, amount) and payments; shows every step of
  the earning order with the same code that awards points.
* **Event sign-up**: gives a member a place at an event from the console.
"""
from __future__ import annotations

import datetime as dt
import uuid

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.security.decorators import permission_name
from flask_wtf import FlaskForm
from wtforms import (HiddenField, IntegerField, SelectField, StringField,
                     TextAreaField, validators)

from zhanggui import LocalDateField, _, _l, has_permission

from ..ledger.adjustments import ADJUST_PERMISSION as ADJUST, adjust_with_audit

from ..ledger.api import find_member_id, parse_basket
from ..ledger.postings import program_settings
from ..ledger.redemption import LoyaltyError
from ..models import SIGNUP_CHANNELS, EarningRule, MemberEvent, Tier
from ..rules.calculation import local_date, rules_in_force
from ..rules.earning import preview

class MemberRefForm(FlaskForm):
    phone = StringField(_l("Mobile phone"), validators=[validators.Optional(),
                                                         validators.Length(max=20)])
    card = StringField(_l("Card number"), validators=[validators.Optional(),
                                                      validators.Length(max=40)])


def _member(form) -> int | None:
    """The member the form names, or ``None`` with the error on the form."""
    phone, card = (form.phone.data or "").strip() or None, (form.card.data or "").strip() or None
    if not phone and not card:
        form.phone.errors = list(form.phone.errors) + [_("Give a phone or a card number.")]
        return None
    try:
        return find_member_id(phone, card)
    except LoyaltyError as exc:
        form.phone.errors = list(form.phone.errors) + [exc.message]
        return None


def _known(form) -> int | None:
    """The typed member number if loyalty knows the member (a typo must not credit a
    stranger); members without any loyalty record are found by phone or card."""
    from ..models import MemberBalance

    number = form.member_id.data
    if MemberBalance.get_or_none(MemberBalance.member_id == number) is None:
        form.member_id.errors = list(form.member_id.errors) + [
            _("No member with this number has points yet; give the phone or card number.")]
        return None
    return number


class AdjustmentForm(MemberRefForm):
    request_id = HiddenField()
    member_id = IntegerField(_l("Member number"), validators=[validators.Optional(),
                                                              validators.NumberRange(min=1)])
    points = IntegerField(_l("Points (+ to add, - to take off)"),
                          validators=[validators.InputRequired(),
                                      validators.NumberRange(min=-10 ** 9, max=10 ** 9)])
    reason = StringField(_l("Reason"), validators=[validators.InputRequired(),
                                                   validators.Length(max=200)])


class PointsAdjustmentView(BaseView):
    """Manual points adjustment (permission ``loyalty.adjust_points``)."""

    route_base = "/loyalty/adjustments"
    default_view = "add"
    base_permissions = ["can_add"]

    @expose("/add", methods=["GET", "POST"])
    @has_access
    @permission_name("add")
    def add(self):
        if not has_permission(ADJUST):
            abort(403)
        form = AdjustmentForm()
        if not form.is_submitted():
            form.request_id.data = uuid.uuid4().hex
            form.member_id.data = request.args.get("member_id", type=int)
        elif form.validate():
            member_id = _known(form) if form.member_id.data else _member(form)
            if form.points.data == 0:
                form.points.errors = list(form.points.errors) + [
                    _("Points must be a whole number other than zero.")]
            elif member_id is not None:
                try:
                    entry_id = adjust_in_console(form.request_id.data or uuid.uuid4().hex,
                                                 member_id, form.points.data,
                                                 form.reason.data.strip())
                except LoyaltyError as exc:
                    form.points.errors = list(form.points.errors) + [exc.message]
                else:
                    flash(_("The points of member %(member)s were adjusted (entry %(entry)s).",
                            member=member_id, entry=entry_id), "success")
                    return redirect(url_for("PointsLedgerView.list",
                                            _flt_0_member_id=member_id))
        return self.render_template("loyalty/adjust.html", form=form,
                                    title=_("Adjust points"))


def adjust_in_console(key: str, member_id: int, points: int, reason: str) -> int:
    from flask import g

    answer = adjust_with_audit(key, member_id, points, reason, getattr(g, "user", None))
    return answer.body["entry"]


def _tier_choices():
    return [("", _("No tier"))] + [(t.code, t.name) for t in
                                   Tier.select().where(Tier.active).order_by(Tier.rank)]


class PreviewForm(MemberRefForm):
    store = StringField(_l("Store"), validators=[validators.Optional(),
                                                 validators.Length(max=20)])
    tier = SelectField(_l("Tier (when no member is given)"), choices=_tier_choices,
                       validate_choice=False)
    day = LocalDateField(_l("Date of purchase"), validators=[validators.Optional()])
    lines = TextAreaField(_l("Lines: category, counter, SKU, amount (one per line)"),
                          validators=[validators.InputRequired()])
    payments = TextAreaField(_l("Payments: method, amount (one per line)"),
                             validators=[validators.Optional()])


def _rows(text: str, width: int) -> list[list[str]]:
    rows = []
    for raw in (text or "").splitlines():
        if raw.strip():
            parts = [p.strip() for p in raw.replace("，", ",").split(",")]
            rows.append((parts + [""] * width)[:width] if len(parts) <= width else parts)
    return rows


def _basket_errors(errors: dict) -> list[str]:
    """Field messages of parse_basket as sentences naming the row."""
    out = []
    for where, value in errors.items():
        if isinstance(value, dict):
            for index, fields in value.items():
                for field, messages in fields.items():
                    label = _("Line %(n)s", n=int(index) + 1) if where == "lines" \
                        else _("Payment %(n)s", n=int(index) + 1)
                    out.extend(f"{label}, {field}: {m}" for m in messages)
        else:
            out.extend(str(m) for m in value)
    return out


class RulePreviewView(BaseView):
    """"This basket earns ...": every step of the earning order, nothing written."""

    route_base = "/loyalty/preview"
    default_view = "preview"
    base_permissions = ["can_preview"]

    @expose("/", methods=["GET", "POST"])
    @has_access
    @permission_name("preview")
    def preview(self):
        form = PreviewForm()
        result, problems, steps = None, [], None
        if form.validate_on_submit():
            lines = [{"category": c, "counter": ct or None, "sku": s, "amount": a}
                     for c, ct, s, a in (row[:4] for row in _rows(form.lines.data, 4))]
            payments = [{"method": m, "amount": a}
                        for m, a in (row[:2] for row in _rows(form.payments.data, 2))]
            data = {"store": form.store.data, "lines": lines, "payments": payments}
            if form.day.data:
                data["occurred_at"] = dt.datetime.combine(
                    form.day.data, dt.time(12), tzinfo=dt.timezone.utc).isoformat()
            member_id = None
            if (form.phone.data or "").strip() or (form.card.data or "").strip():
                member_id = _member(form)
            try:
                event, _ref = parse_basket(data)
            except LoyaltyError as exc:
                problems = _basket_errors(exc.message) if isinstance(exc.message, dict) \
                    else [exc.message]
            else:
                if not form.errors and not form.phone.errors:
                    result = preview(event, member_id, tier_code=form.tier.data or None)
                    settings = program_settings()
                    on = local_date(event.occurred_at, settings.timezone)
                    steps = {"on": on, "member": member_id,
                             "in_force": rules_in_force(EarningRule.select(), on)}
        return self.render_template("loyalty/preview.html", form=form, result=result,
                                    problems=problems, steps=steps,
                                    title=_("Rule preview"))


class EventSignupForm(MemberRefForm):
    channel = SelectField(_l("Sign-up channel"), choices=SIGNUP_CHANNELS, default="console")


class EventSignupFormView(BaseView):
    """Sign a member up for an event from the console."""

    route_base = "/loyalty/events"
    default_view = "signup"
    base_permissions = ["can_signup"]

    @expose("/<int:event_id>/signup", methods=["GET", "POST"])
    @has_access
    @permission_name("signup")
    def signup(self, event_id: int):
        from ..events.service import sign_up

        from zhanggui.console.scope import user_store_codes

        event = MemberEvent.get_or_none(MemberEvent.id == event_id)
        codes = user_store_codes()
        if event is None or (codes is not None and event.store_code not in codes):
            abort(404)
        form = EventSignupForm()
        if form.validate_on_submit():
            member_id = _member(form)
            if member_id is not None:
                try:
                    sign_up(event.id, member_id, form.channel.data)
                except LoyaltyError as exc:
                    form.phone.errors = list(form.phone.errors) + [
                        exc.message if isinstance(exc.message, str) else str(exc)]
                else:
                    flash(_("Member %(member)s has a place at %(event)s.", member=member_id,
                            event=event.title), "success")
                    return redirect(url_for("MemberEventView.show", pk=event.id))
        return self.render_template("loyalty/signup.html", form=form, event=event,
                                    title=_("Sign up for %(event)s", event=event.title))
