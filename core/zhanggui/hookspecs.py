"""The Zhanggui hook specifications: the whole plugin API of the core.

Spec only: nothing here runs.  Every hook name starts with ``zhanggui_``; the plugin
manager refuses an implementation of any other name and stops start-up when a
plugin implements a hook that is not specified here (a misspelling).

Three kinds of hook:

* **Registration hooks** return a list.  The core merges the lists of all enabled
  plugins, in plugin order (requirements first), and rejects two items with the
  same ``name`` with a message naming both plugins.  Returning ``None`` or ``[]``
  means "nothing to add".
* **One-answer hooks** are ``firstresult``: the first non-``None`` result stops the
  call.  Their docstrings say so.
* **Domain events** are called for their effect and return ``None``.  They run in
  plugin order (requirements first), inside the caller's database transaction
  where the docstring says so: raising an exception there rolls the whole business
  action back.

The reference with examples is ``docs/hooks.md``; a test fails when a hook here is
missing from it or from the test suite.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:  # pragma: no cover - typing only
    import click
    from flask import Flask

    from .demo import DemoContext
    from .registry import (AdminView, AudienceCriterion, ApiEndpoint, DashboardWidget, ExportSection, Job,
                           MemberPanel, Migration, Permission, PointsBonus, PurchaseEvent,
                           RefundEvent,
                           RoleGrant, SearchSource, TranslationDir)

PROJECT = "zhanggui"
hookspec = pluggy.HookspecMarker(PROJECT)


# --- registration -----------------------------------------------------------------

@hookspec
def zhanggui_models() -> list[type]:
    """Return the plugin's peewee model classes (subclasses of ``zhanggui.Model``).

    Called when the core or a plugin asks for the schema (``PluginHost.models()``:
    erasure checks, search, tests); tables are created by migrations, never from this
    list.  Duplicate table names across plugins are refused.
    """


@hookspec
def zhanggui_migrations() -> list["Migration"]:
    """Return the plugin's schema migrations, in any order.

    Called by ``zhanggui migrate`` and ``zhanggui init``.  Steps are sorted by
    ``Migration.name`` within the plugin; plugins migrate in requirement order.  A
    step that has been recorded as applied never runs again; a failing step is rolled
    back and reported with the plugin and step name.  Names must be unique within the
    plugin (not across plugins: each plugin has its own sequence).
    """


@hookspec
def zhanggui_cli_commands() -> list["click.Command"]:
    """Return click commands or groups to add to the ``zhanggui`` CLI.

    Called when the CLI starts.  Commands run inside an application context with the
    database open.  A name already used by the core or another plugin is refused.
    """


@hookspec
def zhanggui_jobs() -> list["Job"]:
    """Return background jobs, periodic or enqueued on demand.

    Called once at start-up, in the web process and in ``zhanggui worker``.  Each job
    becomes a huey task named ``Job.name``; enqueue it with
    ``zhanggui.enqueue(name, *args)``.  Names must be unique across plugins; prefix
    them with the plugin name (``members.recompute_rfm``).
    """


@hookspec
def zhanggui_admin_views() -> list["AdminView"]:
    """Return console screens (Flask-AppBuilder views) with their menu entries.

    Called once at start-up after the console's security is ready.  A disabled plugin
    contributes nothing, so its screens and menu entries disappear.
    """


@hookspec
def zhanggui_api_endpoints() -> list["ApiEndpoint"]:
    """Return REST resources (Flask-AppBuilder ``BaseApi`` subclasses).

    Called once at start-up.  Each resource is served under ``/api/v1/`` and appears in
    the OpenAPI document at ``/api/v1/_openapi``.
    """


@hookspec
def zhanggui_permissions() -> list["Permission"]:
    """Return the permissions the plugin checks (beyond its views' own).

    Called by ``zhanggui migrate``; the permissions are created in the security tables
    so roles can be granted them in the console.
    """


@hookspec
def zhanggui_default_roles() -> list["RoleGrant"]:
    """Return permissions to grant to the default roles.

    The core ships the roles Head-office admin, Store manager, Store staff,
    Call-center agent, Marketing, Buyer and Auditor; a plugin may name another role,
    which is then created.  Called by ``zhanggui init`` and ``zhanggui migrate``.
    """


@hookspec
def zhanggui_translation_dirs() -> list["TranslationDir"]:
    """Return the plugin's gettext catalog folders, one per domain.

    Called once at start-up; the console and the API look messages up in every
    registered domain.  A plugin's domain is conventionally its import package name.
    """


@hookspec
def zhanggui_dashboard_widgets() -> list["DashboardWidget"]:
    """Return tiles for the console dashboard.

    Called each time the dashboard is shown; each widget's ``render()`` runs for a user
    holding its ``permission`` (or for everyone when it has none).
    """


@hookspec
def zhanggui_search_sources() -> list["SearchSource"]:
    """Return the kinds of record the plugin offers to full-text search.

    Called by the search plugin when it (re)builds or refreshes its index.
    """


# --- lifecycle --------------------------------------------------------------------

@hookspec
def zhanggui_app_ready(app: "Flask") -> None:
    """Called once at the end of ``create_app``, when every plugin is registered.

    For wiring that needs the finished application: blueprints, request hooks,
    template globals.  Runs inside an application context.
    """


@hookspec
def zhanggui_demo_data(ctx: "DemoContext") -> None:
    """Create the plugin's part of the demo retail chain.

    Called by ``zhanggui demo-data`` in plugin order (requirements first), inside one
    transaction per plugin.  ``ctx.rng`` is a seeded ``random.Random``: use only it,
    so the same ``--seed`` gives the same chain; ``ctx.members`` is the requested
    member count; ``ctx.progress(label, total)`` returns a progress reporter.
    """


# --- members and personal data ----------------------------------------------------

@hookspec(firstresult=True)
def zhanggui_find_member(phone: str | None, card: str | None) -> Any:
    """Return the id of the member with this phone number or card number, or ``None``.

    One-answer hook (``firstresult``): stops at the first non-``None`` result.  The
    members plugin answers; others (call center screen pop, loyalty) ask.
    """


@hookspec
def zhanggui_member_panels(member_id: Any) -> list["MemberPanel"]:
    """Return panels for the member 360° view of ``member_id``.

    Called each time a 360° view is rendered; the current user is known through
    Flask's ``g.user``.  Panels are sorted by ``order``.
    """


@hookspec
def zhanggui_export_member(member_id: Any) -> list["ExportSection"]:
    """Return this plugin's personal data about ``member_id`` for a PIPL export.

    Called when a member's data is exported; every plugin that stores anything about
    members must answer.  Rows are plain JSON-able dicts.
    """


@hookspec
def zhanggui_erase_member(member_id: Any) -> list[str]:
    """Remove or irreversibly anonymise this plugin's personal data about a member.

    Called inside the erasure transaction; an exception rolls the whole erasure back.
    Amounts and ledgers stay, de-identified.  Return short descriptions of what was
    erased (for the audit trail).
    """


@hookspec
def zhanggui_merge_members(source_id: Any, target_id: Any) -> None:
    """Move this plugin's records of member ``source_id`` to member ``target_id``.

    Called inside the merge transaction, before the source member is retired.
    """


# --- domain events ----------------------------------------------------------------

@hookspec
def zhanggui_purchase_recorded(purchase: "PurchaseEvent") -> None:
    """A purchase was accepted (POS, e-commerce, import).

    ``purchase`` is a :class:`zhanggui.PurchaseEvent` (plain values: ids, store code,
    total, lines, payments).  Called inside the transaction that records it: raising
    rolls the purchase back.
    """


@hookspec
def zhanggui_purchase_refunded(refund: "RefundEvent") -> None:
    """A refund against a recorded purchase was accepted.

    ``refund`` is a :class:`zhanggui.RefundEvent`.  Called inside the refund's
    transaction, once per refund id (a replayed refund is not announced again).
    """


@hookspec
def zhanggui_pos_response(transaction: "PurchaseEvent") -> dict[str, Any]:
    """Return extra keys for the POS API's answer about ``transaction``.

    Called after the transaction is recorded, inside its database transaction, so the
    stored idempotent answer includes them.  Each plugin returns a dict (e.g.
    ``{"loyalty": {"earned": 120, "balance": 3400}}``); the core merges them and
    refuses two plugins answering the same key.
    """


@hookspec
def zhanggui_points_changed(entry: Any) -> None:
    """A points ledger entry was written (earn, redeem, expire, adjust, reverse).

    Called inside the transaction that wrote it.
    """


@hookspec
def zhanggui_points_bonus(purchase: "PurchaseEvent", member_id: Any) -> list["PointsBonus"]:
    """Return campaign bonus points the member earns on ``purchase``.

    Called by the loyalty plugin while it awards a purchase's points, inside the
    purchase's transaction (raising rolls the purchase back), and by its rule
    preview (nothing written).  ``purchase`` is a :class:`zhanggui.PurchaseEvent`,
    ``member_id`` the member who earns.  Return :class:`zhanggui.PointsBonus` items
    (whole points, added after every multiplier and never multiplied) or ``[]``.
    Bonus names are merged across plugins and must be unique: prefix them with your
    plugin name.  A refund takes bonuses back in proportion to the money refunded.
    """


@hookspec(firstresult=True)
def zhanggui_member_birthday(member_id: Any) -> Any:
    """Return the member's date of birth (a ``datetime.date``) or ``None``.

    One-answer hook (``firstresult``): stops at the first non-``None`` result.  The
    plugin that stores members answers; loyalty asks for birthday multipliers.
    """


@hookspec
def zhanggui_product_categories() -> list[str]:
    """Return the product category codes this plugin knows (``["服装", "化妆品"]``).

    Called when a console editor checks a category typed by a user (loyalty's earning
    rules).  Not ``firstresult``: the answers of every plugin are combined; when no
    plugin answers, callers accept any category.  Return a list of strings, possibly
    empty.
    """


@hookspec
def zhanggui_points_expiring(member_id: Any, points: int, expires_on: Any) -> None:
    """Points of ``member_id`` will expire on ``expires_on``: tell the member."""


@hookspec
def zhanggui_member_stage_changed(member_id: Any, old: str | None, new: str) -> None:
    """A member moved between lifecycle stages (potential, active, dormant, churned)."""


@hookspec
def zhanggui_consent_changed(member_id: Any, channel: str, granted: bool) -> None:
    """A member's marketing consent for ``channel`` changed (given or withdrawn).

    Called inside the transaction that records the consent, only when the member's
    current answer for the channel changes (a renewed grant under a new text version
    is not a change).  ``channel`` is ``sms``, ``email``, ``phone`` or ``app_push``;
    ``granted`` the answer now.  Returns ``None``; raising rolls the consent back.
    Campaign plugins cancel queued sends of a withdrawn channel here.
    """


@hookspec
def zhanggui_ticket_escalated(ticket: Any, level: int) -> None:
    """A service ticket climbed to escalation ``level`` because its SLA ran out."""


@hookspec(firstresult=True)
def zhanggui_request_approval(kind: str, subject: str, requested_by: Any,
                              payload: dict[str, Any]) -> Any:
    """Ask for an approval; return a reference to the approval request, or ``None``.

    One-answer hook (``firstresult``): the office plugin answers when installed.  When
    nobody answers the caller decides (usually: approved by the requester's role).
    The decision arrives later through :func:`zhanggui_approval_decided`.

    ``payload`` is the request's field snapshot (JSON-able; ``Decimal`` and dates are
    kept as text); the answering plugin freezes it, so editing the record afterwards
    never changes what is approved.  Workflow conditions read its keys (``amount``,
    ``store``, ``region``...); ``store`` also decides which store's approvers and
    store-scoped users see it.  The answer is a string reference.  The fallback when
    nobody answers is documented in ``docs/hooks.md``.
    """


@hookspec
def zhanggui_approval_decided(kind: str, reference: Any, approved: bool,
                              decided_by: Any, comment: str) -> None:
    """An approval requested with :func:`zhanggui_request_approval` was decided.

    Called once per request, inside the transaction that records the final decision
    (approved, rejected, or withdrawn by the requester): raising rolls the decision
    back.  ``reference`` is what the request hook returned.
    """


# --- stores and store scope -------------------------------------------------------

@hookspec(firstresult=True)
def zhanggui_member_store(member_id: Any) -> str | None:
    """Return the code of the home store of member ``member_id``.

    One-answer hook (``firstresult``): stops at the first non-``None`` result.  Answer
    ``""`` for a member without a home store and ``None`` when no current member has
    this id (never existed, or merged into another).  The members plugin answers;
    loyalty and the consent API ask it to apply store scope
    (:func:`zhanggui.console.scope.member_reachable`): a store-scoped user reaches a
    member only when its home store is one of the user's stores.
    """


@hookspec
def zhanggui_stores() -> list[tuple[str, str]]:
    """Return the chain's stores as ``(code, name)`` pairs.

    Registration-style: the lists of every plugin are merged and a code answered
    twice is refused.  Called when a user assigns staff to stores (Security → Store
    assignments offers only these codes) and when an API checks a store code it was
    given (an unknown store is refused with a field message).  Return ``[]`` when the
    plugin keeps no stores.
    """


# --- marketing audiences and contacts -------------------------------------------------

@hookspec
def zhanggui_audience_criteria() -> list["AudienceCriterion"]:
    """Return the conditions this plugin offers to campaign audiences.

    Registration hook: called when an audience is edited, counted or snapshotted.
    Each :class:`zhanggui.AudienceCriterion` turns ``(operator, value)`` into a query
    of member ids (one column), so the campaigns plugin combines conditions of
    several plugins into one set-based SQL statement (nested AND/OR/NOT) without
    importing any of them.  Names are unique across plugins: prefix them with the
    plugin name (``members.store``, ``loyalty.tier``).
    """


@hookspec(firstresult=True)
def zhanggui_audience_universe() -> Any:
    """Return a query of the ids of every member marketing may address at all.

    One-answer hook (``firstresult``): stops at the first non-``None`` result; the
    members plugin answers with its members that are neither erased nor merged into
    another.  Audiences are always a subset of it, and "NOT" is taken within it.
    """


@hookspec(firstresult=True)
def zhanggui_marketing_contacts(member_ids: list, channel: str) -> dict:
    """Return ``{member_id: MarketingContact}`` for the members of ``member_ids`` that
    may be sent a marketing message on ``channel`` now.

    One-answer hook (``firstresult``): stops at the first non-``None`` result; the
    members plugin answers.  A member is in the answer only with an address for the
    channel (``email``: an e-mail address; ``sms``, ``phone``: a mobile number) and
    the member's current consent for that channel granted.  Called by the campaigns
    plugin at send time, one chunk of members per call, so a withdrawal takes effect
    for every message not yet sent.
    """


@hookspec(firstresult=True)
def zhanggui_member_spend(member_ids: list, start: Any, end: Any) -> dict:
    """Return ``{member_id: (purchases, net_amount)}`` for purchases in ``[start, end)``.

    One-answer hook (``firstresult``): the members plugin answers.  ``start`` and
    ``end`` are aware UTC datetimes; ``purchases`` counts purchases, ``net_amount`` is
    a ``Decimal`` of their totals less refunds, in the chain's base currency.
    Members without purchases may be left out.  The campaigns plugin asks it to
    measure a campaign's response and attributed revenue.
    """


@hookspec(firstresult=True)
def zhanggui_sms_gateway() -> Any:
    """Return the SMS gateway to send through, or ``None``.

    One-answer hook (``firstresult``): stops at the first non-``None`` result.  Called
    by the notification service each time a notification goes out by SMS, and by the
    campaigns plugin when an SMS campaign starts sending.  The gateway has
    ``send(to: str, text: str, reference: str) -> str`` returning the gateway's
    message id and raising (``OSError`` for trouble worth a retry) on a refused
    message; ``reference`` is the sender's idempotency key, for carriers that drop
    duplicates.  The campaigns plugin answers last with the gateway its settings
    choose; a carrier plugin may answer first.  With no answer, notification SMS are
    marked *skipped* and logged, and SMS campaigns cannot be sent.
    """


@hookspec(firstresult=True)
def zhanggui_withdraw_consent(member_id: Any, channel: str, source: str) -> Any:
    """Record that the member withdrew marketing consent for ``channel``.

    One-answer hook (``firstresult``): the members plugin answers ``True`` once the
    withdrawal is recorded (which fires :func:`zhanggui_consent_changed` when the
    answer changed).  ``source`` says how (``unsubscribe``: a one-click link, a
    ``List-Unsubscribe`` request or an SMS "STOP" reply).  Called by the campaigns
    plugin; a withdrawal is for that channel only.
    """


# --- approvals (additions) ---------------------------------------------------------

@hookspec(firstresult=True)
def zhanggui_approval_summary(kind: str, reference: Any,
                              snapshot: dict[str, Any]) -> list[tuple[str, str]] | None:
    """Return what an approver reads about a request: ``[(label, value), ...]``.

    One-answer hook (``firstresult``): stops at the first non-``None`` result; answer
    only for your own ``kind``.  Called by the approval service each time a request
    is shown (console, API, e-mail) with the ``snapshot`` frozen when it was
    requested, never the record as it is now.  Labels and values are plain text in
    the current language (they are escaped).  ``None`` everywhere: the snapshot's
    own keys and values are shown.
    """


# --- suppliers and counters -------------------------------------------------------

@hookspec(firstresult=True)
def zhanggui_counter_sales(counter_codes: list[str], start: Any, end: Any
                           ) -> dict[str, dict[str, dict[str, Any]]] | None:
    """Return the sales and refunds of counters (专柜) between two moments.

    One-answer hook (``firstresult``): stops at the first non-``None`` result.  The
    plugin that records purchases answers; the suppliers plugin asks when it settles a
    month and scores a counter.  ``start`` and ``end`` are timezone-aware datetimes
    (``start`` included, ``end`` excluded).  Return
    ``{counter_code: {"sales": {category: Decimal}, "refunds": {category: Decimal}}}``:
    sales are purchase lines sold at the counter in the window, refunds the refund
    lines *recorded* in the window (whenever the sale was).  Counters without any
    are left out; ``None`` means nobody keeps sales.
    """


@hookspec
def zhanggui_counter_cost_shares(counter_code: str, month: Any) -> list[dict[str, Any]]:
    """Return the promotion costs a counter's supplier shares in a month.

    Called when a monthly settlement statement is generated; ``month`` is a
    ``datetime.date`` (the first of the month).  Not ``firstresult``: every plugin's
    list is added to the statement.  Each item is a dict ``{"reference": str (e.g. the
    campaign code, at most 100 characters), "amount": Decimal}``, charged to the
    supplier (negative to credit them).  Return ``[]`` when there is none.
    """


@hookspec
def zhanggui_counter_score_variables(counter_code: str, start: Any, end: Any
                                     ) -> dict[str, Any]:
    """Return extra scoring variables of a counter for a period.

    Called by the counter grading job once per counter and period; ``start`` and
    ``end`` are ``datetime.date`` (both included).  Not ``firstresult``: the dicts of
    every plugin are merged into the scorecard's variables (``{"complaints": 3}``,
    numbers only).  A name the suppliers plugin computes itself, or one an earlier
    plugin gave, is kept and the later one ignored.  Return ``{}`` when you have none.
    """


# --- call center -----------------------------------------------------------------

@hookspec
def zhanggui_member_summary(member_id: Any) -> dict[str, Any]:
    """Return this plugin's facts about ``member_id`` for a screen pop or a call list.

    Called by the call center for each caller it pops (it must be quick: a few
    indexed reads) and for members on an outbound callback list.  Not
    ``firstresult``: every plugin answers with a dict of its own top-level sections
    (the members plugin ``member``, ``purchases`` and ``consent``; loyalty
    ``loyalty``), the caller merges them; a section answered twice keeps the first
    plugin's answer.  Values are plain JSON-able data; personal data masked as the
    console masks it.  Return ``{}`` or ``None`` for an unknown member.
    """


@hookspec(firstresult=True)
def zhanggui_tier_members(tier_codes: list[str]) -> list[Any]:
    """Return the ids of the members currently holding one of ``tier_codes``.

    One-answer hook (``firstresult``): stops at the first non-``None`` result.  The
    loyalty plugin answers; the call center asks when it generates an outbound
    callback list (e.g. every top-tier member before an event).  Return a list
    (possibly empty); ``None`` when this plugin does not keep tiers.
    """


@hookspec
def zhanggui_counter_complaints(counter_codes: list[str], start: Any,
                                end: Any) -> dict[str, int]:
    """Return complaints counted against each counter (专柜) in ``[start, end)``.

    Called by the suppliers plugin when it scores counters; ``start`` and ``end`` are
    timezone-aware UTC datetimes, ``counter_codes`` the counters asked about.  Not
    ``firstresult``: each plugin that records complaints returns
    ``{counter_code: count}`` (counters without complaints may be left out) and the
    caller adds the answers up.  The call center counts complaint tickets opened in
    the period, duplicates merged away not counted.
    """
