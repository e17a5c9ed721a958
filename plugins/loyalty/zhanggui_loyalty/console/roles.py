"""The loyalty console's menu and who may do what by default.

* Head-office admin: everything, including manual adjustments
  (``loyalty.adjust_points``) and the program settings.
* Marketing: edits earning rules, tiers and benefits, member events; reads the
  program settings and ledgers; previews; signs members up and checks them in.
* Store manager: reads the ledger of their stores; previews; their stores' events:
  signs members up, checks them in.
* Store staff: previews; their stores' events: signs members up, checks them in;
  redeems (API).
* Call-center agent: reads ledgers; previews; signs members up by phone.
* Auditor: reads rules, tiers, settings, events, sign-ups and ledgers; changes nothing.

Manual adjustments are for head office only by default: an admin may grant
``loyalty.adjust_points`` with ``can_add on PointsAdjustmentView`` (and
``can_adjust on LoyaltyApi`` for the API) to another role.
"""
from __future__ import annotations

from zhanggui import AdminView, RoleGrant, _l

CATEGORY = "Loyalty"

_READ = ("can_list", "can_show")
_EDIT = _READ + ("can_add", "can_edit", "can_delete")


def _on(view: str, perms) -> tuple[str, ...]:
    return tuple(f"{p} on {view}" for p in perms)


def _menu(*names: str) -> tuple[str, ...]:
    return ("menu_access on Loyalty",) + tuple(f"menu_access on {n}" for n in names)


API_READ = ("loyalty.view_points", "can_get on LoyaltyApi", "can_preview on LoyaltyApi",
            "can_get on LoyaltyEventApi")
PREVIEW = ("can_preview on RulePreviewView",) + _menu("Rule preview")
LEDGER = _on("PointsLedgerView", _READ) + _menu("Points ledger")
EVENTS_READ = _on("MemberEventView", _READ) + _on("EventSignupView", _READ) \
    + _menu("Member events", "Event sign-ups")
EVENTS_DESK = EVENTS_READ + ("check_in on EventSignupView", "can_signup on EventSignupFormView",
                             "sign_up on MemberEventView",
                             "can_signup on LoyaltyEventApi", "can_check_in on LoyaltyEventApi")
RULES_READ = _on("EarningRuleView", _READ) + _on("TierView", _READ) \
    + _menu("Earning rules", "Tiers and benefits")
RULES_EDIT = _on("EarningRuleView", _EDIT) + _on("TierView", _EDIT) \
    + _menu("Earning rules", "Tiers and benefits")
EVENTS_EDIT = EVENTS_DESK + _on("MemberEventView", _EDIT)


def default_grants() -> list[RoleGrant]:
    redeem = ("can_redeem on LoyaltyApi",)
    settings_read = _on("LoyaltySettingsView", _READ) + _menu("Program settings")
    return [RoleGrant("Marketing", API_READ + RULES_EDIT + EVENTS_EDIT + LEDGER + PREVIEW
                      + settings_read),
            RoleGrant("Store manager", API_READ + redeem + LEDGER + PREVIEW + EVENTS_DESK),
            RoleGrant("Store staff", API_READ + redeem + PREVIEW + EVENTS_DESK),
            RoleGrant("Call-center agent", API_READ + LEDGER + PREVIEW + EVENTS_READ
                      + ("can_signup on EventSignupFormView", "sign_up on MemberEventView",
                         "can_signup on LoyaltyEventApi")),
            RoleGrant("Auditor", API_READ + RULES_READ + EVENTS_READ + LEDGER + settings_read),
            # a till's API key: check-in at an event desk
            RoleGrant("POS terminal", ("can_get on LoyaltyEventApi",
                                       "can_signup on LoyaltyEventApi",
                                       "can_check_in on LoyaltyEventApi"))]


def admin_views() -> list[AdminView]:
    from .screens import EventSignupFormView, PointsAdjustmentView, RulePreviewView
    from .views import (EarningRuleView, EventSignupView, LoyaltySettingsView, MemberEventView,
                        PointsLedgerView, TierView)

    menu = {"category": CATEGORY, "category_label": _l("Loyalty"),
            "category_icon": "fa-star"}
    return [AdminView(name="Earning rules", view=EarningRuleView, label=_l("Earning rules"),
                      icon="fa-calculator", **menu),
            AdminView(name="Tiers and benefits", view=TierView, label=_l("Tiers and benefits"),
                      icon="fa-trophy", **menu),
            AdminView(name="Rule preview", view=RulePreviewView, label=_l("Rule preview"),
                      icon="fa-shopping-basket", **menu),
            AdminView(name="Points ledger", view=PointsLedgerView, label=_l("Points ledger"),
                      icon="fa-book", **menu),
            AdminView(name="Adjust points", view=PointsAdjustmentView, label=_l("Adjust points"),
                      icon="fa-balance-scale", **menu),
            AdminView(name="Member events", view=MemberEventView, label=_l("Member events"),
                      icon="fa-calendar", **menu),
            AdminView(name="Event sign-ups", view=EventSignupView, label=_l("Event sign-ups"),
                      icon="fa-check-square-o", **menu),
            AdminView(name="Program settings", view=LoyaltySettingsView,
                      label=_l("Program settings"), icon="fa-cog", **menu),
            AdminView(name="Loyalty event sign-up form", view=EventSignupFormView)]
