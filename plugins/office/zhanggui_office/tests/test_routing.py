"""Document routing: passed along the route in order, only the holder acts, a return
ends the round, the trail keeps every step; two clicks at once act once."""
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from zhanggui_office.routing.models import RoutedDocument, RoutingEvent
from zhanggui_office.routing.service import RoutingError, SendDocument, act


def test_a_document_passes_along_its_route_and_keeps_the_trail(office_app, staff):
    document = SendDocument(staff.dave, "New opening hours", "From 1 January",
                            [staff.bob, staff.erin]).run()
    with pytest.raises(RoutingError):
        act(document.id, staff.erin, "sign")          # not with erin yet
    assert act(document.id, staff.bob, "sign").current_position == 2
    with pytest.raises(RoutingError):
        act(document.id, staff.bob, "sign")           # bob already signed
    done = act(document.id, staff.erin, "sign", "Agreed")
    assert done.status == "signed"
    assert [(e.user_id, e.action) for e in RoutingEvent.select().order_by(RoutingEvent.id)] \
        == [(staff.bob, "sign"), (staff.erin, "sign")]


def test_a_return_needs_a_reason_and_ends_the_round(office_app, staff):
    document = SendDocument(staff.dave, "Budget", "Draft", [staff.bob, staff.erin]).run()
    with pytest.raises(RoutingError):
        act(document.id, staff.bob, "return", "")
    assert act(document.id, staff.bob, "return", "Numbers missing").status == "returned"
    with pytest.raises(RoutingError):
        act(document.id, staff.erin, "sign")


def test_bad_routes_are_refused(office_app, staff):
    with pytest.raises(RoutingError) as exc:
        SendDocument(staff.dave, "", "", [staff.bob, staff.bob]).run()
    assert set(exc.value.messages) == {"title", "body", "route"}
    assert RoutedDocument.select().count() == 0


def test_two_clicks_at_once_sign_once(make_app):
    app = make_app(plugins=["office"])
    with app.app_context():
        from zhanggui.users import create_user

        boss = create_user("boss", "x" * 12, role="Head-office admin").id
        clerk = create_user("clerk", "x" * 12, role="Store staff").id
        other = create_user("other", "x" * 12, role="Store staff").id
        document = SendDocument(boss, "Notice", "Text", [clerk, other]).run()
    db = app.extensions["zhanggui"].db
    barrier = threading.Barrier(4)

    def click(_n):
        with app.app_context():
            db.connect(reuse_if_open=True)
            try:
                barrier.wait()
                act(document.id, clerk, "sign")
                return "ok"
            except RoutingError:
                return "refused"
            finally:
                db.close()

    with ThreadPoolExecutor(4) as pool:
        results = sorted(pool.map(click, range(4)))
    assert results == ["ok", "refused", "refused", "refused"]
    with app.app_context():
        assert RoutingEvent.select().count() == 1
