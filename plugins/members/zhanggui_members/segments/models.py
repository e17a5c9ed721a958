"""Segmentation tables: each member's RFM/CLV scores and the history of stage moves.

The scores live in a table of their own, one row per member who has bought anything
(``members_member_score``), not on the member row: a recompute rewrites a million
score rows in chunks without touching (or locking) the wide, hot member rows that
tills and the console read, and dropping or rebuilding segmentation never risks a
profile.  The current lifecycle stage stays on ``members_member.lifecycle_stage``
(where the POS already sets ``potential``), so filters and the member summary keep
working without a join.  See :mod:`zhanggui_members.segments.recompute`.
"""
from __future__ import annotations

import peewee

from zhanggui import Model, MoneyField, UTCDateTimeField, _l

from ..profile.models import LIFECYCLE_STAGES, Member

VALUE_GROUPS = (("loyal", _l("High-value loyal")), ("growing", _l("Growing")),
                ("winback", _l("Dormant high-value (win back)")),
                ("ordinary", _l("Ordinary")))
STAGE_CHANGE_REASONS = (("job", _l("Daily recompute")), ("command", _l("Command line")),
                        ("console", _l("Recompute from the console")),
                        ("member", _l("Recompute of this member")),
                        ("merge", _l("Merged from another member")),
                        ("demo", _l("Demo data")))


class MemberScore(Model):
    """A member's recency, frequency and monetary value as of ``as_of``.

    ``recency_days``, ``frequency`` and ``monetary`` are the measured values
    (purchases before ``as_of``; frequency and monetary within the RFM window, net of
    refunds recorded by then); ``r``, ``f``, ``m`` their quintiles 1-5 over the
    members who bought within the window (empty for the others, who have no value
    group either); ``rfm`` is ``100*r + 10*f + m`` (e.g. 545).
    """

    member = peewee.ForeignKeyField(Member, primary_key=True, on_delete="CASCADE",
                                    backref="+", verbose_name=_l("Member"))
    last_purchase_at = UTCDateTimeField(verbose_name=_l("Last purchase"))
    recency_days = peewee.IntegerField(verbose_name=_l("Days since last purchase"))
    frequency = peewee.IntegerField(verbose_name=_l("Purchases in the RFM window"))
    monetary = MoneyField(verbose_name=_l("Net spend in the RFM window"))
    r = peewee.SmallIntegerField(null=True, verbose_name=_l("Recency score"))
    f = peewee.SmallIntegerField(null=True, verbose_name=_l("Frequency score"))
    m = peewee.SmallIntegerField(null=True, verbose_name=_l("Monetary score"))
    rfm = peewee.SmallIntegerField(null=True, verbose_name=_l("RFM score"))
    clv = MoneyField(null=True, verbose_name=_l("Customer lifetime value (estimate)"))
    value_group = peewee.CharField(max_length=12, null=True, choices=VALUE_GROUPS,
                                   verbose_name=_l("Value group"))
    as_of = UTCDateTimeField(verbose_name=_l("Computed as of"))
    computed_at = UTCDateTimeField(verbose_name=_l("Computed at"))

    class Meta:
        table_name = "members_member_score"
        # the dashboard's members and revenue per group come from the index alone
        indexes = ((("value_group", "monetary"), False),)


class StageChange(Model):
    """One move of a member between lifecycle stages (append-only).

    ``changed_at`` is the as-of time of the computation that saw the move,
    ``recorded_at`` when it was written.  ``member`` is emptied when the member's
    personal data is erased, so the chain's stage flows still add up.
    """

    id = peewee.BigAutoField()
    member = peewee.ForeignKeyField(Member, null=True, backref="+", on_delete="SET NULL",
                                    verbose_name=_l("Member"))
    old_stage = peewee.CharField(max_length=20, null=True, choices=LIFECYCLE_STAGES,
                                 verbose_name=_l("From stage"))
    new_stage = peewee.CharField(max_length=20, choices=LIFECYCLE_STAGES,
                                 verbose_name=_l("To stage"))
    changed_at = UTCDateTimeField(index=True, verbose_name=_l("Changed at"))
    recorded_at = UTCDateTimeField(verbose_name=_l("Recorded at"))
    reason = peewee.CharField(max_length=20, choices=STAGE_CHANGE_REASONS,
                              verbose_name=_l("Reason"))
    days_since_purchase = peewee.IntegerField(null=True,
                                              verbose_name=_l("Days since last purchase"))

    class Meta:
        table_name = "members_stage_change"


SEGMENT_MODELS = [MemberScore, StageChange]
