"""``zhanggui loyalty check``: prove every cached balance equal to the ledger, set-based.

Per member, :func:`zhanggui_loyalty.ledger.postings.check_member` checks everything (lots,
allocations, debts) but costs several queries; at a million members that is hours.
This command compares, in three grouped queries, each cached balance, pending and
lifetime figure with the ledger's sums and each open lot with what its credit has
left, then runs the full check on the members found wrong.  Exit 1 names them.
"""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from zhanggui import _, database, format_number

MISMATCHED_BALANCES = """
SELECT COALESCE(b.member_id, l.member_id) FROM loyalty_member_balance b
FULL OUTER JOIN (SELECT member_id, SUM(points) AS points, SUM(pending_points) AS pending,
                        SUM(CASE WHEN kind = 'earn' THEN points + pending_points ELSE 0 END)
                            AS earned
                 FROM loyalty_ledger_entry GROUP BY member_id) l ON l.member_id = b.member_id
WHERE COALESCE(b.balance, 0) <> COALESCE(l.points, 0)
   OR COALESCE(b.pending, 0) <> COALESCE(l.pending, 0)
   OR COALESCE(b.lifetime_earned, 0) <> COALESCE(l.earned, 0)
"""

MISMATCHED_LOTS = """
SELECT e.member_id FROM loyalty_ledger_entry e
LEFT JOIN (SELECT credit_id, SUM(points) AS drawn FROM loyalty_allocation GROUP BY credit_id) a
       ON a.credit_id = e.id
LEFT JOIN loyalty_lot l ON l.credit_id = e.id
WHERE e.points > 0 AND e.points - COALESCE(a.drawn, 0) <> COALESCE(l.remaining, 0)
"""


def mismatched_members() -> list[int]:
    """Members whose caches disagree with the ledger (empty: all is well)."""
    from .postings import check_member

    # one form for every backend (SQLite before 3.39 has no FULL OUTER JOIN)
    sql = _both_ways()
    suspects = {row[0] for row in database.execute_sql(sql).fetchall()}
    suspects |= {row[0] for row in database.execute_sql(MISMATCHED_LOTS).fetchall()}
    return sorted(m for m in suspects if not check_member(m).ok)


def _both_ways() -> str:
    left = MISMATCHED_BALANCES.replace("FULL OUTER JOIN", "LEFT JOIN")
    ledger_side = """
SELECT l.member_id FROM (SELECT DISTINCT member_id FROM loyalty_ledger_entry) l
LEFT JOIN loyalty_member_balance b ON b.member_id = l.member_id WHERE b.member_id IS NULL
"""
    return left + " UNION " + ledger_side


@click.group("loyalty")
def loyalty_group() -> None:
    """The loyalty program."""


@loyalty_group.command("check")
@with_appcontext
def check_command() -> None:
    """Prove every cached points balance equal to the ledger; exit 1 naming the members."""
    from ..models import MemberBalance

    wrong = mismatched_members()
    if not wrong:
        click.echo(_("Points ledger and balances agree: %(count)s members checked.",
                     count=format_number(MemberBalance.select().count())))
        return
    click.echo(_("Balances that disagree with the ledger: members %(ids)s",
                 ids=", ".join(str(m) for m in wrong[:50])), err=True)
    raise SystemExit(1)
