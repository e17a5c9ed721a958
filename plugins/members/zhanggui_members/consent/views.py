"""Console side of consent: the 360° view's consent panel and its one-click actions.

The panel (a ``zhanggui_member_panels`` contribution of the members plugin itself)
shows the current answer per channel, the history and guardians' consents.  Users
holding ``can_record on MemberConsentView`` get a button per channel (give /
withdraw), "withdraw all marketing" and, for members under 14, the guardian form.
Every action is a POST with CSRF; the member must be within the user's stores, like
the 360° view itself.  Messages come back as flash messages on the 360° view.
"""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.security.decorators import permission_name

from zhanggui import (MemberPanel, _, _l, format_local_date, format_local_datetime,
                      has_permission, utcnow)
from zhanggui.console.datamodel import ModelView, PeeweeInterface
from zhanggui.console.scope import restrict_to_stores, user_store_codes

from ..profile.models import Member
from .models import ConsentText
from .service import (CHANNEL_CODES, GUARDIAN_AGE, ConsentError, MemberNotFound, age_on,
                      channel_labels, consent_history, consent_states, guardian_consents,
                      record_consent, record_guardian_consent, source_labels,
                      text_in_force, withdraw_all)

RECORD = "can_record on MemberConsentView"


def member_in_scope(member_id) -> Member | None:
    """The member if the signed-in user's stores reach it (by home store)."""
    query = Member.select().where(Member.id == member_id)
    codes = user_store_codes()
    if codes is not None:
        query = restrict_to_stores(query, Member, "home_store", codes)
    return query.first()


def consent_panel(member_id) -> list[MemberPanel]:
    member = Member.get_or_none(Member.id == member_id)
    if member is None:
        return []
    texts = {c: text_in_force(c) for c in CHANNEL_CODES}
    age = age_on(member.birthday, utcnow().date())
    html = render_template(
        "members/consent_panel.html", member=member, states=consent_states(member_id),
        history=consent_history(member_id, limit=50), guardians=guardian_consents(member_id),
        texts=texts, channels=channel_labels(), sources=source_labels(),
        minor=age is not None and age < GUARDIAN_AGE, guardian_age=GUARDIAN_AGE,
        may_record=has_permission(RECORD) and member.erased_at is None,
        fmt_datetime=format_local_datetime, fmt_date=format_local_date)
    return [MemberPanel(name="members.consent", title=_l("Marketing consent"), html=html,
                        order=10)]


def _who() -> str:
    return str(getattr(getattr(g, "user", None), "username", "") or "")


class MemberConsentView(BaseView):
    """The consent buttons of the 360° view (POST only)."""

    route_base = "/memberconsent"
    base_permissions = ["can_record"]
    default_view = "record"

    def _back(self, member_id):
        return redirect(url_for("MemberView.show", pk=member_id))

    def _member(self, member_id) -> Member:
        member = member_in_scope(member_id)
        if member is None:
            abort(404)
        return member

    def _refused(self, exc: ConsentError):
        for messages in exc.messages.values():
            for message in messages:
                flash(message, "danger")

    @expose("/<int:member_id>/record", methods=["POST"])
    @has_access
    @permission_name("record")
    def record(self, member_id):
        """Give or withdraw one channel: the text in force is the one shown."""
        member = self._member(member_id)
        channel = request.form.get("channel")
        granted = request.form.get("granted") == "1"
        text = text_in_force(channel) if channel in CHANNEL_CODES and granted else None
        try:
            record_consent(member.id, channel, granted, "console",
                           text.version if text else None, recorded_by=_who())
        except ConsentError as exc:
            self._refused(exc)
        except MemberNotFound:
            abort(404)
        else:
            label = channel_labels()[channel]
            flash(_("Consent for %(channel)s recorded.", channel=label) if granted else
                  _("Consent for %(channel)s withdrawn.", channel=label), "success")
        return self._back(member.id)

    @expose("/<int:member_id>/withdraw-all", methods=["POST"])
    @has_access
    @permission_name("record")
    def withdraw_all(self, member_id):
        member = self._member(member_id)
        try:
            withdraw_all(member.id, "console", recorded_by=_who())
        except MemberNotFound:
            abort(404)
        flash(_("All marketing consent withdrawn."), "success")
        return self._back(member.id)

    @expose("/<int:member_id>/guardian", methods=["POST"])
    @has_access
    @permission_name("record")
    def guardian(self, member_id):
        member = self._member(member_id)
        try:
            record_guardian_consent(member.id, request.form.get("guardian_name"),
                                    request.form.get("relation"), "console",
                                    recorded_by=_who())
        except ConsentError as exc:
            self._refused(exc)
        except MemberNotFound:
            abort(404)
        else:
            flash(_("Guardian's consent recorded."), "success")
        return self._back(member.id)


class ConsentTextView(ModelView):
    """Members → Consent texts: the wording per channel and version.  A version once
    in use is proof of what members read, so texts are added, never edited."""

    datamodel = PeeweeInterface(ConsentText)
    list_title = show_title = _l("Consent texts")
    add_title = _l("Add consent text")
    base_permissions = ["can_list", "can_show", "can_add"]
    list_columns = ["channel", "version", "effective_from", "text_zh_cn"]
    show_columns = add_columns = ["channel", "version", "effective_from", "text_zh_cn",
                                  "text_zh_tw", "text_en"]
    search_columns = ["channel", "version"]
    order_columns = ["channel", "version", "effective_from"]
    label_columns = {"channel": _l("Channel"), "version": _l("Consent text version"),
                     "effective_from": _l("Effective from"),
                     "text_zh_cn": _l("Wording (Simplified Chinese)"),
                     "text_zh_tw": _l("Wording (Traditional Chinese)"),
                     "text_en": _l("Wording (English)")}
    base_order = ("effective_from", "desc")
