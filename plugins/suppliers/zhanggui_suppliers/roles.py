"""Default role grants.  The Buyer (招商/采购) runs suppliers, counters, contracts and
statements; the Head-office admin approves contracts and statements in the console
(``can_approve``/``can_reject``, used when no approval workflow answers) and gets
everything anyway; store managers read and work their own stores' counters,
contracts, statements and reminders; auditors read."""
from __future__ import annotations

from zhanggui import RoleGrant

from .contracts.views import CONTRACT_APPROVE, CONTRACT_READ, CONTRACT_WRITE
from .counters.views import COUNTER_READ, COUNTER_WRITE
from .directory.views import DIRECTORY_READ, DIRECTORY_WRITE
from .reminders.views import REMINDER_USE
from .scoring.views import SCORE_READ, SCORE_WRITE
from .settlement.views import STATEMENT_APPROVE, STATEMENT_READ, STATEMENT_WRITE

CATEGORY = ("menu_access on SupplierCounters",)
API_READ = ("can_get on SupplierApi", "can_info on SupplierApi",
            "can_get on CounterApi", "can_info on CounterApi",
            "can_get on ContractApi", "can_info on ContractApi",
            "can_get on StatementApi", "can_info on StatementApi",
            "can_export on StatementApi", "can_get on CounterScoreApi",
            "can_info on CounterScoreApi")
API_WRITE = ("can_post on SupplierApi", "can_put on SupplierApi", "can_move on SupplierApi",
             "can_post on LicenceApi", "can_put on LicenceApi", "can_get on LicenceApi",
             "can_info on LicenceApi", "can_post on CounterApi", "can_put on CounterApi",
             "can_post on ContractApi", "can_put on ContractApi", "can_submit on ContractApi",
             "can_sign on ContractApi", "can_renew on ContractApi",
             "can_generate on StatementApi", "can_review on StatementApi")


def default_role_grants() -> list[RoleGrant]:
    everything_read = (CATEGORY + DIRECTORY_READ + COUNTER_READ + CONTRACT_READ
                       + STATEMENT_READ + SCORE_READ)
    return [
        RoleGrant("Buyer", everything_read + DIRECTORY_WRITE + COUNTER_WRITE + CONTRACT_WRITE
                  + STATEMENT_WRITE + SCORE_WRITE + REMINDER_USE + API_READ + API_WRITE),
        RoleGrant("Store manager", CATEGORY + COUNTER_READ + CONTRACT_READ + STATEMENT_READ
                  + ("can_list on CounterScoreView", "can_show on CounterScoreView",
                     "menu_access on Counter grades")
                  + ("can_add on PromoterView", "can_edit on PromoterView")
                  + REMINDER_USE
                  + ("can_get on CounterApi", "can_info on CounterApi",
                     "can_get on ContractApi", "can_get on StatementApi",
                     "can_export on StatementApi", "can_get on CounterScoreApi")),
        RoleGrant("Auditor", everything_read + API_READ
                  + ("can_list on ReminderView", "can_show on ReminderView",
                     "menu_access on Supplier reminders")),
        RoleGrant("Head-office admin", CONTRACT_APPROVE + STATEMENT_APPROVE
                  + ("can_decide on ContractApi", "can_decide on StatementApi")),
    ]
