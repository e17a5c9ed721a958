"""Bulletins reach their audience by role and store, are notified, and keep read
receipts; store staff see chain-wide bulletins and their own stores'."""
import pytest

from zhanggui.notifications.models import Notification
from zhanggui_office.bulletins.models import Bulletin, BulletinRead
from zhanggui_office.bulletins.service import (BulletinError, PublishBulletin, for_user,
                                               mark_read, receipts)


def test_a_bulletin_reaches_its_roles_in_its_stores(office_app, staff):
    bulletin = PublishBulletin(staff.dave, "Fire drill", "Wednesday 10:00",
                               roles=["Store manager"], stores=["SH01"]).run()
    told = {n.user_id for n in Notification.select().where(Notification.kind == "office.bulletin")}
    assert told == {staff.bob, staff.carol}          # not alice (staff), not frank (BJ01)
    assert bulletin.audience_size == 2
    assert [b.id for b in for_user(staff.bob)] == [bulletin.id]
    assert for_user(staff.frank) == [] and for_user(staff.alice) == []


def test_read_receipts_are_kept_once_per_reader(office_app, staff):
    bulletin = PublishBulletin(staff.dave, "Price change", "From Monday",
                               stores=["SH01"]).run()
    assert mark_read(bulletin, staff.alice) and mark_read(bulletin, staff.alice)
    assert not mark_read(bulletin, staff.frank)       # BJ01: not a reader
    assert BulletinRead.select().count() == 1
    names = dict(receipts(bulletin))
    assert names["alice"] is not None and names["bob"] is None and "frank" not in names


def test_bad_bulletins_are_refused(office_app, staff):
    with pytest.raises(BulletinError) as exc:
        PublishBulletin(staff.dave, "", "x\x00", roles=["No such role"],
                        stores=["SH,01"]).run()
    assert set(exc.value.messages) == {"title", "body", "roles", "stores"}
    assert Bulletin.select().count() == 0


def test_store_staff_list_only_chain_wide_and_their_stores_bulletins(app, create_user, login):
    from zhanggui.testing import ADMIN_PASSWORD

    with app.app_context():
        from zhanggui.console.scope import UserStore

        boss = create_user("boss", "Head-office admin").id
        clerk = create_user("clerk", "Store staff").id
        UserStore.create(user_id=clerk, store_code="SH01")
        PublishBulletin(boss, "Everyone: new uniforms", "Pick them up").run()
        PublishBulletin(boss, "SH01: lift repair", "Use the stairs", stores=["SH01"]).run()
        PublishBulletin(boss, "BJ01: late delivery", "Thursday", stores=["BJ01"]).run()
    client = app.test_client()
    login(client, "clerk", ADMIN_PASSWORD)
    page = client.get("/bulletinview/list/").get_data(as_text=True)
    assert "new uniforms" in page and "lift repair" in page and "late delivery" not in page
    with app.app_context():
        other = Bulletin.get(Bulletin.title == "BJ01: late delivery").id
        mine = Bulletin.get(Bulletin.title == "SH01: lift repair").id
    assert client.get(f"/bulletinview/show/{other}").status_code == 404
    assert client.get(f"/bulletinview/show/{mine}").status_code == 200
    with app.app_context():
        assert BulletinRead.select().where(BulletinRead.user_id == clerk).count() == 1
