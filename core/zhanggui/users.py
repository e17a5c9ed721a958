"""Console users, created outside the console (CLI, tests, set-up scripts)."""
from __future__ import annotations

from flask import current_app


class UserError(ValueError):
    """The user cannot be created; the message says why."""


MIN_PASSWORD_LENGTH = 10


def create_user(username: str, password: str, role: str, email: str | None = None,
                first_name: str = "", last_name: str = ""):
    """Create a console user with one role; refuses weak passwords and duplicates."""
    from .i18n import _

    sm = current_app.extensions["zhanggui"].appbuilder.sm
    username = (username or "").strip()
    if not username:
        raise UserError(_("A username is required."))
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise UserError(_("The password must have at least %(n)s characters.",
                          n=MIN_PASSWORD_LENGTH))
    if sm.find_user(username=username) is not None:
        raise UserError(_("A user named %(username)s exists already.", username=username))
    role_obj = sm.find_role(role)
    if role_obj is None:
        raise UserError(_("No role named %(role)s; run zhanggui migrate first.", role=role))
    email = email or f"{username}@localhost.invalid"
    user = sm.add_user(username, first_name or username, last_name or "-", email, role_obj,
                       password=password)
    if not user:
        raise UserError(_("The user could not be created (is the e-mail %(email)s taken?)",
                          email=email))
    return user
