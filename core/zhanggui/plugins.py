"""The plugin host: discovery, enable list, requirement order and typed hook calls.

Plugins are found through the entry-point group ``zhanggui.plugins``; the entry
point's name is the plugin's name and its object (usually the plugin's ``plugin``
module) carries the hook implementations plus two module attributes:

* ``title``: a lazy-translated human title;
* ``requires``: a tuple of plugin names this one needs.

The version comes from the distribution.  The rest of the core never calls
``pm.hook.*`` directly: it calls the typed methods of :class:`PluginHost`.

The common registrations can also be *declared* as attributes of the plugin object
(``models = [...]``, ``admin_views``, ``api``, ``permissions``, ``default_roles``,
``jobs``, ``cli_commands``, ``dashboard_widgets``, ``search_sources``,
``member_panels``, ``migrations``); a ``translations/`` folder next to the plugin
module and a ``migrations/`` folder of generated steps are found by themselves (see
``declarations.py``).  Declared items are merged with the hooks' lists, in plugin
order, under the same duplicate checks.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Any, Callable, Iterable

import pluggy

from . import hookspecs
from .hookfailures import _blame, _raiser, hook_failure, log_hook_failure  # noqa: F401

log = logging.getLogger("zhanggui.plugins")
ENTRY_POINT_GROUP = "zhanggui.plugins"
PREFIX = "zhanggui_"
hookimpl = pluggy.HookimplMarker(hookspecs.PROJECT)


class PluginError(RuntimeError):
    """The plugin set cannot start: missing requirement, cycle, duplicate, bad hook."""


@dataclass(frozen=True)
class PluginInfo:
    """What the plugin list shows about one plugin."""

    name: str
    version: str
    title: Any
    requires: tuple[str, ...]
    enabled: bool
    distribution: str | None
    builtin: bool = False


class _Manager(pluggy.PluginManager):
    """A pluggy manager that treats every ``zhanggui_*`` callable as a hook
    implementation (so an undecorated, misspelled one is caught too) and refuses
    decorated implementations without the prefix."""

    def parse_hookimpl_opts(self, plugin, name):
        opts = super().parse_hookimpl_opts(plugin, name)
        if opts is None and name.startswith(PREFIX) and callable(getattr(plugin, name, None)):
            if getattr(plugin, name).__class__.__name__ in {"function", "method"}:
                return {}
        if opts is not None and not name.startswith(PREFIX):
            raise PluginError(
                f"plugin {self.get_name(plugin) or plugin!r}: hook implementation {name!r} "
                f"must be named {PREFIX}<hook>")
        return opts


def _dist_version(ep) -> tuple[str, str | None]:
    dist = getattr(ep, "dist", None)
    if dist is None:
        return "0", None
    return dist.version, dist.metadata["Name"]


def discover() -> dict[str, tuple[Any, str, str | None]]:
    """Installed plugins: ``{name: (entry point, version, distribution)}``."""
    found: dict[str, tuple[Any, str, str | None]] = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        version, dist = _dist_version(ep)
        if ep.name in found and found[ep.name][2] != dist:
            raise PluginError(f"two distributions install a plugin named {ep.name!r}: "
                              f"{found[ep.name][2]} and {dist}")
        found[ep.name] = (ep, version, dist)
    return found


def order_by_requirements(requires: dict[str, tuple[str, ...]]) -> list[str]:
    """Requirements first; ties by name.  Raises :class:`PluginError` on a cycle."""
    ordered: list[str] = []
    state: dict[str, str] = {}

    def visit(name: str, path: list[str]) -> None:
        if state.get(name) == "done":
            return
        if state.get(name) == "visiting":
            cycle = path[path.index(name):] + [name]
            raise PluginError("plugins require each other in a cycle: " + " -> ".join(cycle))
        state[name] = "visiting"
        for dep in sorted(requires[name], key=lambda d: (d != "core", d)):
            visit(dep, path + [name])
        state[name] = "done"
        ordered.append(name)

    for name in sorted(requires, key=lambda n: (n != "core", n)):
        visit(name, [])
    return ordered


class PluginHost:
    """The enabled plugins of one application, in requirement order."""

    def __init__(self, enabled: list[str] | None = None, disabled: Iterable[str] = (),
                 extra: Iterable[Any] = (), trace: bool = False):
        from . import core_plugin

        self.pm = _Manager(hookspecs.PROJECT)
        self._callers: dict[str, list[tuple[str, Any]]] = {}
        self.pm.add_hookspecs(hookspecs)
        installed = discover()
        extra = list(extra)
        objects: dict[str, Any] = {"core": core_plugin}
        meta: dict[str, dict[str, Any]] = {
            "core": {"version": _core_version(), "dist": "zhanggui", "builtin": True}}
        for name, (ep, version, dist) in installed.items():
            meta[name] = {"version": version, "dist": dist, "ep": ep}
        for obj in extra:
            name = getattr(obj, "name", None) or getattr(obj, "__name__", None)
            if not name:
                raise PluginError(f"plugin object {obj!r} has no name")
            meta[name] = {"version": str(getattr(obj, "version", "0")), "dist": None, "obj": obj}
        disabled = set(disabled)
        wanted = set(meta) - {"core"} if enabled is None else set(enabled)
        unknown = sorted(wanted - set(meta)) + sorted(disabled - set(meta))
        if unknown:
            raise PluginError(f"plugin {unknown[0]!r} is not installed "
                              f"(installed: {', '.join(sorted(set(meta) - {'core'}))})")
        wanted |= {obj_name for obj_name in meta if "obj" in meta[obj_name]}
        wanted = (wanted - disabled) | {"core"}

        for name in sorted(wanted):
            m = meta[name]
            if name in objects:
                continue
            objects[name] = m["obj"] if "obj" in m else m["ep"].load()
        requires = {name: tuple(getattr(objects[name], "requires", ()) or ()) for name in wanted}
        declared = dict(requires)
        # every plugin stands on the core, which therefore comes first
        requires = {name: (deps if name == "core" else tuple({"core", *deps}))
                    for name, deps in requires.items()}
        for name in sorted(wanted):
            for dep in declared[name]:
                if dep not in wanted:
                    why = "disabled" if dep in meta else "not installed"
                    raise PluginError(f"plugin {name!r} requires plugin {dep!r}, which is {why}")
        self.order = order_by_requirements(requires)
        self.objects = {name: objects[name] for name in self.order}
        from .declarations import collect_declarations

        self._declared = {name: collect_declarations(name, objects[name]) for name in self.order}
        self.infos: dict[str, PluginInfo] = {}
        for name in self.order:
            obj = objects[name]
            self.infos[name] = PluginInfo(
                name=name, version=meta[name]["version"],
                title=getattr(obj, "title", name), requires=declared[name], enabled=True,
                distribution=meta[name]["dist"], builtin=meta[name].get("builtin", False))
        for name in sorted(set(meta) - wanted):
            self.infos[name] = PluginInfo(
                name=name, version=meta[name]["version"], title=_disabled_title(meta[name]),
                requires=(), enabled=False, distribution=meta[name]["dist"])
        # pluggy calls implementations last-registered-first: register dependants
        # first so events reach requirements before the plugins built on them.
        for name in reversed(self.order):
            try:
                self.pm.register(objects[name], name=name)
            except ValueError as exc:
                raise PluginError(f"plugin {name!r} cannot be registered: {exc}") from exc
        try:
            self.pm.check_pending()
        except pluggy.PluginValidationError as exc:
            raise PluginError(f"plugin {self.pm.get_name(exc.plugin)!r}: {exc}; see "
                              "docs/hooks.md for the hooks that exist") from exc
        if trace:
            self._enable_trace()

    # -- introspection -------------------------------------------------------------

    def plugin_list(self) -> list[PluginInfo]:
        """Every installed plugin, enabled ones first in order, then disabled ones."""
        return list(self.infos.values())

    def is_enabled(self, name: str) -> bool:
        info = self.infos.get(name)
        return bool(info and info.enabled)

    def _enable_trace(self) -> None:
        def before(hook_name, impls, kwargs):
            log.warning("hook %s(%s) -> %s", hook_name,
                        ", ".join(f"{k}={v!r}" for k, v in kwargs.items()),
                        [i.plugin_name for i in impls])

        def after(outcome, hook_name, impls, kwargs):
            log.warning("hook %s returned %r", hook_name, outcome.get_result()
                        if outcome.exception is None else outcome.exception)

        self.pm.add_hookcall_monitoring(before, after)

    # -- calling -------------------------------------------------------------------

    def _per_plugin_callers(self, hook_name: str) -> list[tuple[str, Any]]:
        """One pluggy caller per implementing plugin, in plugin order.

        Built once per hook: the plugin set never changes after start-up, and these
        hooks sit on hot paths (every POS sale asks ``zhanggui_pos_response``).
        """
        callers = self._callers.get(hook_name)
        if callers is None:
            impls = sorted(getattr(self.pm.hook, hook_name).get_hookimpls(),
                           key=lambda i: self.order.index(i.plugin_name))
            callers = [(impl.plugin_name, self.pm.subset_hook_caller(
                hook_name, [p for p in self.pm.get_plugins() if p is not impl.plugin]))
                for impl in impls]
            self._callers[hook_name] = callers
        return callers

    def _each(self, hook_name: str, **kwargs) -> list[tuple[str, Any]]:
        """Call every implementation in plugin order, pairing results with plugins;
        a plugin's declared items (``models = [...]``) follow its hook's answer.

        Each call still goes through pluggy (wrappers, tracing), one plugin at a time.
        An exception is logged and marked with the plugin and hook that raised it
        (:func:`hook_failure`), then propagates unchanged.
        """
        callers = dict(self._per_plugin_callers(hook_name))
        out: list[tuple[str, Any]] = []
        for plugin in self.order:
            try:
                if plugin in callers:
                    out.extend((plugin, result) for result in callers[plugin](**kwargs))
                declared = self._declared.get(plugin, {}).get(hook_name)
                if declared is not None:
                    out.append((plugin, declared(**kwargs)))
            except Exception as exc:
                _blame(exc, plugin, hook_name, self.infos[plugin].distribution)
                raise
        return out

    def implements(self, plugin: str, hook_name: str) -> bool:
        """Whether ``plugin`` answers ``hook_name`` (by hook or by declaration)."""
        return (plugin in dict(self._per_plugin_callers(hook_name))
                or hook_name in self._declared.get(plugin, {}))

    def collect(self, hook_name: str, key: Callable[[Any], str] = lambda item: item.name,
                **kwargs) -> list[Any]:
        """Merge a registration hook's lists, rejecting duplicate names."""
        seen: dict[str, str] = {}
        merged: list[Any] = []
        for plugin, items in self._each(hook_name, **kwargs):
            if items is None:
                continue
            if not isinstance(items, (list, tuple)):
                raise PluginError(f"plugin {plugin!r}: {hook_name} must return a list, "
                                  f"not {type(items).__name__}")
            for item in items:
                name = key(item)
                if name in seen:
                    raise PluginError(f"{hook_name}: {name!r} is registered by plugin "
                                      f"{seen[name]!r} and again by plugin {plugin!r}")
                seen[name] = plugin
                merged.append(item)
        return merged

    def collect_by_plugin(self, hook_name: str, **kwargs) -> dict[str, list[Any]]:
        """A registration hook's lists kept apart per plugin (e.g. migrations)."""
        out: dict[str, list[Any]] = {name: [] for name in self.order}
        for plugin, items in self._each(hook_name, **kwargs):
            out[plugin].extend(items or [])
        return out

    def models(self) -> list[type]:
        return self.collect("zhanggui_models", key=lambda m: m._meta.table_name)

    def models_by_plugin(self) -> dict[str, list[type]]:
        return self.collect_by_plugin("zhanggui_models")

    def migrations(self) -> dict[str, list[Any]]:
        plan = self.collect_by_plugin("zhanggui_migrations")
        for plugin, steps in plan.items():
            names = [s.name for s in steps]
            dupes = {n for n in names if names.count(n) > 1}
            if dupes:
                raise PluginError(f"plugin {plugin!r} has two migrations named {sorted(dupes)[0]!r}")
            steps.sort(key=lambda s: s.name)
        return plan

    def cli_commands(self) -> list[Any]:
        return self.collect("zhanggui_cli_commands")

    def jobs(self) -> list[Any]:
        return self.collect("zhanggui_jobs")

    def admin_views(self) -> list[Any]:
        return self.collect("zhanggui_admin_views")

    def api_endpoints(self) -> list[Any]:
        return self.collect("zhanggui_api_endpoints")

    def permissions(self) -> list[Any]:
        return self.collect("zhanggui_permissions")

    def default_roles(self) -> list[Any]:
        # grants are additive: two plugins may grant the same thing to one role
        return [g for grants in self.collect_by_plugin("zhanggui_default_roles").values()
                for g in grants]

    def translation_dirs(self) -> list[Any]:
        return self.collect("zhanggui_translation_dirs")

    def dashboard_widgets(self) -> list[Any]:
        return sorted(self.collect("zhanggui_dashboard_widgets"), key=lambda w: w.order)

    def search_sources(self) -> list[Any]:
        return self.collect("zhanggui_search_sources")

    def audience_criteria(self) -> list[Any]:
        return self.collect("zhanggui_audience_criteria")

    def member_panels(self, member_id: Any) -> list[Any]:
        return sorted(self.collect("zhanggui_member_panels", member_id=member_id),
                      key=lambda p: p.order)

    def export_member(self, member_id: Any) -> list[Any]:
        """Every plugin's :class:`ExportSection` about the member: the hooks' answers,
        then one section per table with a ``MemberRef`` column."""
        from .memberref import export_sections

        sections = self.collect("zhanggui_export_member", member_id=member_id)
        taken = {s.name for s in sections}
        for plugin, models in self.models_by_plugin().items():
            for section in export_sections(models, member_id):
                if section.name in taken:
                    raise PluginError(f"zhanggui_export_member: {section.name!r} is "
                                      f"answered twice (plugin {plugin!r})")
                sections.append(section)
        return sections

    def erase_member(self, member_id: Any) -> list[str]:
        """Erase the member in every plugin: the hooks, then every ``MemberRef`` row
        (detached when the column may be empty, else deleted).  Run it inside the
        erasure's transaction."""
        from .memberref import erase_rows

        done: list[str] = []
        for plugin, items in self._each("zhanggui_erase_member", member_id=member_id):
            done.extend(f"{plugin}: {item}" for item in items or [])
        for plugin, models in self.models_by_plugin().items():
            done.extend(f"{plugin}: {item}" for item in erase_rows(models, member_id))
        return done

    def search_documents(self, since: Any = None):
        """``(source, document)`` pairs of every ``zhanggui_search_sources`` source,
        changed since ``since`` (``None``: all): what a search index reads."""
        for source in self.search_sources():
            for document in source.documents(since):
                yield source, document

    def pos_response(self, transaction: Any) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        owner: dict[str, str] = {}
        for plugin, extra in self._each("zhanggui_pos_response", transaction=transaction):
            for key, value in (extra or {}).items():
                if key in owner:
                    raise PluginError(f"zhanggui_pos_response: key {key!r} is answered by "
                                      f"plugin {owner[key]!r} and again by plugin {plugin!r}")
                owner[key] = plugin
                merged[key] = value
        return merged

    def call_first(self, hook_name: str, **kwargs) -> Any:
        """Call a ``firstresult`` hook.

        An exception is marked with the plugin, distribution and hook that raised it
        (:func:`hook_failure`) but not logged here: some of these hooks raise by
        contract (office's ``ApprovalError`` from ``zhanggui_request_approval``) and
        their callers answer it.  One nobody handles is logged, with the names, by
        the error answer (a 500).
        """
        hook = getattr(self.pm.hook, hook_name)
        try:
            return hook(**kwargs)
        except Exception as exc:
            plugin = _raiser(exc, hook.get_hookimpls())
            if plugin is not None:
                _blame(exc, plugin, hook_name, self.infos[plugin].distribution, logged=False)
            raise

    def emit(self, event: str, **kwargs) -> None:
        """Fire a domain event (``emit("purchase_recorded", purchase=p)``).

        Implementations run in plugin order.  One that raises stops the event (the
        policy is *roll back*, not *isolate*): the exception, marked with the plugin,
        its distribution and the hook (:func:`hook_failure`) and logged, propagates to
        the caller, whose transaction rolls the business action back.
        """
        hook = getattr(self.pm.hook, PREFIX + event, None)
        if hook is None:
            raise PluginError(f"no such event hook {PREFIX + event}")
        if self._per_plugin_callers(PREFIX + event):
            self._each(PREFIX + event, **kwargs)
        else:
            hook(**kwargs)  # nobody listens; still traced with TRACE_HOOKS
        if event == "merge_members":
            # every plugin's MemberRef columns follow the merge (zhanggui.MemberRef)
            from .memberref import follow_merge

            follow_merge([m for ms in self.models_by_plugin().values() for m in ms], **kwargs)

    def app_ready(self, app) -> None:
        hook = self.pm.hook.zhanggui_app_ready
        try:
            hook(app=app)
        except Exception as exc:
            plugin = _raiser(exc, hook.get_hookimpls())
            if plugin is not None:  # the app cannot start: say which plugin stopped it
                _blame(exc, plugin, "zhanggui_app_ready", self.infos[plugin].distribution)
            raise

    def demo_data(self, ctx) -> None:
        from .db import write_transaction

        for plugin, _ in [(p, None) for p in self.order]:
            impls = [i for i in self.pm.hook.zhanggui_demo_data.get_hookimpls()
                     if i.plugin_name == plugin]
            for impl in impls:
                try:
                    with write_transaction():
                        impl.function(ctx=ctx)
                except Exception as exc:
                    _blame(exc, plugin, "zhanggui_demo_data", self.infos[plugin].distribution)
                    raise


def _disabled_title(meta: dict[str, Any]) -> Any:
    """A disabled plugin's title, read from its module without registering it; its
    name when the module cannot be imported."""
    try:
        obj = meta["obj"] if "obj" in meta else meta["ep"].load()
    except Exception:  # noqa: BLE001 - a broken disabled plugin still gets listed
        return meta.get("ep").name if meta.get("ep") else "?"
    return getattr(obj, "title", None) or getattr(obj, "name", "?")


def _core_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("zhanggui")
    except PackageNotFoundError:  # running from a source tree
        return "0"
