"""Declarative registration: what a plugin object states instead of implementing hooks.

A plugin module (or any plugin object) may carry these attributes; the plugin host
merges them with the answers of the matching registration hook, in plugin order and
under the same duplicate checks:

=====================  ===========================  ==========================================
attribute              hook it stands for           items
=====================  ===========================  ==========================================
``models``             ``zhanggui_models``          peewee model classes
``migrations``         ``zhanggui_migrations``      :class:`Migration` steps
``admin_views``        ``zhanggui_admin_views``     :class:`AdminView`, or a view class
``api``                ``zhanggui_api_endpoints``   :class:`ApiEndpoint`, or an API class
``permissions``        ``zhanggui_permissions``     :class:`Permission`
``default_roles``      ``zhanggui_default_roles``   :class:`RoleGrant`
``jobs``               ``zhanggui_jobs``            :class:`Job`
``cli_commands``       ``zhanggui_cli_commands``    click commands
``dashboard_widgets``  ``zhanggui_dashboard_widgets``  :class:`DashboardWidget`
``search_sources``     ``zhanggui_search_sources``  :class:`SearchSource`
``member_panels``      ``zhanggui_member_panels``   functions ``(member_id) -> MemberPanel | None``
``translations``       ``zhanggui_translation_dirs``  :class:`TranslationDir`
=====================  ===========================  ==========================================

Found without declaring anything, unless the plugin answers the hook itself:

* ``translations/`` next to the plugin module: the gettext domain named after the
  plugin's import package;
* ``migrations/`` next to the plugin module: the steps written by
  ``zhanggui migrations make PLUGIN`` (:mod:`zhanggui.schema`).

A view class given bare becomes a menu entry under the plugin's own category, labelled
with the class's ``menu_label`` (else its ``list_title``); an API class is served under
its ``resource_name``.
"""
from __future__ import annotations

import sys
import types
from pathlib import Path
from typing import Any, Callable

from .registry import AdminView, ApiEndpoint, TranslationDir

LISTS = {
    "models": "zhanggui_models",
    "migrations": "zhanggui_migrations",
    "admin_views": "zhanggui_admin_views",
    "api": "zhanggui_api_endpoints",
    "permissions": "zhanggui_permissions",
    "default_roles": "zhanggui_default_roles",
    "jobs": "zhanggui_jobs",
    "cli_commands": "zhanggui_cli_commands",
    "dashboard_widgets": "zhanggui_dashboard_widgets",
    "search_sources": "zhanggui_search_sources",
    "translations": "zhanggui_translation_dirs",
}
PER_MEMBER = {"member_panels": "zhanggui_member_panels"}


def package_dir(obj: Any) -> Path | None:
    """The folder of the plugin's import package (``None`` for objects without one)."""
    name = getattr(obj, "__package__", None) or getattr(obj, "__name__", "")
    module = sys.modules.get(name)
    path = getattr(module, "__file__", None) or getattr(obj, "__file__", None)
    return Path(path).parent if path else None


def package_name(obj: Any) -> str | None:
    return getattr(obj, "__package__", None) or None


def collect_declarations(plugin: str, obj: Any) -> dict[str, Callable[..., list]]:
    """``{hook name: callable returning the declared items}`` for one plugin."""
    from .plugins import PluginError

    found: dict[str, Callable[..., list]] = {}
    for attr, hook in {**LISTS, **PER_MEMBER}.items():
        value = getattr(obj, attr, None)
        if value is None or isinstance(value, types.ModuleType):
            continue  # ``from . import models`` in plugin.py is not a declaration
        if not isinstance(value, (list, tuple)):
            raise PluginError(f"plugin {plugin!r}: {attr} must be a list, not "
                              f"{type(value).__name__}")
        if hasattr(obj, hook):
            raise PluginError(f"plugin {plugin!r} declares {attr} and implements {hook}: "
                              "choose one")
        items = [_normalise(plugin, obj, attr, item) for item in value]
        if attr in PER_MEMBER:
            found[hook] = _per_member(items)
        else:
            found[hook] = (lambda items=items: list(items))
    folder = package_dir(obj)
    if folder is not None and package_name(obj):
        if ("zhanggui_translation_dirs" not in found and not hasattr(obj, "zhanggui_translation_dirs")
                and (folder / "translations").is_dir()):
            tdir = TranslationDir(domain=package_name(obj), path=folder / "translations")
            found["zhanggui_translation_dirs"] = lambda: [tdir]
        if ("zhanggui_migrations" not in found and not hasattr(obj, "zhanggui_migrations")
                and (folder / "migrations").is_dir()):
            from .schema import load_steps

            package = package_name(obj)
            found["zhanggui_migrations"] = lambda: load_steps(folder / "migrations", package)
    return found


def _per_member(functions: list[Callable]) -> Callable[..., list]:
    def call(member_id):
        out = []
        for function in functions:
            answer = function(member_id)
            out.extend(answer if isinstance(answer, (list, tuple))
                       else [] if answer is None else [answer])
        return out

    return call


def _normalise(plugin: str, obj: Any, attr: str, item: Any) -> Any:
    if attr == "admin_views" and isinstance(item, type):
        label = getattr(item, "menu_label", None) or getattr(item, "list_title", None)
        return AdminView(name=item.__name__, view=item, label=label, category=plugin,
                         category_label=getattr(obj, "title", plugin),
                         icon=getattr(item, "menu_icon", "fa-circle"))
    if attr == "api" and isinstance(item, type):
        return ApiEndpoint(name=getattr(item, "resource_name", None) or item.__name__, api=item)
    return item
