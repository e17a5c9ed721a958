"""The suppliers plugin's part of ``zhanggui demo-data``: a mall's counters and their
suppliers.

Two department stores of the demo chain (SH01, BJ01), floors B1–5F, 40 counters: the
18 per store whose codes the members plugin's demo tills put on its sales lines
(``SH01-COS01``: store, category code, number, the same scheme as its catalog), so a
year of sales already reaches them through ``zhanggui_counter_sales``, plus two newer
counters per store.  One supplier per brand, contacts, a communication log, licences
(two expiring within a month), promoters, contracts of every type (concessions with
category tiers and guarantees, leases, distribution), a few ending within two months,
the last three months' statements (some approved), grades and reminders.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from zhanggui import _

# category, POS code, brands (one counter each), floor
COUNTERS = [
    ("化妆品", "COS", ("花漾美妆", "雪肌堂", "兰亭香氛"), "1F"),
    ("女装", "WOM", ("素锦", "衣之恋", "云裳"), "2F"),
    ("男装", "MEN", ("雅仕", "劲朗"), "3F"),
    ("珠宝", "JEW", ("金玉满堂", "璀璨珠宝"), "1F"),
    ("鞋包", "SHB", ("行云鞋履", "雅致皮具"), "2F"),
    ("超市生鲜", "FRS", ("精品超市", "鲜食广场"), "B1"),
    ("咖啡", "CAF", ("街角咖啡",), "B1"),
    ("家电", "APL", ("智享家电",), "5F"),
    ("儿童", "KID", ("小鹿童装", "童趣玩具"), "4F"),
    ("运动", "SPT", ("跃动体育", "山野户外"), "4F"),    # new counters: no POS history
]
STORES = ("SH01", "BJ01")
LEASED = {"CAF", "APL"}
DISTRIBUTED = {"FRS"}
SURNAMES = "王李张刘陈杨黄赵吴周"
GIVEN = ("丽", "静", "敏", "强", "伟", "芳", "磊", "婷", "洋", "军")


def _month(day: dt.date, back: int) -> dt.date:
    first = day.replace(day=1)
    for _i in range(back):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return first


def build_demo_mall(ctx) -> None:
    from .contracts.models import Contract, ContractFee, DeductionTier
    from .contracts.service import DecideContract, SignContract, SubmitContract
    from .counters.models import Counter, Promoter
    from .directory.models import Brand, Communication, Contact, Licence, Supplier
    from .directory.service import MoveSupplier, record_creation

    rng = ctx.rng
    today = ctx.as_of or (dt.date.today() - dt.timedelta(days=1))
    year_ago = _month(today, 12)
    brands, n = {}, 0
    for category, code, names, _floor in COUNTERS:
        for name in names:
            n += 1
            supplier = Supplier.create(
                code=f"S{n:03d}", name=f"{name}商贸有限公司", status="negotiating",
                tax_id=f"91310000{rng.randrange(10**9, 10**10)}",
                phone=f"021-{rng.randrange(5000_0000, 6999_9999)}",
                email=f"contact{n:03d}@supplier.example", owner_role="Buyer")
            record_creation(supplier)
            brands[name] = Brand.create(code=f"B{n:03d}", name=name, supplier=supplier,
                                        category=category)
            person = rng.choice(SURNAMES) + rng.choice(GIVEN)
            Contact.create(supplier=supplier, name=person, title=_("Key account manager"),
                           phone=f"13{rng.randrange(10**8, 10**9)}", primary=True)
            Communication.create(supplier=supplier, kind=rng.choice(["visit", "call", "meeting"]),
                                 subject=_("Autumn counter plan"), notes="",
                                 follow_up_on=today + dt.timedelta(days=rng.randrange(3, 20)))
            Licence.create(supplier=supplier, kind="business_licence",
                           number=f"91310{rng.randrange(10**12, 10**13)}",
                           issued_on=dt.date(2019, 3, 1),
                           expires_on=dt.date(2039, 2, 28))
    # two licences expiring within the month: the reminders' demo
    Licence.create(supplier=brands["雪肌堂"].supplier, brand=brands["雪肌堂"],
                   kind="cosmetics_permit", number="沪妆20210088",
                   expires_on=today + dt.timedelta(days=25))
    Licence.create(supplier=brands["精品超市"].supplier, brand=brands["精品超市"],
                   kind="food_permit", number="JY13101050012345",
                   expires_on=today + dt.timedelta(days=6))

    progress = ctx.progress(_("Counters and contracts"), 40)
    contracts = 0
    for store in STORES:
        for category, code, names, floor in COUNTERS:
            for k, name in enumerate(names, start=1):
                brand = brands[name]
                new = code == "SPT"
                opened = today - dt.timedelta(days=40) if new else dt.date(2021, 9, 1)
                counter = Counter.create(
                    code=f"{store}-{code}{k:02d}", name=f"{name}专柜", store_code=store,
                    floor=floor, area=f"{floor}-{chr(64 + k)}", category=category,
                    brand=brand, supplier=brand.supplier, opened_on=opened,
                    monthly_target=Decimal(rng.choice([60000, 120000, 200000, 350000])))
                for p in range(rng.randrange(2, 4)):
                    left = today - dt.timedelta(days=rng.randrange(10, 200)) if p == 2 else None
                    Promoter.create(counter=counter, name=rng.choice(SURNAMES) + rng.choice(GIVEN),
                                    started_on=opened, left_on=left)
                kind = ("lease" if code in LEASED else "distribution" if code in DISTRIBUTED
                        else "concession")
                starts = max(opened, year_ago) if not new else opened
                # ending within two months: reminders in both stores (one more in SH01)
                ends_soon = k == 1 and (code in ("WOM", "CAF")
                                        or (store == "SH01" and code == "MEN"))
                ends = (today + dt.timedelta(days={"WOM": 45, "MEN": 50}.get(code, 20))
                        if ends_soon else dt.date(starts.year + 2, starts.month, 1)
                        - dt.timedelta(days=1))
                contract = Contract.create(
                    code=f"HT{store}{code}{k:02d}", supplier=brand.supplier, counter=counter,
                    store_code=store, kind=kind, starts_on=starts, ends_on=ends,
                    monthly_guarantee=Decimal(rng.choice([0, 8000, 15000, 30000]))
                    if kind == "concession" else Decimal(0),
                    monthly_rent=Decimal(rng.choice([18000, 26000])) if kind == "lease"
                    else Decimal(0))
                if kind != "lease":
                    base = Decimal(rng.choice([16, 18, 20, 22, 25]))
                    DeductionTier.create(contract=contract, category="", sales_from=0, rate=base)
                    DeductionTier.create(contract=contract, category="",
                                         sales_from=Decimal(300000), rate=base - 2)
                    if code == "COS":
                        DeductionTier.create(contract=contract, category=category,
                                             sales_from=0, rate=base + 3)
                ContractFee.create(contract=contract, kind="management",
                                   amount=Decimal(rng.choice([800, 1200, 2000])))
                ContractFee.create(contract=contract, kind="utilities",
                                   amount=Decimal(rng.choice([300, 500])))
                ContractFee.create(contract=contract, kind="promotion",
                                   amount=Decimal(3000), frequency="quarterly")
                if not (store == "BJ01" and code == "SPT" and k == 2):   # one left in draft
                    SubmitContract(contract.id, user_id=None).run()
                    DecideContract(contract.id, True, user_id=None).run()
                    SignContract(contract.id, starts, user_id=None).run()
                contracts += 1
                progress.advance()
    progress.close()
    MoveSupplier(brands["鲜食广场"].supplier.id, "suspended",
                 _("Food safety inspection pending")).run()
    prospect = Supplier.create(code="S900", name="青禾有机农场", status="prospect",
                               owner_role="Buyer")
    record_creation(prospect)
    ctx.count(_("counters"), 40)
    ctx.count(_("supplier contracts"), contracts)
    _demo_statements_and_grades(ctx, today)


def _demo_statements_and_grades(ctx, today: dt.date) -> None:
    from .reminders.service import send_reminders
    from .scoring.service import grade_month
    from .settlement.models import Statement
    from .settlement.service import DecideStatement, GenerateStatements, ReviewStatement

    made = 0
    for back in (3, 2, 1):
        month = _month(today, back)
        made += GenerateStatements(month).run()
        if back > 1:
            for statement in Statement.select().where(Statement.month == month):
                ReviewStatement(statement.id, user_id=None).run()
                DecideStatement(statement.id, True, user_id=None).run()
        grade_month(month)
    ctx.count(_("settlement statements"), made)
    send_reminders(today)
