"""API keys for POS terminals and other machines (Security → API keys).

A head-office admin creates a key for a console user — typically one user per
terminal, e.g. ``pos-sh001`` with the role Store staff and the store SH001 assigned —
and the key acts as that user: the user's roles decide what the key may call, the
user's stores what it may see.  Keys are stored hashed (Flask-AppBuilder's
``ab_api_key``: a salted SHA-256 hash plus a keyed look-up hash; a key is 256 random
bits, so a slow password hash would buy nothing but CPU on every till request).  The
key itself is shown once, on the page that creates it, and cannot be shown again.  Revoking a key takes effect
at its next request.  Terminals send ``Authorization: Bearer <key>``.

Creating and revoking keys are ``permission-change`` audit entries.
"""
from __future__ import annotations

import datetime as dt

from flask import abort, current_app, flash, make_response, redirect, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.security.decorators import permission_name
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField, validators

from ..i18n import _, _l
from .audit import record


def _user_choices() -> list[tuple[str, str]]:
    sm = current_app.appbuilder.sm
    users = sm.session.query(sm.user_model).filter(sm.user_model.active.is_(True)) \
        .order_by(sm.user_model.username).all()
    return [(str(u.id), u.username) for u in users]


class ApiKeyForm(FlaskForm):
    name = StringField(_l("Name"), validators=[validators.InputRequired(),
                                               validators.Length(max=200)],
                       description=_l("What the key is for, e.g. POS terminal SH001-03"))
    user_id = SelectField(_l("Acts as user"), coerce=int, choices=_user_choices,
                          description=_l("The key has this user's roles and stores."))
    valid_days = IntegerField(_l("Valid for (days)"),
                              validators=[validators.Optional(),
                                          validators.NumberRange(min=1, max=3650)],
                              description=_l("Leave empty for a key that does not expire."))


def _no_store(response):
    response = make_response(response)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response


class ApiKeyView(BaseView):
    """List, create (key shown once) and revoke API keys; head-office admins only."""

    route_base = "/apikeys"
    default_view = "list"
    base_permissions = ["can_list", "can_add", "can_delete"]

    def _keys(self):
        sm = self.appbuilder.sm
        model = sm.api_key_model
        return sm.session.query(model).order_by(model.created_on.desc()).all()

    @expose("/")
    @has_access
    @permission_name("list")
    def list(self):
        from .display import display_value

        return self.render_template("zhanggui/apikeys.html", keys=self._keys(),
                                    key_state=key_state, when=display_value,
                                    title=_("API keys"))

    @expose("/add", methods=["GET", "POST"])
    @has_access
    @permission_name("add")
    def add(self):
        form = ApiKeyForm()
        if form.validate_on_submit():
            sm = self.appbuilder.sm
            user = sm.get_user_by_id(form.user_id.data)
            if user is None or not user.active:
                abort(400)
            expires = None
            if form.valid_days.data:
                # FAB compares expiry with its own naive local clock
                expires = dt.datetime.now() + dt.timedelta(days=form.valid_days.data)
            created = sm.create_api_key(user, form.name.data.strip(), expires_on=expires)
            if not created:
                flash(_("The key could not be created."), "danger")
            else:
                record("permission-change", "ApiKey", pk=created["uuid"],
                       fields=["created", "user_id"])
                return _no_store(self.render_template(
                    "zhanggui/apikey_created.html", created=created, user=user,
                    title=_("API key created")))
        return _no_store(self.render_template("zhanggui/apikey_form.html", form=form,
                                              title=_("New API key")))

    @expose("/revoke/<uuid>", methods=["POST"])
    @has_access
    @permission_name("delete")
    def revoke(self, uuid):
        sm = self.appbuilder.sm
        key = sm.get_api_key_by_uuid(uuid)
        if key is None:
            abort(404)
        if sm.revoke_api_key(uuid):
            record("permission-change", "ApiKey", pk=uuid, fields=["revoked"])
            flash(_("The key %(name)s is revoked.", name=key.name), "success")
        return redirect(url_for(".list"))


def key_state(key) -> str:
    """A translated word for the key's state (template helper)."""
    if key.revoked_on is not None:
        return _("revoked")
    if not key.is_active:
        return _("expired")
    return _("active")

