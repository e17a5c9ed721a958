"""Tasks in the console: the list (store-scoped: tasks of no store and of the
user's stores), the page with comments, completing, and the new-task form."""
from __future__ import annotations

import datetime as dt

from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.security.decorators import permission_name

from zhanggui import _, _l, format_local_datetime
from zhanggui.console.datamodel import ModelView, PeeweeInterface
from zhanggui.console.scope import StoreScopedMixin

from .. import people
from .models import TASK_STATES, Task, TaskComment
from .service import CreateTask, TaskError, comment, complete


def store_rule(query, codes):
    return query.where(Task.store_code.is_null() | Task.store_code.in_(sorted(codes) or [""]))


class TaskView(StoreScopedMixin, ModelView):
    datamodel = PeeweeInterface(Task)
    store_field = store_rule
    list_title = _l("Tasks")
    show_title = _l("Task")
    base_permissions = ["can_list", "can_show", "can_work"]
    list_columns = ["title", "store_code", "due_at", "status", "created_by_name"]
    show_columns = ["title", "description", "store_code", "due_at", "status",
                    "created_by_name", "created_at", "done_at"]
    search_columns = ["title", "status", "store_code"]
    base_order = ("created_at", "desc")
    label_columns = {"title": _l("Task"), "description": _l("Description"),
                     "store_code": _l("Store"), "due_at": _l("Due"), "status": _l("Status"),
                     "created_by_name": _l("Created by"), "created_at": _l("Created at"),
                     "done_at": _l("Done at")}
    formatters_columns = {"status": lambda v: str(dict(TASK_STATES).get(v, v)),
                          "due_at": lambda v: format_local_datetime(v) if v else "",
                          "created_at": format_local_datetime,
                          "done_at": lambda v: format_local_datetime(v) if v else ""}
    show_template = "office/task_show.html"

    @property
    def extra_args(self):
        return {"task_detail": self._detail}

    @extra_args.setter
    def extra_args(self, value):
        pass

    def _detail(self, pk):
        task = self.datamodel.get(pk)
        if task is None:
            return None
        return {"task": task, "fmt_datetime": format_local_datetime,
                "assignees": [people.user_name(a.user_id) for a in task.assignees],
                "comments": list(task.comments.order_by(TaskComment.id))}

    def _scoped(self, pk):
        task = self.datamodel.get(pk) if str(pk).isdigit() else None
        if task is None:
            abort(404)
        return task

    @expose("/done/<pk>", methods=["POST"])
    @has_access
    @permission_name("work")
    def done(self, pk):
        task = self._scoped(pk)
        try:
            complete(task.id, g.user.id)
            flash(_("The task is done."), "success")
        except TaskError as exc:
            flash(" ".join(m for ms in exc.messages.values() for m in ms), "danger")
        return redirect(url_for(".show", pk=pk))

    @expose("/comment/<pk>", methods=["POST"])
    @has_access
    @permission_name("work")
    def add_comment(self, pk):
        task = self._scoped(pk)
        try:
            comment(task.id, g.user.id, request.form.get("body"))
        except TaskError as exc:
            flash(" ".join(m for ms in exc.messages.values() for m in ms), "danger")
        return redirect(url_for(".show", pk=pk))

    @expose("/new/", methods=["GET", "POST"])
    @has_access
    @permission_name("work")
    def new(self):
        from zhanggui.console.scope import user_store_codes

        form, errors = request.form, {}
        if request.method == "POST":
            due = None
            if form.get("due_at"):
                from ..approvals.views import _parse_local

                # an unreadable date becomes a non-datetime, refused with a message
                due = _parse_local(form.get("due_at")) or dt.date.min
            store = (form.get("store_code") or "").strip() or None
            codes = user_store_codes()
            if codes is not None and store not in codes:
                errors = {"store_code": [_("You do not work for this store.")]}
            else:
                try:
                    task = CreateTask(g.user.id, form.get("title", ""),
                                      form.getlist("assignees"), due,
                                      form.get("description", ""), store).run()
                except TaskError as exc:
                    errors = exc.messages
                else:
                    flash(_("The task was given out."), "success")
                    return redirect(url_for(".show", pk=task.id))
        users = sorted(people.names(_active()).items(), key=lambda kv: kv[1])
        return self.render_template("office/task_new.html", title=_("New task"), form=form,
                                    errors=errors, users=users)


def _active():
    from flask import current_app

    sm = current_app.appbuilder.sm
    return [u.id for u in sm.session.query(sm.user_model)
            .filter(sm.user_model.active.is_(True)).all()]

