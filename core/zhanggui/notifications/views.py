"""The console inbox: the signed-in user's notifications, newest first, with
*mark as read*, and their channel choice and quiet hours."""
from __future__ import annotations

import datetime as dt

from flask import flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.security.decorators import permission_name

from ..db import write_transaction
from ..formatting import format_local_datetime
from ..i18n import _
from .models import CHANNELS, Notification, NotificationProfile
from .service import channels_for, mark_read, set_channels


class NotificationInboxView(BaseView):
    route_base = "/notifications"
    default_view = "inbox"
    base_permissions = ["can_inbox"]

    @expose("/")
    @has_access
    @permission_name("inbox")
    def inbox(self):
        notes = list(Notification.select().where(Notification.user_id == g.user.id)
                     .order_by(Notification.created_at.desc(), Notification.id.desc())
                     .limit(100))
        profile = NotificationProfile.get_or_none(NotificationProfile.user_id == g.user.id)
        return self.render_template(
            "zhanggui/notifications.html", title=_("Notifications"), notes=notes,
            fmt_datetime=format_local_datetime, channels=CHANNELS,
            chosen=channels_for(g.user.id, "*"), profile=profile)

    @expose("/read/<int:pk>", methods=["POST"])
    @has_access
    @permission_name("inbox")
    def read(self, pk):
        mark_read(g.user.id, pk)
        return redirect(url_for(".inbox"))

    @expose("/preferences/", methods=["POST"])
    @has_access
    @permission_name("inbox")
    def preferences(self):
        chosen = [c for c in request.form.getlist("channel") if c in ("email", "sms")]
        start, end = _time(request.form.get("quiet_start")), _time(request.form.get("quiet_end"))
        mobile = (request.form.get("mobile") or "").strip()
        if mobile and not (mobile.isdigit() and 6 <= len(mobile) <= 20):
            flash(_("Give a mobile number of digits only."), "danger")
            return redirect(url_for(".inbox"))
        set_channels(g.user.id, "*", chosen)
        with write_transaction():
            NotificationProfile.insert(user_id=g.user.id, quiet_start=start, quiet_end=end,
                                       mobile=mobile or None).on_conflict(
                conflict_target=[NotificationProfile.user_id],
                update={NotificationProfile.quiet_start: start,
                        NotificationProfile.quiet_end: end,
                        NotificationProfile.mobile: mobile or None}).execute()
        flash(_("Your notification choices were saved."), "success")
        return redirect(url_for(".inbox"))


def _time(text):
    try:
        return dt.time.fromisoformat((text or "").strip()) if text else None
    except ValueError:
        return None
