"""The tags of the demo chain: a few manual tags and rules in the seeded groups.

Cheap at a million members: manual tags go on every n-th member in one
``INSERT ... SELECT`` each (no Python loop over members), and the rules are
evaluated here only for chains of up to :data:`EVALUATE_UP_TO` members; bigger ones
get their rule tags from the daily job or ``zhanggui members tags evaluate``.
"""
from __future__ import annotations

import peewee

from zhanggui import _, utcnow

from ..profile.models import Member
from .evaluate import evaluate_rule_tags
from .models import MemberTag, Tag, TagGroup
from .service import create_tag

EVALUATE_UP_TO = 50_000

# a group of the chain's own, beside the four seeded ones
OWN_GROUPS = [("lifestyle", "生活方式", 4)]
# (group, name, every n-th member from offset) — put on by "demo" staff
MANUAL = [("preference", "喜欢丝巾", 23, 1), ("preference", "偏好线上购物", 11, 4),
          ("demographic", "企业团购联系人", 97, 13), ("value", "重点维护客户", 41, 7),
          ("lifestyle", "宠物主人", 19, 2)]
RULES = [
    ("behaviour", "咖啡常客", {"field": "purchase_count", "op": ">=", "value": 3, "days": 30,
                            "category": "咖啡"}),
    ("value", "季度高消费", {"field": "spent", "op": ">=", "value": "5000.00", "days": 90}),
    ("demographic", "本月生日", {"field": "birthday_month", "op": "=", "value": "current"}),
    ("behaviour", "沪上女士美妆", {"all": [
        {"field": "home_store", "op": "=", "value": "SH01"},
        {"field": "gender", "op": "=", "value": "female"},
        {"field": "spent", "op": ">", "value": "1000.00", "days": 180, "category": "化妆品"}]}),
    ("behaviour", "三个月未到店", {"field": "purchase_count", "op": "=", "value": 0,
                               "days": 90}),
]


def build_demo_tags(ctx) -> None:
    """Create the demo's tags; called by the members plugin after the chain."""
    # the seeded groups, back if someone deleted them
    for code, name, position in OWN_GROUPS:
        TagGroup.get_or_create(code=code, defaults={"name": name, "position": position})
    codes = {code for code, *_rest in MANUAL + RULES}
    groups = {code: TagGroup.get_or_create(code=code)[0] for code in sorted(codes)}
    now = utcnow()
    for code, name, every, offset in MANUAL:
        tag = create_tag(group=groups[code], name=name)
        # every n-th member, by id arithmetic the database does itself
        picked = Member.select(Member.id, peewee.Value(tag.id), peewee.Value("manual"),
                               peewee.Value("demo"), peewee.Value(now)) \
            .where((Member.id - (Member.id / every) * every) == offset)
        added = MemberTag.insert_from(picked, [MemberTag.member, MemberTag.tag,
                                               MemberTag.source, MemberTag.assigned_by_name,
                                               MemberTag.assigned_at]).as_rowcount().execute()
        Tag.update(member_count=added).where(Tag.id == tag.id).execute()
        ctx.count(_("tag assignments"), added)
    for code, name, rule in RULES:
        create_tag(group=groups[code], name=name, kind="rule", rule=rule)
    ctx.count(_("tags"), len(MANUAL) + len(RULES))
    if ctx.members <= EVALUATE_UP_TO:
        results = evaluate_rule_tags()
        ctx.count(_("tag assignments"), sum(r.added for r in results))
