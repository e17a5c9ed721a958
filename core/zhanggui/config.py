"""Settings: defaults, an optional config file and ``ZHANGGUI_*`` environment variables.

Precedence, lowest first: built-in defaults, the file named by ``ZHANGGUI_CONFIG``
(a Python file of UPPERCASE names, or a ``.toml`` file of lower-case keys), the
environment, then the mapping given to ``create_app(config=...)``.  Every setting is
declared in :data:`SETTINGS`; an unknown or malformed one stops start-up with a
:class:`ConfigError` that names it.
"""
from __future__ import annotations

import decimal
import difflib
import re
import os
import secrets
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class ConfigError(ValueError):
    """A setting is unknown or malformed; the message names it."""


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError("expected true or false")


def _list(value: Any) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, (list, tuple, set)):
        items = [str(v).strip() for v in value]
    else:
        items = [v.strip() for v in str(value).split(",")]
    return [v for v in items if v]


def _optional_list(value: Any) -> list[str] | None:
    if value is None or (isinstance(value, str) and value.strip() in {"", "*", "all"}):
        return None
    return _list(value)


def _database_url(value: Any) -> str | None:
    if value in (None, ""):
        return None
    text = str(value)
    scheme = text.split(":", 1)[0].lower()
    if scheme not in {"sqlite", "postgres", "postgresql", "postgresext", "mysql", "mysql+pool",
                      "postgresql+pool", "sqlite+pool"}:
        raise ValueError("use sqlite:///path, postgresql://user@host/db or mysql://user@host/db")
    return text


def _queue_url(value: Any) -> str | None:
    if value in (None, ""):
        return None
    text = str(value)
    scheme = text.split(":", 1)[0].lower()
    if scheme not in {"sqlite", "redis", "memory", "immediate"}:
        raise ValueError("use sqlite:///path, redis://host:port/db, memory:// or immediate://")
    return text


def _timezone(value: Any) -> str:
    try:
        ZoneInfo(str(value))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {value!r}") from exc
    return str(value)


KNOWN_LANGUAGES = ("zh_CN", "zh_TW", "en")


def _languages(value: Any) -> list[str]:
    langs = _list(value) or []
    unknown = [lang for lang in langs if lang not in KNOWN_LANGUAGES]
    if unknown or not langs:
        raise ValueError(f"choose among {', '.join(KNOWN_LANGUAGES)}")
    return langs


def _language(value: Any) -> str:
    if str(value) not in KNOWN_LANGUAGES:
        raise ValueError(f"choose among {', '.join(KNOWN_LANGUAGES)}")
    return str(value)


def _choice(*allowed: str) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        if str(value) not in allowed:
            raise ValueError(f"choose {' or '.join(allowed)}")
        return str(value)
    return parse


def _path(value: Any) -> str | None:
    return None if value in (None, "") else str(Path(str(value)).expanduser())


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def _bytes(value: Any) -> int:
    """A size in bytes: ``10485760``, ``10MB`` or ``512KB`` (powers of 1024)."""
    text = str(value).strip().upper().replace(" ", "")
    units = {"KB": 1024, "MB": 1024**2, "GB": 1024**3, "B": 1}
    for unit, factor in units.items():
        if text.endswith(unit):
            size = int(text[: -len(unit)]) * factor
            break
    else:
        size = int(text)
    if size < 1024:
        raise ValueError("give a size of at least 1KB, e.g. 10MB")
    return size


def _rate(value: Any) -> str:
    """A rate such as ``10 per minute`` or ``100/hour`` (the limits library's syntax)."""
    from limits import parse

    text = str(value).strip()
    parse(text)  # ValueError names what is wrong
    return text


def _mail_url(value: Any) -> str | None:
    if value in (None, ""):
        return None
    text = str(value)
    if text.split(":", 1)[0].lower() not in {"smtp", "smtps"}:
        raise ValueError("use smtp://host:port or smtps://host:port")
    return text
def _count(value: Any) -> int:
    number = int(str(value).strip())
    if number < 0:
        raise ValueError("give a whole number, 0 or more")
    return number


def _lifetime(value: Any) -> float:
    seconds = float(str(value).strip())
    if not 0 <= seconds <= 86400:
        raise ValueError("give a number of seconds between 0 and 86400")
    return seconds


def _days(value: Any) -> int:
    days = int(str(value).strip())
    if days < 1:
        raise ValueError("give a whole number of days, at least 1")
    return days


def _years(value: Any) -> decimal.Decimal:
    try:
        years = decimal.Decimal(str(value).strip())
    except decimal.InvalidOperation:
        raise ValueError("give a number of years, e.g. 3 or 2.5") from None
    if not years.is_finite() or years <= 0:
        raise ValueError("give a number of years above 0, e.g. 3 or 2.5")
    return years


def _messages_per_second(value: Any) -> float:
    rate = float(str(value).strip())
    if not 0 <= rate <= 100000:
        raise ValueError("give messages per second from 0 (no limit) to 100000")
    return rate


def _frequency_caps(value: Any) -> dict[str, tuple[int, int]]:
    """``email=3/7,sms=2/7``: at most 3 e-mails and 2 SMS per member in 7 days."""
    caps: dict[str, tuple[int, int]] = {}
    for part in filter(None, (p.strip() for p in str(value or "").split(","))):
        channel, _, spec = part.partition("=")
        count, _, days = spec.partition("/")
        if channel.strip() not in ("email", "sms") or not count.isdigit() or \
                not days.isdigit() or int(days) < 1:
            raise ValueError("write channel=count/days, e.g. email=3/7,sms=2/7")
        caps[channel.strip()] = (int(count), int(days))
    return caps


def _quiet_hours(value: Any) -> tuple[int, int] | None:
    """``21-8``: no marketing from 21:00 to 08:00 in the member's time zone."""
    text = str(value or "").strip()
    if not text:
        return None
    start, _, end = text.partition("-")
    if not (start.isdigit() and end.isdigit() and 0 <= int(start) < 24 and
            0 <= int(end) < 24 and start != end):
        raise ValueError("write start-end hours, e.g. 21-8")
    return int(start), int(end)


def _seconds(value: Any) -> int:
    seconds = int(str(value).strip())
    if seconds < 1:
        raise ValueError("give a whole number of seconds, at least 1")
    return seconds


VALUE_GROUPS = ("loyal", "growing", "winback", "ordinary")


def _value_group_rules(value: Any) -> tuple:
    """``"loyal: R>=4 F>=4 M>=4; winback: R<=2 M>=4; ..."`` -> ``((group, ((letter, op,
    score), ...)), ...)``: rules tried in order, the first whose conditions all hold
    wins; a member matching none is ``ordinary``."""
    rules = []
    for text in str(value).split(";"):
        if not text.strip():
            continue
        group, sep, conditions = text.partition(":")
        group = group.strip()
        if not sep or group not in VALUE_GROUPS:
            raise ValueError(f"rule {text.strip()!r}: start with one of "
                             f"{', '.join(VALUE_GROUPS)} and a colon")
        parsed = []
        for cond in conditions.split():
            match = re.fullmatch(r"([RFM])(>=|<=|=)([1-5])", cond.upper())
            if not match:
                raise ValueError(f"rule {text.strip()!r}: condition {cond!r} must look like "
                                 "R>=4, F<=2 or M=5 (scores 1 to 5)")
            parsed.append((match[1], match[2], int(match[3])))
        if not parsed:
            raise ValueError(f"rule {text.strip()!r} has no condition")
        rules.append((group, tuple(parsed)))
    return tuple(rules)


DEFAULT_VALUE_GROUP_RULES = ("loyal: R>=4 F>=4 M>=4; winback: R<=2 F>=4; winback: R<=2 M>=4; "
                             "growing: R>=4; growing: R>=3 F>=3")


@dataclass(frozen=True)
class Setting:
    name: str
    parse: Callable[[Any], Any]
    default: Any
    help: str


SETTINGS: dict[str, Setting] = {
    s.name: s
    for s in [
        Setting("DATABASE_URL", _database_url, None,
                "Database URL; default an SQLite file zhanggui.db in the instance folder."),
        Setting("PLUGINS", _optional_list, None,
                "Comma-separated plugins to enable; default all installed."),
        Setting("DISABLED_PLUGINS", _list, [],
                "Comma-separated plugins to leave out even if installed."),
        Setting("SECRET_KEY", _str, None,
                "Session signing key; default generated once into the instance folder."),
        Setting("QUEUE_URL", _queue_url, None,
                "Job queue: sqlite:///path (default, in the instance folder), redis://..., "
                "or immediate:// to run jobs inline (tests)."),
        Setting("SEARCH_INDEX_DIR", _path, None,
                "Folder of the full-text index; default search-index in the instance folder."),
        Setting("SEARCH_BACKEND", _choice("whoosh", "postgresql"), "whoosh",
                "Search backend: whoosh (index folder on one host) or postgresql "
                "(pg_trgm in the database, for several hosts)."),
        Setting("LANGUAGES", _languages, list(KNOWN_LANGUAGES),
                "Console languages offered."),
        Setting("DEFAULT_LANGUAGE", _language, "zh_CN", "Language when nothing else decides."),
        Setting("TIMEZONE", _timezone, "Asia/Shanghai", "Default time zone for display."),
        Setting("INSTANCE_PATH", _path, None,
                "Instance folder (database, secret key, queue); default ./instance."),
        Setting("TRACE_HOOKS", _bool, False, "Log every hook call with its arguments."),
        Setting("TESTING", _bool, False, "Testing mode (CSRF relaxed only where tests say)."),
        Setting("CSRF_ENABLED", _bool, True, "CSRF protection of console forms."),
        Setting("LOGIN_RATE_LIMIT", _rate, "10 per minute",
                "Sign-in attempts per client address, console and API together."),
        Setting("LOGIN_ACCOUNT_RATE_LIMIT", _rate, "10 per minute",
                "Sign-in attempts per account from all addresses together."),
        Setting("MAX_CONTENT_LENGTH", _bytes, 10 * 1024**2,
                "Largest request body accepted (413 beyond); console imports have their own."),
        Setting("ANONYMOUS_POS_MEMBERS", _choice("potential", "anonymous"), "potential",
                "What an unknown phone on a POS transaction becomes: potential or anonymous."),
        # member segmentation (plugins/members, zhanggui_members.segments.recompute)
        Setting("RFM_WINDOW_DAYS", _days, 365,
                "Days of purchases that frequency and monetary value count, before the as-of day."),
        Setting("LIFECYCLE_DORMANT_DAYS", _days, 90,
                "Full days without a purchase after which an active member becomes dormant."),
        Setting("LIFECYCLE_CHURNED_DAYS", _days, 180,
                "Full days without a purchase after which a member counts as churned."),
        Setting("CLV_LIFETIME_YEARS", _years, _years("3"),
                "Expected remaining membership in years, for the CLV estimate."),
        Setting("VALUE_GROUP_RULES", _value_group_rules,
                _value_group_rules(DEFAULT_VALUE_GROUP_RULES),
                "How R/F/M scores map to value groups (README, Member segmentation)."),
        Setting("FIELD_KEY", _str, None,
                "Key for encrypting personal fields; default derived from SECRET_KEY."),
        Setting("PHONE_REGION", _choice("CN", "TW", "HK", "MO"), "CN",
                "Region of a mobile number written without country code when no store "
                "says otherwise: CN, TW, HK or MO."),
        # marketing sends (plugins/campaigns)
        Setting("MARKETING_SMTP_URL", _str, None,
                "SMTP server for campaign e-mail: smtp://user:password@host:port"
                "[?starttls=1] or smtps://...; none: e-mail campaigns cannot launch."),
        Setting("MARKETING_MAIL_FROM", _str, "Zhanggui <marketing@localhost>",
                "From address of campaign e-mail."),
        Setting("MARKETING_BASE_URL", _str, "http://127.0.0.1:5000",
                "Public address of this console, for unsubscribe, open and click links."),
        Setting("MARKETING_RATE_EMAIL", _messages_per_second, 200.0,
                "E-mails per second, across every worker and host (0: no limit)."),
        Setting("MARKETING_RATE_SMS", _messages_per_second, 20.0,
                "SMS per second, across every worker and host (0: no limit)."),
        Setting("MARKETING_FREQUENCY_CAPS", _frequency_caps, _frequency_caps("email=3/7,sms=2/7"),
                "Most messages per member and channel in a number of days."),
        Setting("MARKETING_QUIET_HOURS", _quiet_hours, _quiet_hours("21-8"),
                "Hours (member's local time) when no marketing is sent, e.g. 21-8; empty: none."),
        Setting("MARKETING_SMS_GATEWAY", _str, None,
                "SMS gateway: file:///folder (writes each SMS to a file) or an http(s) URL "
                "that takes a JSON POST; none: SMS campaigns cannot launch."),
        Setting("MARKETING_LEASE_SECONDS", _seconds, 300,
                "How long a send worker holds claimed recipients before another may take them."),
        Setting("MARKETING_SEND_WORKERS", _seconds, 2,
                "Send jobs queued per launched campaign (parallel workers)."),
        Setting("MAIL_URL", _mail_url, None,
                "SMTP server for notification e-mail: smtp://user:pass@host:port or "
                "smtps://...; unset: e-mail is skipped."),
        Setting("MAIL_FROM", _str, "zhanggui@localhost", "Sender address of notification e-mail."),
        Setting("MAIL_STARTTLS", _bool, False, "Upgrade smtp:// connections with STARTTLS."),
        # connections and caches (docs/performance.md, "Connections and caches")
        Setting("DATABASE_POOL_SIZE", _count, 8,
                "Idle database connections one process keeps for reuse (peewee's pool, and "
                "the console's security session); a burst opens more and closes them after; "
                "0 opens one per request."),
        Setting("SECURITY_CACHE_SECONDS", _lifetime, 30,
                "Seconds a worker reuses a user's roles, permissions, stores and API key "
                "before reading them again; any change to them is seen at once anyway."),
    ]
}

ENV_PREFIX = "ZHANGGUI_"


def _read_file(path: str) -> dict[str, Any]:
    file = Path(path)
    if not file.is_file():
        raise ConfigError(f"ZHANGGUI_CONFIG: no such file {path}")
    if file.suffix == ".toml":
        try:
            data = tomllib.loads(file.read_text("utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: {exc}") from exc
        return {key.upper(): value for key, value in data.items()}
    namespace: dict[str, Any] = {"__file__": str(file)}
    exec(compile(file.read_text("utf-8"), str(file), "exec"), namespace)  # noqa: S102 - operator's own file
    return {k: v for k, v in namespace.items() if k.isupper()}


def load_settings(overrides: dict[str, Any] | None = None,
                  environ: dict[str, str] | None = None) -> dict[str, Any]:
    """Return the validated settings as ``{NAME: value}``.

    ``overrides`` may also hold Flask or Flask-AppBuilder keys that are not ours
    (anything not declared in :data:`SETTINGS` and not spelled like one of ours is
    passed through to ``app.config`` untouched, under ``EXTRA``).
    """
    env = os.environ if environ is None else environ
    raw: dict[str, tuple[str, Any]] = {}
    if env.get("ZHANGGUI_CONFIG"):
        for key, value in _read_file(env["ZHANGGUI_CONFIG"]).items():
            raw[key] = (f"{key} in {env['ZHANGGUI_CONFIG']}", value)
    for key, value in env.items():
        if key.startswith(ENV_PREFIX) and key != "ZHANGGUI_CONFIG":
            name = key[len(ENV_PREFIX):]
            if name.startswith("TEST_"):
                continue  # test-run settings belong to zhanggui.testing
            raw[name] = (key, value)
    extra: dict[str, Any] = {}
    for key, value in (overrides or {}).items():
        if key.startswith(ENV_PREFIX):
            key = key[len(ENV_PREFIX):]
        if key in SETTINGS:
            raw[key] = (f"config[{key!r}]", value)
        else:
            extra[key] = value

    settings = {name: s.default for name, s in SETTINGS.items()}
    for name, (where, value) in raw.items():
        if name not in SETTINGS:
            close = difflib.get_close_matches(name, list(SETTINGS), n=1, cutoff=0.75)
            hint = f" (did you mean {ENV_PREFIX}{close[0]}?)" if close else ""
            raise ConfigError(f"unknown setting {where}{hint}")
        try:
            settings[name] = SETTINGS[name].parse(value)
        except (ValueError, TypeError) as exc:
            raise ConfigError(f"setting {where} is malformed: {exc}") from exc
    settings["EXTRA"] = extra
    return settings


def resolve_instance(settings: dict[str, Any]) -> Path:
    """Create the instance folder and fill the defaults that live in it."""
    instance = Path(settings["INSTANCE_PATH"] or Path.cwd() / "instance").resolve()
    instance.mkdir(parents=True, exist_ok=True)
    settings["INSTANCE_PATH"] = str(instance)
    if not settings["DATABASE_URL"]:
        settings["DATABASE_URL"] = f"sqlite:///{instance / 'zhanggui.db'}"
    if not settings["QUEUE_URL"]:
        settings["QUEUE_URL"] = f"sqlite:///{instance / 'queue.db'}"
    if not settings["SEARCH_INDEX_DIR"]:
        settings["SEARCH_INDEX_DIR"] = str(instance / "search-index")
    if not settings["SECRET_KEY"]:
        settings["SECRET_KEY"] = _instance_secret(instance / "secret_key")
    return instance


def _instance_secret(path: Path) -> str:
    """Generate the secret key on first run and keep it, readable by the owner only."""
    if path.exists():
        return path.read_text("utf-8").strip()
    key = secrets.token_urlsafe(48)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker won the race: use its key
        return path.read_text("utf-8").strip()
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(key)
    return key
