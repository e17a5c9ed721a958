"""The notification service every plugin uses: a console inbox, e-mail over SMTP and
SMS through a gateway hook, with per-user channel preferences and quiet hours.

``notify(user_ids, kind, title, body="", url="", urgent=False)`` is the whole API for
a plugin; see :mod:`zhanggui.notifications.service` for how delivery works.
"""
from .service import channels_for, mark_read, notify, send_due, set_channels, unread

__all__ = ["channels_for", "mark_read", "notify", "send_due", "set_channels", "unread"]
