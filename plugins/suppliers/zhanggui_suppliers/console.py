"""What the plugin's screens share: record actions (buttons on the show page that post
to a command) and the store rule of records that hang off a counter or contract."""
from __future__ import annotations

from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import expose, has_access

from zhanggui import _

from .errors import SupplierError


def current_user_id():
    user = getattr(g, "user", None)
    return getattr(user, "id", None)


class RecordActionsMixin:
    """Show pages with buttons: ``record_actions`` is a list of
    ``(method name, label, statuses or None, fields)``; a field is
    ``(name, label, input type)``.  Each button appears to users holding
    ``can_<method name>`` on the view and posts to ``/<route>/<method name>/<pk>``."""

    record_actions: list = []
    show_template = "suppliers/show_actions.html"

    def _item_or_404(self, pk):
        item = self.datamodel.get(pk, self._base_filters)
        if item is None:
            abort(404)
        return item

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        item = self._item_or_404(pk)
        widgets = self._show(pk)
        status = getattr(item, "status", None)
        actions = [a for a in self.record_actions if a[2] is None or status in a[2]]
        return self.render_template(self.show_template, pk=pk, title=self.show_title,
                                    widgets=widgets, related_views=self._related_views,
                                    item=item, record_actions=actions,
                                    action_view=type(self).__name__,
                                    action_endpoint=self.endpoint,
                                    extra_panel=self.extra_panel(item))

    def extra_panel(self, item) -> str:
        """HTML shown above the record (a chart, a summary); none by default."""
        return ""

    def _act(self, pk, command):
        """Run ``command(item)`` on the user's own record; flash its refusal."""
        item = self._item_or_404(pk)
        try:
            command(item)
        except SupplierError as exc:
            for messages in exc.messages.values():
                for message in messages:
                    flash(message, "danger")
        else:
            flash(_("Done."), "success")
        return redirect(url_for(f"{self.endpoint}.show", pk=item.id))

    @staticmethod
    def form_text(name: str, limit: int = 200) -> str:
        return (request.form.get(name) or "").replace("\x00", "")[:limit]
