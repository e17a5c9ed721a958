"""Tag groups, tags and member↔tag assignments.

A tag is *manual* (staff put it on members) or *rule* (its ``rule`` decides, see
:mod:`zhanggui_members.tags.rules`).  An assignment says where it came from: a user
(``assigned_by_id``/``assigned_by_name``) or the rule, and when.  One member carries a
tag at most once (unique ``(member, tag)``).
"""
from __future__ import annotations

import peewee

from zhanggui import Model, UTCDateTimeField, _l, utcnow

from ..profile.models import Member

TAG_KINDS = (("manual", _l("Manual")), ("rule", _l("Rule-based")))
ASSIGNMENT_SOURCES = (("manual", _l("Manual")), ("rule", _l("Rule")))

#: the groups every chain starts with (seeded by migration ``0003_tags``); their
#: names are shown translated until staff rename them
SEEDED_GROUPS = (("demographic", _l("Demographic")), ("behaviour", _l("Behaviour")),
                 ("preference", _l("Preference")), ("value", _l("Value")))
_SEEDED_LABELS = dict(SEEDED_GROUPS)


class TagGroup(Model):
    """A family of tags (demographic, behaviour, preference, value, or the chain's own)."""

    code = peewee.CharField(max_length=40, unique=True, verbose_name=_l("Code"))
    name = peewee.CharField(max_length=100, null=True, verbose_name=_l("Name"))
    position = peewee.IntegerField(default=0, verbose_name=_l("Position"))

    class Meta:
        table_name = "members_tag_group"

    def __str__(self):
        if self.name:
            return self.name
        return str(_SEEDED_LABELS.get(self.code, self.code))

    def label(self) -> str:
        """The name shown: the staff's own, else the built-in one in the user's language."""
        return str(self)


class Tag(Model):
    """A label on members; a rule tag's members are exactly those its rule selects."""

    group = peewee.ForeignKeyField(TagGroup, backref="tags", verbose_name=_l("Tag group"))
    name = peewee.CharField(max_length=60, verbose_name=_l("Tag"))
    description = peewee.TextField(null=True, verbose_name=_l("Description"))
    kind = peewee.CharField(max_length=10, choices=TAG_KINDS, default="manual",
                            verbose_name=_l("Kind"))
    rule = peewee.TextField(null=True, verbose_name=_l("Rule"))
    active = peewee.BooleanField(default=True, verbose_name=_l("Active"))
    created_at = UTCDateTimeField(default=utcnow, verbose_name=_l("Created at"))
    evaluated_at = UTCDateTimeField(null=True, verbose_name=_l("Last evaluated at"))
    member_count = peewee.IntegerField(default=0, verbose_name=_l("Members"))

    class Meta:
        table_name = "members_tag"
        indexes = ((("group", "name"), True),)

    def __str__(self):
        return self.name


class MemberTag(Model):
    """Member ``member`` carries tag ``tag``, since ``assigned_at``, by ``source``."""

    id = peewee.BigAutoField()
    member = peewee.ForeignKeyField(Member, backref="tag_assignments", index=False,
                                    verbose_name=_l("Member"))
    tag = peewee.ForeignKeyField(Tag, backref="assignments", on_delete="CASCADE",
                                 verbose_name=_l("Tag"))
    source = peewee.CharField(max_length=10, choices=ASSIGNMENT_SOURCES, default="manual",
                              verbose_name=_l("Source"))
    assigned_by_id = peewee.IntegerField(null=True, verbose_name=_l("Assigned by (user id)"))
    assigned_by_name = peewee.CharField(max_length=256, null=True,
                                        verbose_name=_l("Assigned by"))
    assigned_at = UTCDateTimeField(default=utcnow, verbose_name=_l("Assigned at"))

    class Meta:
        table_name = "members_member_tag"
        indexes = ((("member", "tag"), True),)


TAG_MODELS = [TagGroup, Tag, MemberTag]
