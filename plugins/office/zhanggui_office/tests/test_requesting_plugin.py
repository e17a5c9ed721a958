"""A requesting plugin end to end, with the office installed and without it.

The stand-in plugin follows the documented contract of ``zhanggui_request_approval``:
ask; with no answer, decide by the requester's own approval permission (approved by
them) or refuse; with an answer, wait for ``zhanggui_approval_decided``.  Its record
is edited after asking: what is approved is the snapshot."""
import pytest

CONTRACTS: dict = {}


def _contracts_plugin(make_plugin):
    def request_contract(user, contract_id, rate):
        from zhanggui import plugins

        CONTRACTS[contract_id] = {"rate": rate, "status": "pending", "reference": None}
        reference = plugins().call_first(
            "zhanggui_request_approval", kind="suppliers.contract",
            subject=f"Contract {contract_id}", requested_by=user.id,
            payload={"contract": contract_id, "rate": rate, "store": "SH01"})
        if reference is None:                        # the documented fallback
            allowed = any(r.name == "Head-office admin" for r in user.roles)
            CONTRACTS[contract_id]["status"] = "approved" if allowed else "refused"
        else:
            CONTRACTS[contract_id]["reference"] = reference

    def decided(kind, reference, approved, decided_by, comment):
        if kind != "suppliers.contract":
            return
        for contract in CONTRACTS.values():
            if contract["reference"] == reference:
                contract["status"] = "approved" if approved else "rejected"

    def summary(kind, reference, snapshot):
        if kind == "suppliers.contract":
            return [("Deduction rate", f"{snapshot['rate']}%")]
        return None

    plugin = make_plugin("fake_suppliers", zhanggui_approval_decided=decided,
                         zhanggui_approval_summary=summary)
    return plugin, request_contract


@pytest.fixture(autouse=True)
def _clean():
    CONTRACTS.clear()


def _users(app):
    from zhanggui.users import create_user

    sm = app.appbuilder.sm
    buyer = create_user("buyer", "x" * 12, role="Buyer")
    boss = create_user("boss", "x" * 12, role="Head-office admin")
    return sm.get_user_by_id(buyer.id), sm.get_user_by_id(boss.id)


def test_without_office_the_requesters_own_permission_decides(make_app, make_plugin):
    plugin, request_contract = _contracts_plugin(make_plugin)
    app = make_app(plugins=[], extra_plugins=[plugin])
    with app.app_context():
        buyer, boss = _users(app)
        request_contract(boss, 1, "18")
        request_contract(buyer, 2, "18")
    assert CONTRACTS[1]["status"] == "approved" and CONTRACTS[2]["status"] == "refused"


def test_with_office_the_contract_waits_for_its_workflow(make_app, make_plugin):
    plugin, request_contract = _contracts_plugin(make_plugin)
    app = make_app(plugins=["office"], extra_plugins=[plugin])
    with app.app_context():
        from zhanggui_office.approvals.models import ApprovalRequest
        from zhanggui_office.approvals.service import ApprovalError, Decide, summary

        from .conftest import workflow

        workflow("suppliers.contract", [("any", "role:Buyer"), ("any", "role:Head-office admin")])
        buyer, boss = _users(app)
        request_contract(buyer, 3, "18")
        assert CONTRACTS[3]["status"] == "pending"
        CONTRACTS[3]["rate"] = "5"                       # edited after asking
        request = ApprovalRequest.get(ApprovalRequest.reference == CONTRACTS[3]["reference"])
        assert summary(request) == [("Deduction rate", "18%")]
        with pytest.raises(ApprovalError):               # the buyer asked: not theirs
            Decide(request.id, buyer.id, "approve").run()
        assert request.steps.count() == 2
        # nobody but the requester holds Buyer: the step went to head office at once
        assert not Decide(request.id, boss.id, "approve").run().finished
        assert CONTRACTS[3]["status"] == "pending"
        assert Decide(request.id, boss.id, "approve").run().finished
        assert ApprovalRequest.get_by_id(request.id).data()["rate"] == "18"
    assert CONTRACTS[3]["status"] == "approved"
