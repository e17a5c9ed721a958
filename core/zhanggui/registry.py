"""What plugins hand to the core through registration hooks.

Each registration is a small frozen dataclass with a ``name`` that must be unique
across all plugins; the core merges the lists each hook returns and rejects a
duplicate name with a message naming both plugins.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable


@dataclass(frozen=True)
class Migration:
    """One schema step of one plugin.

    ``name`` is unique within the plugin and sorts in the order steps run
    (``"0001_initial"``, ``"0002_add_tier"``).  ``apply(ctx)`` receives a
    :class:`zhanggui.migrations.MigrationContext` and runs inside a transaction
    where the database allows DDL in one (SQLite, PostgreSQL).
    """

    name: str
    apply: Callable[[Any], None]
    description: str = ""


@dataclass(frozen=True)
class Job:
    """A background task, optionally periodic.

    ``func`` runs inside an application context with an open database connection.
    ``schedule`` is a huey ``crontab(...)`` validator for periodic jobs, else ``None``
    (the job then runs when enqueued with :func:`zhanggui.enqueue`).  Periodic jobs
    hold a lock so two consumers never run the same one at once.
    """

    name: str
    func: Callable[..., Any]
    schedule: Callable[[Any], bool] | None = None
    retries: int = 2
    retry_delay: int = 10


@dataclass(frozen=True)
class AdminView:
    """A console screen: a Flask-AppBuilder view class and its menu entry."""

    name: str
    view: type
    label: Any = None          # lazy-translated menu label; no label means no menu entry
    category: str = ""         # menu category key, e.g. "Members"
    category_label: Any = None  # lazy-translated category title (usually the plugin title)
    icon: str = "fa-circle"
    category_icon: str = "fa-folder"


@dataclass(frozen=True)
class ApiEndpoint:
    """A REST resource under ``/api/v1/``: a Flask-AppBuilder ``BaseApi`` subclass."""

    name: str
    api: type


@dataclass(frozen=True)
class Permission:
    """A permission a plugin checks, e.g. ``members.view_phone``."""

    name: str
    description: Any = ""


@dataclass(frozen=True)
class RoleGrant:
    """Grants permissions to a default role (``"Store manager"``, ...).

    ``permissions`` are names from :class:`Permission` registrations or
    Flask-AppBuilder pairs ``"can_list on MemberView"``.  Several plugins may grant to
    the same role; their grants are combined.
    """

    role: str
    permissions: tuple[str, ...]
    name: str = ""

    def __post_init__(self):
        if not self.name:
            object.__setattr__(self, "name", f"{self.role}:{','.join(self.permissions)}")


@dataclass(frozen=True)
class TranslationDir:
    """A gettext catalog folder (``<lang>/LC_MESSAGES/<domain>.mo``) of one plugin."""

    domain: str
    path: Path

    @property
    def name(self) -> str:
        return self.domain


@dataclass(frozen=True)
class DashboardWidget:
    """A tile on the console dashboard.

    ``render()`` returns a :class:`WidgetData`; it is called per dashboard view with
    the current user's permissions already checked against ``permission``.
    """

    name: str
    title: Any
    render: Callable[[], "WidgetData"]
    permission: str | None = None
    order: int = 100


@dataclass(frozen=True)
class WidgetData:
    """What a dashboard tile shows: a headline number and/or a chart.

    ``chart`` is a chart.js-style ``{"type": "bar", "labels": [...], "datasets":
    [{"label": ..., "data": [...]}]}`` drawn by the console's vendored chart library.
    """

    value: str | None = None
    caption: str | None = None
    chart: dict | None = None


@dataclass(frozen=True)
class MemberPanel:
    """A panel on the member 360° view, contributed for one member."""

    name: str
    title: Any
    html: str
    order: int = 100


@dataclass(frozen=True)
class SearchSource:
    """A kind of record offered to full-text search.

    ``documents(since)`` yields :class:`SearchDocument` for records changed since
    ``since`` (``None``: all of them).  ``fetch(keys)``, when given, yields the current
    documents of those keys only (a key it does not yield is gone from the index): the
    search plugin calls it when an event names records that changed.  ``count()``,
    when given, says how many documents ``documents(None)`` yields (a reindex's
    progress).  ``documents(None)`` yields in a stable order (a reindex resumes by
    position).
    """

    name: str
    title: Any
    documents: Callable[[Any], Any]
    permission: str | None = None
    fetch: Callable[[list], Any] | None = None
    count: Callable[[], int] | None = None


@dataclass(frozen=True)
class SearchDocument:
    """One searchable record: ``key`` is unique within its source.

    ``names`` are also found by their pinyin and its initials; ``codes`` (card
    numbers) only exactly; ``phone_suffixes`` (last four digits) are kept by the index
    only as keyed hashes.  ``permission`` overrides the source's.
    """

    key: str
    title: str
    body: str = ""
    url: str = ""
    store: str | None = None
    keywords: tuple[str, ...] = field(default_factory=tuple)
    names: tuple[str, ...] = field(default_factory=tuple)
    codes: tuple[str, ...] = field(default_factory=tuple)
    phone_suffixes: tuple[str, ...] = field(default_factory=tuple)
    permission: str | None = None


@dataclass(frozen=True)
class ExportSection:
    """One plugin's part of a member's personal-data export (PIPL art. 45)."""

    name: str
    title: Any
    rows: list[dict]


# --- what domain events carry -------------------------------------------------------
# Plain values, so that a plugin listening to another plugin's events never needs that
# plugin's models (plugins do not import each other).

@dataclass(frozen=True)
class PurchaseLineEvent:
    """One line of a :class:`PurchaseEvent`."""

    line_id: Any           # the line's id (unique within the purchase)
    sku: str               # the product code the till sent
    name: str              # the product name on the receipt
    category: str          # the product category code, e.g. 化妆品
    counter: str | None    # the counter (专柜) code, or None for the store's own goods
    quantity: Any          # Decimal, up to three places (0.355 kg)
    amount: Any            # Decimal, the line's money after discounts


@dataclass(frozen=True)
class PaymentEvent:
    """One payment of a :class:`PurchaseEvent`."""

    method: str            # cash, card, wechat_pay, alipay, gift_card, points, ...
    amount: Any            # Decimal, two places


@dataclass(frozen=True)
class PurchaseEvent:
    """A recorded purchase, as ``zhanggui_purchase_recorded`` receives it."""

    purchase_id: Any       # the recorded purchase's id (unique; an idempotency key)
    pos_id: str            # the till's transaction id
    member_id: Any | None  # None: an anonymous purchase
    store_code: str        # the store's code, e.g. SH01 (there is no store_id)
    currency: str          # ISO 4217 code of the amounts: CNY, TWD, HKD
    occurred_at: Any       # aware UTC datetime of the sale
    channel: str           # pos, ecommerce, import, ...
    total: Any             # Decimal, the sum of the lines' amounts
    lines: tuple[PurchaseLineEvent, ...]  # the lines, in receipt order
    payments: tuple[PaymentEvent, ...]    # how it was paid


@dataclass(frozen=True)
class RefundEvent:
    """An accepted refund, as ``zhanggui_purchase_refunded`` receives it.

    ``lines`` holds ``(line_id, amount)`` pairs when the refund named lines; ``amount``
    is the refund's total either way.  ``fraction`` is amount / purchase total, for
    listeners that reverse proportionally.
    """

    refund_id: str         # the till's refund id (the idempotency key)
    purchase_id: Any       # the refunded purchase's id
    pos_id: str            # the refunded sale's till transaction id
    member_id: Any | None  # the purchase's member; None: anonymous
    amount: Any            # Decimal, the refund's total
    fraction: Any          # Decimal in (0, 1]: amount / purchase total
    lines: tuple[tuple[Any, Any], ...]  # (line_id, amount) pairs; empty for a refund by amount
    occurred_at: Any       # aware UTC datetime of the refund


@dataclass(frozen=True)
class PointsBonus:
    """Campaign bonus points for one purchase, from ``zhanggui_points_bonus``.

    ``name`` is unique across plugins (``campaigns.double11``); ``points`` is a whole
    number of points, at least 0; ``reason`` is shown in the member's ledger.
    """

    name: str              # unique across plugins: prefix it with your plugin's name
    points: int            # whole points, at least 0
    reason: str = ""       # shown in the member's ledger


@dataclass(frozen=True)
class AudienceCriterion:
    """A condition campaign audiences can use, from ``zhanggui_audience_criteria``.

    ``members(operator, value)`` returns a peewee query whose only column is member
    ids (what satisfies the condition); it is called with an ``operator`` from
    ``operators`` and a ``value`` already checked by ``kind``:

    * ``choice``: a list of codes from ``choices()`` (operator ``in``);
    * ``number``: a number (operators ``>=``, ``<=``, ``between`` with ``[low, high]``);
    * ``days``: a whole number of days back from now (operator ``within``);
    * ``text``: a non-empty string (operator ``is``).

    ``choices()`` returns ``[(code, label), ...]`` for ``choice`` criteria.
    """

    name: str
    label: Any
    kind: str
    members: Callable[[str, Any], Any]
    operators: tuple[str, ...] = ("in",)
    choices: Callable[[], list] | None = None
    help: Any = ""


@dataclass(frozen=True)
class MarketingContact:
    """Where and how to reach one member on one channel (``zhanggui_marketing_contacts``).

    ``address`` is the e-mail address or E.164 mobile number; ``name`` the member's
    name for greetings (may be empty); ``language`` a console language code
    (``zh_CN``, ``zh_TW``, ``en``); ``timezone`` an IANA zone for quiet hours.
    """

    member_id: Any
    address: str
    name: str = ""
    language: str = "zh_CN"
    timezone: str = "Asia/Shanghai"
