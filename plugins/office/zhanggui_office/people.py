"""Console users as the office sees them: names, e-mail, roles and stores.

Users live in Flask-AppBuilder's tables; the office keeps only their ids.  Every
function here works outside a request (jobs, CLI) as well as inside one.
"""
from __future__ import annotations

from typing import Iterable

from flask import current_app


def _sm():
    return current_app.appbuilder.sm


def get_user(user_id):
    if user_id is None:
        return None
    try:
        return _sm().get_user_by_id(int(user_id))
    except (TypeError, ValueError):
        return None


def user_name(user_id) -> str:
    user = get_user(user_id)
    return str(user.username) if user is not None else ""


def user_email(user_id) -> str | None:
    user = get_user(user_id)
    email = getattr(user, "email", None) if user is not None else None
    if not email or email.endswith(".invalid"):
        return None
    return email


def find_user_id(username: str):
    user = _sm().find_user(username=username)
    return user.id if user is not None else None


def role_exists(name: str) -> bool:
    return _sm().find_role(name) is not None


def users_with_role(role: str) -> list[int]:
    """Active users holding ``role``, by id."""
    sm = _sm()
    model = sm.user_model
    users = sm.session.query(model).filter(model.active.is_(True)) \
        .filter(model.roles.any(name=role)).order_by(model.id).all()
    return [u.id for u in users]


def role_names(user_id) -> set[str]:
    user = get_user(user_id)
    return {r.name for r in getattr(user, "roles", [])} if user is not None else set()


def is_active(user_id) -> bool:
    user = get_user(user_id)
    return bool(user is not None and user.active)


def stores_of(user_id) -> set[str] | None:
    """The stores ``user_id`` works for; ``None`` when they reach every store."""
    from zhanggui.console.scope import ALL_STORES, store_codes_of
    from zhanggui.console.security import CORE_PERMISSION_VIEW

    user = get_user(user_id)
    if user is None:
        return set()
    if _sm()._has_view_access(user, ALL_STORES, CORE_PERMISSION_VIEW):
        return None
    return store_codes_of(user.id)


def may_reach_store(user_id, store_code: str | None) -> bool:
    """Whether ``user_id`` may work on a record of ``store_code`` (``None``: a
    chain-wide record, which store-scoped users may not decide)."""
    stores = stores_of(user_id)
    if stores is None:
        return True
    return store_code is not None and store_code in stores


def resolve(approver: str) -> list[int]:
    """The users an approver line names: ``role:<name>`` or ``user:<name>``."""
    kind, _, name = approver.partition(":")
    if kind == "role":
        return users_with_role(name)
    if kind == "user":
        uid = find_user_id(name)
        return [uid] if uid is not None and is_active(uid) else []
    return []


def names(user_ids: Iterable) -> dict:
    return {uid: user_name(uid) for uid in set(user_ids)}
