"""Money, dates and numbers on the member 360° view read correctly in each language."""
import pytest

from zhanggui_members.profile.services import register_member
from zhanggui_members.tests.helpers import make_purchase, make_store

# (language, joined date, purchase time in the store's zone, line money, quantity)
EXPECTED = {
    "zh_CN": ("2024年3月8日", "2025年11月11日 10:30", "NT$12,800.00", "1.5"),
    "zh_TW": ("2024年3月8日", "2025年11月11日 上午10:30", "NT$12,800.00", "1.5"),
    "en": ("Mar 8, 2024", "Nov 11, 2025, 10:30\u202fAM", "NT$12,800.00", "1.5"),
}


@pytest.fixture
def member_page_app(make_app):
    import datetime as dt
    from decimal import Decimal

    # head office reads UTC here, so a purchase shown in its store's own zone (Taipei,
    # UTC+8) cannot be mistaken for one shown in the reader's
    app = make_app(plugins=["members"], config={"TIMEZONE": "UTC"})
    with app.app_context():
        store = make_store("TP01", currency="TWD", tz="Asia/Taipei")
        member = register_member(name="陳怡君", phone="13800138000", card_no="700001",
                                 home_store=store, lifecycle_stage="active",
                                 joined_at=dt.datetime(2024, 3, 8, 1, 0, tzinfo=dt.timezone.utc))
        purchase = make_purchase(member, store, pos_id="TP01-1", total="12800.00")
        line = purchase.lines.get()
        line.quantity = Decimal("1.5")
        line.save()
        app.config["TEST_MEMBER_ID"] = member.id
    return app


@pytest.mark.parametrize("lang", sorted(EXPECTED))
def test_the_360_view_formats_money_dates_and_numbers_per_language(
        member_page_app, create_user, login, lang):
    create_user("boss", "Head-office admin")
    client = member_page_app.test_client()
    login(client, "boss", "admin-Passw0rd-for-tests")
    member_id = member_page_app.config["TEST_MEMBER_ID"]
    html = client.get(f"/memberview/show/{member_id}?lang={lang}").get_data(as_text=True)
    joined, bought_at, money, quantity = EXPECTED[lang]
    assert joined in html
    assert bought_at in html          # 02:30 UTC is 10:30 in Taipei
    assert money in html              # the store's currency, not the head office's
    assert f"× {quantity}" in html
