"""Naming the plugin whose hook implementation raised.

The plugin host marks such an exception with the plugin, its distribution and the
hook (:func:`hook_failure` reads them back, for error answers) and logs it once on
``zhanggui.plugins``, with the three as the log record's ``plugin``,
``distribution`` and ``hook``.  See docs/plugins.md, "When a hook raises".
"""
from __future__ import annotations

import logging

log = logging.getLogger("zhanggui.plugins")


def hook_failure(exc: BaseException | None = None) -> dict[str, str | None]:
    """``{"plugin", "distribution", "hook"}`` of the hook implementation that raised
    ``exc`` (default: the exception being handled), or ``{}`` when no plugin's hook
    raised it.  ``distribution`` is the installed distribution that holds the plugin
    (``None`` for a plugin object handed to the app directly).  For error answers:
    ``{"message": ..., **hook_failure()}``."""
    import sys

    carrier = _carrier(exc if exc is not None else sys.exc_info()[1])
    if carrier is None:
        return {}
    plugin, hook, distribution = carrier.zhanggui_hook  # type: ignore[attr-defined]
    return {"plugin": plugin, "distribution": distribution, "hook": hook}


def _carrier(exc: BaseException | None) -> BaseException | None:
    """``exc``, or the exception it was raised from or while handling (``raise X from
    exc``), that a hook implementation raised; ``None`` if none was."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if getattr(exc, "zhanggui_hook", None) is not None:
            return exc
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return None


def _blame(exc: BaseException, plugin: str, hook_name: str,
           distribution: str | None = None, logged: bool = True) -> None:
    """Name the plugin, its distribution and the hook on an exception a hook
    implementation raised (once: the innermost hook is the one to blame), and log it
    (unless ``logged`` is false: see :func:`log_hook_failure`)."""
    if getattr(exc, "zhanggui_hook", None) is None:
        where = f"plugin {plugin!r} (distribution {distribution or 'none'}) in {hook_name}"
        try:
            exc.zhanggui_hook = (plugin, hook_name, distribution)  # type: ignore[attr-defined]
            exc.add_note(f"raised by {where}")
        except (AttributeError, TypeError):  # an exception type without __dict__
            return
    if logged:
        log_hook_failure(exc)


def log_hook_failure(exc: BaseException) -> None:
    """Log, once, the failure of the hook implementation that raised ``exc`` on
    ``zhanggui.plugins``, the plugin, distribution and hook in the message and as the
    record's ``plugin``, ``distribution`` and ``hook``."""
    carrier = _carrier(exc)
    if carrier is None or getattr(carrier, "zhanggui_hook_logged", False):
        return
    carrier.zhanggui_hook_logged = True  # type: ignore[attr-defined]
    where = hook_failure(carrier)
    log.error("plugin %r (distribution %s) failed in %s: %s: %s", where["plugin"],
              where["distribution"] or "none", where["hook"], type(carrier).__name__,
              carrier, exc_info=carrier, extra=where)


def _raiser(exc: BaseException, impls) -> str | None:
    """The plugin whose implementation (among ``impls``) raised ``exc``: the innermost
    of their functions in the traceback."""
    codes = {getattr(impl.function, "__code__", None): impl.plugin_name for impl in impls}
    found, tb = None, exc.__traceback__
    while tb is not None:
        found = codes.get(tb.tb_frame.f_code, found)
        tb = tb.tb_next
    return found
