"""Flask-AppBuilder's list and show actions (``/action/<name>/<pk>``,
``/action_post``), refusing what FAB would turn into a 500.

FAB calls ``self.actions.get(name).func(item)`` without asking whether the action
exists or the record was found: an unknown action name, or the primary key of a
record the user may not reach (another store's), raised inside the view.  Both
answer 404 here, before the view runs.  FAB itself still checks the action's
permission, and CSRF stays on for the POST.
"""
from __future__ import annotations

from flask import abort, request


def install(app, appbuilder) -> None:
    views = {view.blueprint.name: view for view in appbuilder.baseviews
             if getattr(view, "blueprint", None) is not None and hasattr(view, "actions")}

    @app.before_request
    def _zhanggui_known_actions():
        blueprint, _, method = (request.endpoint or "").rpartition(".")
        if method not in ("action", "action_post") or blueprint not in views:
            return None
        view = views[blueprint]
        if method == "action":
            name, pks = request.view_args.get("name"), [request.view_args.get("pk")]
        else:
            if request.method != "POST":
                return None
            name, pks = request.form.get("action"), request.form.getlist("rowid")
        if name not in (view.actions or {}):
            abort(404)
        for pk in pks:
            if view.datamodel.get(view._deserialize_pk_if_composite(pk)) is None:
                abort(404)
        return None
