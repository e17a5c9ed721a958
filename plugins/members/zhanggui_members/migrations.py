"""Schema history of the members plugin.

Each step declares *frozen* copies of the tables as they were at that step, inside
the step, instead of importing :mod:`zhanggui_members.profile.models`: when a later release
adds a column to the live model, ``0001_initial`` must still build the 0001 schema and
the column must arrive through its own step.  A test compares the tables the steps
build with the live models, so a model change without a migration fails.
"""
from __future__ import annotations

import peewee

from zhanggui import Migration, Model, UTCDateTimeField


def _initial_models() -> list[type[peewee.Model]]:
    """The six tables of release 0.1, as they were."""

    class Store(Model):
        code = peewee.CharField(max_length=20, unique=True)
        name = peewee.CharField(max_length=100)
        city = peewee.CharField(max_length=50)
        region = peewee.CharField(max_length=50)
        currency = peewee.CharField(max_length=3, default="CNY")
        timezone = peewee.CharField(max_length=50, default="Asia/Shanghai")

        class Meta:
            table_name = "members_store"

    class Member(Model):
        name = peewee.CharField(max_length=100, null=True)
        gender = peewee.CharField(max_length=10, default="unknown")
        birthday = peewee.DateField(null=True)
        phone_encrypted = peewee.CharField(max_length=200, null=True)
        phone_hash = peewee.CharField(max_length=64, null=True, unique=True)
        phone_last4 = peewee.CharField(max_length=4, null=True, index=True)
        card_no = peewee.CharField(max_length=32, null=True, unique=True)
        home_store = peewee.ForeignKeyField(Store, null=True)
        joined_at = UTCDateTimeField()
        join_channel = peewee.CharField(max_length=20, default="store")
        lifecycle_stage = peewee.CharField(max_length=20, default="potential")
        notes = peewee.TextField(null=True)
        erased_at = UTCDateTimeField(null=True)

        class Meta:
            table_name = "members_member"

    class MemberIdentity(Model):
        member = peewee.ForeignKeyField(Member, on_delete="CASCADE")
        kind = peewee.CharField(max_length=30)
        value = peewee.CharField(max_length=128)
        created_at = UTCDateTimeField()

        class Meta:
            table_name = "members_identity"
            indexes = ((("kind", "value"), True),)

    class Purchase(Model):
        id = peewee.BigAutoField()
        pos_id = peewee.CharField(max_length=64, unique=True)
        store = peewee.ForeignKeyField(Store, index=False)
        member = peewee.ForeignKeyField(Member, null=True, index=False)
        occurred_at = UTCDateTimeField()
        channel = peewee.CharField(max_length=20, default="pos")
        total = peewee.DecimalField(max_digits=12, decimal_places=2)
        refunded_amount = peewee.DecimalField(max_digits=12, decimal_places=2, default=0)
        request_hash = peewee.CharField(max_length=64, null=True)
        response = peewee.TextField(null=True)

        class Meta:
            table_name = "members_purchase"
            indexes = ((("member", "occurred_at"), False), (("store", "occurred_at"), False))

    class PurchaseLine(Model):
        id = peewee.BigAutoField()
        purchase = peewee.ForeignKeyField(Purchase, on_delete="CASCADE")
        sku = peewee.CharField(max_length=40)
        name = peewee.CharField(max_length=100)
        category = peewee.CharField(max_length=40)
        counter_code = peewee.CharField(max_length=20, null=True)
        quantity = peewee.DecimalField(max_digits=12, decimal_places=3)
        amount = peewee.DecimalField(max_digits=12, decimal_places=2)

        class Meta:
            table_name = "members_purchase_line"

    class Payment(Model):
        id = peewee.BigAutoField()
        purchase = peewee.ForeignKeyField(Purchase, on_delete="CASCADE")
        method = peewee.CharField(max_length=20)
        amount = peewee.DecimalField(max_digits=12, decimal_places=2)

        class Meta:
            table_name = "members_payment"

    return [Store, Member, MemberIdentity, Purchase, PurchaseLine, Payment]


def initial(ctx) -> None:
    ctx.create_tables(_initial_models())


def _refund_models() -> list[type[peewee.Model]]:
    """The two refund tables of step 0002, as they were (over 0001's tables)."""
    initial_tables = {m._meta.table_name: m for m in _initial_models()}
    Purchase = initial_tables["members_purchase"]
    PurchaseLine = initial_tables["members_purchase_line"]

    class Refund(Model):
        id = peewee.BigAutoField()
        refund_id = peewee.CharField(max_length=64, unique=True)
        purchase = peewee.ForeignKeyField(Purchase)
        amount = peewee.DecimalField(max_digits=12, decimal_places=2)
        recorded_at = UTCDateTimeField()
        request_hash = peewee.CharField(max_length=64, null=True)
        response = peewee.TextField(null=True)

        class Meta:
            table_name = "members_refund"

    class RefundLine(Model):
        id = peewee.BigAutoField()
        refund = peewee.ForeignKeyField(Refund, on_delete="CASCADE")
        purchase_line = peewee.ForeignKeyField(PurchaseLine)
        quantity = peewee.DecimalField(max_digits=12, decimal_places=3)
        amount = peewee.DecimalField(max_digits=12, decimal_places=2)

        class Meta:
            table_name = "members_refund_line"

    return [Refund, RefundLine]


def refunds(ctx) -> None:
    ctx.create_tables(_refund_models())


def _tag_models() -> list[type[peewee.Model]]:
    """The three tag tables of step 0003, as they were (over 0001's members)."""
    Member = {m._meta.table_name: m for m in _initial_models()}["members_member"]

    class TagGroup(Model):
        code = peewee.CharField(max_length=40, unique=True)
        name = peewee.CharField(max_length=100, null=True)
        position = peewee.IntegerField(default=0)

        class Meta:
            table_name = "members_tag_group"

    class Tag(Model):
        group = peewee.ForeignKeyField(TagGroup)
        name = peewee.CharField(max_length=60)
        description = peewee.TextField(null=True)
        kind = peewee.CharField(max_length=10, default="manual")
        rule = peewee.TextField(null=True)
        active = peewee.BooleanField(default=True)
        created_at = UTCDateTimeField()
        evaluated_at = UTCDateTimeField(null=True)
        member_count = peewee.IntegerField(default=0)

        class Meta:
            table_name = "members_tag"
            indexes = ((("group", "name"), True),)

    class MemberTag(Model):
        id = peewee.BigAutoField()
        member = peewee.ForeignKeyField(Member, index=False)
        tag = peewee.ForeignKeyField(Tag, on_delete="CASCADE")
        source = peewee.CharField(max_length=10, default="manual")
        assigned_by_id = peewee.IntegerField(null=True)
        assigned_by_name = peewee.CharField(max_length=256, null=True)
        assigned_at = UTCDateTimeField()

        class Meta:
            table_name = "members_member_tag"
            indexes = ((("member", "tag"), True),)

    return [TagGroup, Tag, MemberTag]


SEEDED_TAG_GROUPS = ("demographic", "behaviour", "preference", "value")


def tags(ctx) -> None:
    group_model = _tag_models()[0]
    ctx.create_tables(_tag_models())
    # seeded without a name: the console shows each translated until staff rename it
    with group_model.bind_ctx(ctx.db):
        for position, code in enumerate(SEEDED_TAG_GROUPS):
            group_model.insert(code=code, position=position).execute()


def _merge_models() -> list[type[peewee.Model]]:
    """Step 0004: members gain ``merged_into``; the merge record and aliases."""
    Initial = {m._meta.table_name: m for m in _initial_models()}["members_member"]

    class Member(Initial):
        merged_into = peewee.ForeignKeyField("self", null=True)

        class Meta:
            table_name = "members_member"

    class MemberMergeRecord(Model):
        source = peewee.ForeignKeyField(Member, unique=True)
        target = peewee.ForeignKeyField(Member)
        merged_at = UTCDateTimeField()
        merged_by_id = peewee.IntegerField(null=True)
        merged_by_name = peewee.CharField(max_length=256, default="")
        moved = peewee.TextField(default="{}")
        fields = peewee.TextField(default="")

        class Meta:
            table_name = "members_merge"

    class MemberAlias(Model):
        member = peewee.ForeignKeyField(Member)
        merge = peewee.ForeignKeyField(MemberMergeRecord)
        kind = peewee.CharField(max_length=10)
        key = peewee.CharField(max_length=64)
        phone_encrypted = peewee.CharField(max_length=200, null=True)
        phone_last4 = peewee.CharField(max_length=4, null=True)

        class Meta:
            table_name = "members_alias"
            indexes = ((("kind", "key"), True),)

    return [Member, MemberMergeRecord, MemberAlias]


def merges(ctx) -> None:
    member, record, alias = _merge_models()
    # add_column indexes the new foreign key (and adds its constraint where it can)
    ctx.run(ctx.migrator.add_column("members_member", "merged_into_id", member.merged_into))
    ctx.create_tables([record, alias])


def _segment_models() -> list[type[peewee.Model]]:
    """Step 0005: RFM/CLV scores and the stage history, as they were (over 0001)."""
    Member = {m._meta.table_name: m for m in _initial_models()}["members_member"]

    class MemberScore(Model):
        member = peewee.ForeignKeyField(Member, primary_key=True, on_delete="CASCADE",
                                        backref="+")
        last_purchase_at = UTCDateTimeField()
        recency_days = peewee.IntegerField()
        frequency = peewee.IntegerField()
        monetary = peewee.DecimalField(max_digits=12, decimal_places=2)
        r = peewee.SmallIntegerField(null=True)
        f = peewee.SmallIntegerField(null=True)
        m = peewee.SmallIntegerField(null=True)
        rfm = peewee.SmallIntegerField(null=True)
        clv = peewee.DecimalField(max_digits=12, decimal_places=2, null=True)
        value_group = peewee.CharField(max_length=12, null=True)
        as_of = UTCDateTimeField()
        computed_at = UTCDateTimeField()

        class Meta:
            table_name = "members_member_score"
            # the dashboard's members and revenue per group come from the index alone
            indexes = ((("value_group", "monetary"), False),)

    class StageChange(Model):
        id = peewee.BigAutoField()
        member = peewee.ForeignKeyField(Member, null=True, backref="+", on_delete="SET NULL")
        old_stage = peewee.CharField(max_length=20, null=True)
        new_stage = peewee.CharField(max_length=20)
        changed_at = UTCDateTimeField(index=True)
        recorded_at = UTCDateTimeField()
        reason = peewee.CharField(max_length=20)
        days_since_purchase = peewee.IntegerField(null=True)

        class Meta:
            table_name = "members_stage_change"

    return [MemberScore, StageChange]


def segments(ctx) -> None:
    ctx.create_tables(_segment_models())


def _consent_and_import_models() -> list[type[peewee.Model]]:
    """The five tables of step 0006, as they were (over 0001's members)."""
    Member = {m._meta.table_name: m for m in _initial_models()}["members_member"]

    class ConsentText(Model):
        channel = peewee.CharField(max_length=20)
        version = peewee.CharField(max_length=20)
        text_zh_cn = peewee.TextField(default="")
        text_zh_tw = peewee.TextField(default="")
        text_en = peewee.TextField(default="")
        effective_from = UTCDateTimeField()

        class Meta:
            table_name = "members_consent_text"
            indexes = ((("channel", "version"), True),)

    class ConsentRecord(Model):
        id = peewee.BigAutoField()
        member = peewee.ForeignKeyField(Member, index=False)
        channel = peewee.CharField(max_length=20)
        granted = peewee.BooleanField()
        source = peewee.CharField(max_length=20)
        text_version = peewee.CharField(max_length=20, null=True)
        recorded_at = UTCDateTimeField()
        recorded_by = peewee.CharField(max_length=150, default="")

        class Meta:
            table_name = "members_consent_record"
            indexes = ((("member", "channel", "recorded_at"), False),)

    class ConsentState(Model):
        member = peewee.ForeignKeyField(Member, index=False)
        channel = peewee.CharField(max_length=20)
        granted = peewee.BooleanField()
        changed_at = UTCDateTimeField()
        record_id = peewee.BigIntegerField()

        class Meta:
            table_name = "members_consent_state"
            indexes = ((("member", "channel"), True),
                       (("channel", "granted", "member"), False))

    class GuardianConsent(Model):
        id = peewee.BigAutoField()
        member = peewee.ForeignKeyField(Member)
        guardian_name = peewee.CharField(max_length=100)
        relation = peewee.CharField(max_length=30)
        consented_at = UTCDateTimeField()
        source = peewee.CharField(max_length=20)
        recorded_at = UTCDateTimeField()
        recorded_by = peewee.CharField(max_length=150, default="")

        class Meta:
            table_name = "members_guardian_consent"

    class ImportRun(Model):
        id = peewee.BigAutoField()
        kind = peewee.CharField(max_length=20)
        file_name = peewee.CharField(max_length=255)
        started_at = UTCDateTimeField()
        finished_at = UTCDateTimeField(null=True)
        user_name = peewee.CharField(max_length=150, default="")
        dry_run = peewee.BooleanField(default=False)
        skip_bad_rows = peewee.BooleanField(default=False)
        committed = peewee.BooleanField(default=False)
        rows = peewee.IntegerField(default=0)
        created = peewee.IntegerField(default=0)
        matched = peewee.IntegerField(default=0)
        bad = peewee.IntegerField(default=0)
        report = peewee.TextField(default="[]")

        class Meta:
            table_name = "members_import_run"

    return [ConsentText, ConsentRecord, ConsentState, GuardianConsent, ImportRun]


def consent_and_imports(ctx) -> None:
    ctx.create_tables(_consent_and_import_models())


def _email_table(ctx) -> None:
    from .marketing.models import email_table

    email_table(ctx)


def _store_country_models() -> list[type[peewee.Model]]:
    from .profile.upgrades import with_country

    return [with_country({m._meta.table_name: m for m in _initial_models()}["members_store"])]


def _sort_key_models() -> list[type[peewee.Model]]:
    from .profile.upgrades import with_sort_keys

    return [with_sort_keys(_merge_models()[0])]


def _phones_e164(ctx) -> None:
    from .profile.upgrades import phones_e164

    phones_e164(ctx, _store_country_models()[0])


def _name_sort_keys(ctx) -> None:
    from .profile.upgrades import name_sort_keys_step

    name_sort_keys_step(ctx, _sort_key_models()[0])


def schema_models() -> list[type[peewee.Model]]:
    """Every table as the steps above leave it (what the live models must match):
    a later step's copy of a table replaces the earlier one."""
    tables: dict[str, type[peewee.Model]] = {}
    from .marketing.models import frozen_email_model

    for step in (_initial_models, _refund_models, _tag_models, _merge_models,
                 _segment_models, _consent_and_import_models, lambda: [frozen_email_model()],
                 _store_country_models, _sort_key_models):
        tables.update((m._meta.table_name, m) for m in step())
    return list(tables.values())


def store_cache(ctx) -> None:
    # POS sales name their store on every request: workers keep the rows (zhanggui.cached)
    ctx.watch_for_caches("members_store")


MIGRATIONS = [
    Migration(name="0001_initial", apply=initial,
              description="stores, members, identities, purchases, lines, payments"),
    Migration(name="0002_refunds", apply=refunds,
              description="refunds against purchases, per line or by amount"),
    Migration(name="0003_tags", apply=tags,
              description="tag groups (seeded), manual and rule-based tags, assignments"),
    Migration(name="0004_merges", apply=merges,
              description="members merged into others, merge records, phone/card aliases"),
    Migration(name="0005_segments", apply=segments,
              description="RFM/CLV scores, value groups and the lifecycle stage history"),
    Migration(name="0006_consent_and_imports", apply=consent_and_imports,
              description="marketing consent per channel, guardian consent, file imports"),
    Migration(name="0007_member_email", apply=_email_table,
              description="members' e-mail addresses, encrypted, for e-mail marketing"),
    Migration(name="0008_store_cache", apply=store_cache,
              description="workers cache the stores, dropped whenever a store changes"),
    Migration(name="0009_phones_e164", apply=_phones_e164,
              description="stores' country; phones of mainland China, Taiwan, Hong Kong and "
                          "Macau in E.164, their look-up hash over E.164"),
    Migration(name="0010_name_sort_keys", apply=_name_sort_keys,
              description="members' names in pinyin and zhuyin order, for sorting"),
]
