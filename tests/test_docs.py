"""The hook reference and the test suite keep up with zhanggui.hookspecs, and the
guides' examples run: every hook example of docs/hooks.md and docs/plugins.md is
called with real event values in a running app (members and loyalty enabled), every
other example runs in a request, and the documented POS body is accepted by the POS
API.  The examples' plugin is tests/docs_examples/zhanggui_shelf_talker."""
import inspect
import re
from pathlib import Path

import pytest

from zhanggui import hookspecs

ROOT = Path(__file__).resolve().parent.parent
HOOKS = sorted(name for name, obj in vars(hookspecs).items()
               if name.startswith("zhanggui_") and inspect.isfunction(obj))


def test_every_hook_has_a_documented_contract():
    for name in HOOKS:
        doc = inspect.getdoc(getattr(hookspecs, name)) or ""
        assert len(doc) > 60, f"{name} needs a docstring saying when it is called and returns"
        opts = getattr(hookspecs, name).zhanggui_spec
        if opts.get("firstresult"):
            assert "firstresult" in doc, f"{name} is firstresult and must say so"


@pytest.fixture(scope="module")
def reference():
    return (ROOT / "docs" / "hooks.md").read_text("utf-8")


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_is_in_the_reference(reference, hook):
    assert re.search(rf"^## {hook}\b", reference, re.M), f"docs/hooks.md lacks '## {hook}'"


def test_the_reference_names_no_hook_that_does_not_exist(reference):
    documented = re.findall(r"^## (zhanggui_\w+)", reference, re.M)
    assert sorted(set(documented) - set(HOOKS)) == []


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_is_exercised_by_a_test(hook):
    """Each hook name must appear in a test module other than this one."""
    tests = [p for p in list((ROOT / "tests").rglob("test_*.py")) +
             list((ROOT / "plugins").rglob("tests/test_*.py"))
             if p.name != "test_docs.py"]
    assert any(hook in p.read_text("utf-8") for p in tests), f"no test exercises {hook}"


def test_every_hook_has_the_project_prefix():
    names = [n for n, o in vars(hookspecs).items()
             if inspect.isfunction(o) and hasattr(o, "zhanggui_spec")]
    assert names and all(n.startswith("zhanggui_") for n in names)


def test_the_event_values_in_the_reference_are_the_ones_the_code_declares(reference):
    from zhanggui.docgen import rewrite

    assert reference == rewrite(reference), (
        "docs/hooks.md is stale: run python -m zhanggui.docgen docs/hooks.md")


@pytest.mark.parametrize("doc", ["plugins.md", "hooks.md"])
def test_every_python_example_in_the_guides_is_valid_python(doc):
    text = (ROOT / "docs" / doc).read_text("utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert blocks
    for block in blocks:
        if block.startswith("def ") and not block.rstrip().endswith((":", "...")) \
                and "\n\n" not in block.strip():
            block = block.strip() + ": ..."  # a hook's signature
        compile(block, f"docs/{doc}", "exec")


# --- the examples run: every hook example of the guides, against a running app ------

EXAMPLES = ROOT / "tests" / "docs_examples"
MODULE_HEADER = re.compile(r"^# (?:[\w/]+/)?(\w+)\.py\b")


def _blocks(doc):
    return re.findall(r"```python\n(.*?)```", (ROOT / "docs" / doc).read_text("utf-8"), re.S)


def _run_block(source: str, name: str, package: str):
    """Execute a block as the module ``<package>.<name>``, so relative imports work."""
    import sys
    import types

    module = types.ModuleType(f"{package}.{name}")
    module.__package__ = package
    module.__file__ = str(EXAMPLES / package / f"{name}.py")
    sys.modules[module.__name__] = module
    exec(compile(source, f"<{package}.{name}>", "exec"), module.__dict__)
    return module


def _hook_examples():
    """``(doc, index, block)`` of every block implementing a hook."""
    return [(doc, i, b) for doc in ("hooks.md", "plugins.md") for i, b in enumerate(_blocks(doc))
            if "@hookimpl" in b and not re.search(r"\):\n    \.\.\.\n", b)]  # not a bare outline


def _sample_arguments(app, member_id):
    import datetime as dt
    import types
    from decimal import Decimal

    from zhanggui import DemoContext, PaymentEvent, PurchaseEvent, PurchaseLineEvent, RefundEvent

    now = dt.datetime(2026, 11, 11, 2, 30, tzinfo=dt.timezone.utc)
    purchase = PurchaseEvent(
        purchase_id=1, pos_id="SH01-1", member_id=member_id, store_code="SH01", currency="CNY",
        occurred_at=now, channel="pos", total=Decimal("1299.00"),
        lines=(PurchaseLineEvent(line_id=1, sku="COS011", name="精华液", category="化妆品",
                                 counter=None, quantity=Decimal("1"), amount=Decimal("1299.00")),),
        payments=(PaymentEvent(method="cash", amount=Decimal("1299.00")),))
    return {
        "app": app, "ctx": DemoContext(seed=1, members=1), "phone": "13800138000", "card": None,
        "member_id": member_id, "source_id": member_id + 1000, "target_id": member_id,
        "purchase": purchase, "transaction": purchase,
        "refund": RefundEvent(refund_id="R-1", purchase_id=1, pos_id="SH01-1", member_id=member_id,
                              amount=Decimal("100.00"), fraction=Decimal("0.077"),
                              lines=((1, Decimal("100.00")),), occurred_at=now),
        "entry": types.SimpleNamespace(member_id=member_id, kind="earn", points=130,
                                       pending_points=0, source_type="purchase", source_id="1",
                                       occurred_at=now),
        "points": 120, "expires_on": dt.date(2026, 12, 31), "old": "dormant", "new": "active",
        "channel": "sms", "granted": False,
        "ticket": types.SimpleNamespace(id=5, category="price_label", store_id=1,
                                        kind="complaint", priority="high", member_id=member_id,
                                        store_code="SH01"),
        "level": 2,
        "kind": "shelf_talker.below_cost", "subject": "SKU00042 below cost",
        "requested_by": 1, "payload": {"sku": "SKU00042"}, "reference": "APR-1",
        "approved": True, "decided_by": 1, "comment": "",
        "member_ids": [member_id], "start": now - dt.timedelta(days=30), "end": now,
        "source": "unsubscribe", "user_id": 1, "counter_codes": ["SH01-C01"],
        "counter_code": "SH01-C01", "month": dt.date(2026, 11, 1), "tier_codes": ["gold"],
    }


@pytest.fixture
def example_app(make_app, make_plugin, monkeypatch):
    """An app with members and loyalty, the examples' tables and the jobs they enqueue."""
    import sys

    from zhanggui import Job

    monkeypatch.syspath_prepend(str(EXAMPLES))
    for name in [m for m in sys.modules if m.startswith("zhanggui_shelf_talker")]:
        monkeypatch.delitem(sys.modules, name)
    from zhanggui_shelf_talker import models

    jobs = make_plugin("shelf_talker_jobs", zhanggui_jobs=lambda: [
        Job("shelf_talker.notify_expiry", lambda *a: None),
        Job("shelf_talker.print_labels", lambda *a: None)])
    app = make_app(plugins=["members", "loyalty"], extra_plugins=[jobs])
    with app.app_context():
        app.extensions["zhanggui"].db.create_tables([models.ShelfTalker, models.ShelfTalkerPrint])
    return app


def test_every_hook_example_runs_against_a_running_app(example_app, create_user):
    import inspect as _inspect

    from flask_login import login_user

    from zhanggui_members.profile.services import register_member

    admin = create_user("admin", "Head-office admin")
    examples = _hook_examples()
    assert len(examples) > 30
    with example_app.app_context():
        member_id = register_member(name="王芳", phone="13800138000").id
        # modules other examples import (`# views.py`, `# api.py`, `# .../migrations.py`)
        for doc, i, block in [(d, i, b) for d in ("plugins.md", "hooks.md")
                              for i, b in enumerate(_blocks(d))]:
            header = MODULE_HEADER.match(block)
            if header and header.group(1) not in ("plugin", "services") \
                    and not block.startswith("# acme_giftcards/"):
                _run_block(block, header.group(1), "zhanggui_shelf_talker")
    args = _sample_arguments(example_app, member_id)
    ran = []
    for doc, i, block in examples:
        package = "acme_giftcards" if block.startswith("# acme_giftcards/") else "zhanggui_shelf_talker"
        with example_app.test_request_context("/"):
            from flask import g

            from zhanggui import database

            sm = example_app.extensions["zhanggui"].appbuilder.sm
            g.user = sm.find_user(username="admin")
            login_user(g.user)
            module = _run_block(block, f"doc_{doc[:-3]}_{i}", package)
            for name, function in vars(module).items():
                if not (name.startswith("zhanggui_") and callable(function)):
                    continue
                params = _inspect.signature(function).parameters
                with database.atomic() as tx:
                    try:
                        result = function(**{p: args[p] for p in params})
                    except Exception as exc:
                        raise AssertionError(f"docs/{doc}, example {i}: {name} raised "
                                             f"{type(exc).__name__}: {exc}") from exc
                    tx.rollback()
                spec = getattr(hookspecs, name)
                if "-> list" in str(_inspect.signature(spec)) or \
                        str(_inspect.signature(spec).return_annotation).startswith("list"):
                    assert isinstance(result, (list, tuple)), f"docs/{doc} {i}: {name}"
                ran.append(name)
    assert admin is not None and len(ran) >= len(examples)


def _snippets():
    """The blocks that are neither hook examples, hook outlines nor signatures."""
    out = []
    for doc in ("hooks.md", "plugins.md"):
        for i, block in enumerate(_blocks(doc)):
            if "@hookimpl" in block or block.startswith("def "):
                continue
            out.append((doc, i, block))
    return out


def test_every_other_example_runs_in_a_request(example_app, create_user):
    """Snippets run as modules of the example plugin, with the names their prose says
    come from the surrounding code (``member``, ``ticket``, ``record_purchase``...)."""
    import types

    from flask import g
    from flask_login import login_user

    from zhanggui import database
    from zhanggui_members.profile.services import register_member

    create_user("admin", "Head-office admin")
    with example_app.app_context():
        member = register_member(name="王芳", phone="13800138000")
    args = _sample_arguments(example_app, member.id)
    for doc, i, block in _snippets():
        package = "acme_giftcards" if "acme_giftcards" in block.split("\n", 1)[0] \
            else "zhanggui_shelf_talker"
        with example_app.test_request_context("/"), database.atomic() as tx:
            g.user = example_app.extensions["zhanggui"].appbuilder.sm.find_user(username="admin")
            login_user(g.user)
            import zhanggui_shelf_talker.models as models
            import zhanggui_shelf_talker.services as services

            seeded = dict({k: v for k, v in vars(models).items() if not k.startswith("__")},
                          member=member, ticket=types.SimpleNamespace(id="T-1"), user_id=1,
                          start=args["start"], end=args["end"],
                          record_purchase=services.record_purchase, Purchase=models.ShelfTalker,
                          purchase_event=lambda purchase: args["purchase"],
                          Counter=models.ShelfTalker)
            if block.startswith("from zhanggui_shelf_talker.services import print_personal"):
                continue  # a test module of the plugin: its fixtures run it, not this
            try:
                module = types.ModuleType(f"{package}.snippet_{doc[:-3]}_{i}")
                module.__package__ = package
                module.__dict__.update(seeded)
                exec(compile(block, f"docs/{doc} example {i}", "exec"), module.__dict__)
            except Exception as exc:
                raise AssertionError(f"docs/{doc}, example {i} raised {type(exc).__name__}: "
                                     f"{exc}\n{block}") from exc
            finally:
                tx.rollback()


def test_the_documented_pos_body_is_accepted_by_the_pos_api(make_app, admin_client, app):
    from zhanggui.testing import ADMIN_PASSWORD
    from zhanggui_members.profile.models import Store

    block = next(b for b in _blocks("plugins.md") if b.startswith("sale = {"))
    namespace: dict = {}
    exec(compile(block, "docs/plugins.md", "exec"), namespace)
    with app.app_context():
        Store.create(code="SH01", name="上海一店", city="上海", region="East")
    token = admin_client.post("/api/v1/security/login", json={
        "username": "admin", "password": ADMIN_PASSWORD, "provider": "db"}).get_json()
    answer = admin_client.post("/api/v1/pos/transactions", json=namespace["sale"], headers={
        "Authorization": f"Bearer {token['access_token']}"})
    assert answer.status_code == 201, answer.get_data(as_text=True)
    assert answer.get_json()["total"] == namespace["sale"]["total"]
