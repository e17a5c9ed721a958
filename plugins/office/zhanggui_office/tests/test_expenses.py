"""Expense claims: lines checked with field messages, approval through the approvals
service, budgets, recurring claims written once per period, safe receipts, exports."""
import datetime as dt
import io
from decimal import Decimal

import pytest

from zhanggui_office.approvals.models import ApprovalRequest
from zhanggui_office.approvals.service import Decide
from zhanggui_office.expenses.models import (DepartmentBudget, ExpenseCategory, ExpenseClaim,
                                             Receipt, RecurringExpense)
from zhanggui_office.expenses.service import (CreateClaim, ExpenseError, SubmitClaim,
                                              generate_recurring)

from .conftest import workflow

TODAY = dt.date.today().isoformat()


@pytest.fixture
def expenses(office_app, staff):
    ExpenseCategory.create(code="supplies", name="办公用品", account="6602.01")
    ExpenseCategory.create(code="cleaning", name="保洁费", account="6602.05")
    workflow("office.expense", [("any", "role:Store manager"),
                                ("any", "role:Head-office admin",
                                 {"condition": "amount > 5000"})])
    return staff


def claim(who, amount="120.50", store="SH01", department="门店运营"):
    return CreateClaim(who, store, department, "Printer paper",
                       [{"category": "supplies", "description": "A4 paper",
                         "amount": amount, "spent_on": TODAY}]).run()


def test_a_claim_is_approved_through_its_workflow(expenses):
    draft = claim(expenses.alice, "6000.00")
    assert draft.status == "draft" and draft.total == Decimal("6000.00")
    submitted = SubmitClaim(draft.id, expenses.alice).run()
    request = ApprovalRequest.get(ApprovalRequest.reference == submitted.approval_reference)
    assert request.steps.count() == 2                 # over 5,000: head office too
    Decide(request.id, expenses.bob, "approve").run()
    assert ExpenseClaim.get_by_id(draft.id).status == "submitted"
    Decide(request.id, expenses.dave, "approve").run()
    assert ExpenseClaim.get_by_id(draft.id).status == "approved"


def test_a_rejected_claim_is_rejected(expenses):
    submitted = SubmitClaim(claim(expenses.alice).id, expenses.alice).run()
    request = ApprovalRequest.get(ApprovalRequest.reference == submitted.approval_reference)
    Decide(request.id, expenses.bob, "reject", "No receipt").run()
    assert ExpenseClaim.get_by_id(submitted.id).status == "rejected"


def test_bad_lines_are_named_and_nothing_is_written(expenses):
    with pytest.raises(ExpenseError) as exc:
        CreateClaim(expenses.alice, "SH01", "门店运营", "x",
                    [{"category": "nope", "description": "", "amount": "1.234",
                      "spent_on": "2999-01-01"},
                     {"category": "supplies", "description": "ok", "amount": "NaN",
                      "spent_on": "yesterday"}, "junk"]).run()
    assert set(exc.value.messages) == {
        "lines[0].category", "lines[0].description", "lines[0].amount", "lines[0].spent_on",
        "lines[1].amount", "lines[1].spent_on", "lines[2]"}
    with pytest.raises(ExpenseError) as exc:
        CreateClaim(expenses.alice, "BJ01", "x" * 61, "t\x00", [], currency="rmb",
                    stores={"SH01"}).run()
    assert set(exc.value.messages) == {"store_code", "department", "title", "currency",
                                       "lines"}
    assert ExpenseClaim.select().count() == 0


def test_a_claim_over_the_departments_budget_is_not_submitted(expenses):
    DepartmentBudget.create(department="门店运营", period=f"{dt.date.today():%Y-%m}",
                            amount=Decimal("1000.00"))
    SubmitClaim(claim(expenses.alice, "800.00").id, expenses.alice).run()
    second = claim(expenses.alice, "300.00")
    with pytest.raises(ExpenseError) as exc:
        SubmitClaim(second.id, expenses.alice).run()
    assert "total" in exc.value.messages
    assert ExpenseClaim.get_by_id(second.id).status == "draft"
    assert ApprovalRequest.select().count() == 1


def test_only_the_claimant_submits_and_only_once(expenses):
    draft = claim(expenses.alice)
    with pytest.raises(ExpenseError):
        SubmitClaim(draft.id, expenses.bob).run()
    SubmitClaim(draft.id, expenses.alice).run()
    with pytest.raises(ExpenseError):
        SubmitClaim(draft.id, expenses.alice).run()
    assert ApprovalRequest.select().count() == 1


def test_recurring_expenses_are_claimed_once_per_period(expenses):
    RecurringExpense.create(store_code="SH01", department="门店运营",
                            category=ExpenseCategory.get(code="cleaning"),
                            description="门店保洁", amount=Decimal("3000.00"),
                            frequency="monthly", owner_id=expenses.alice)
    RecurringExpense.create(store_code="SH01", department="门店运营",
                            category=ExpenseCategory.get(code="supplies"),
                            description="饮用水", amount=Decimal("80.00"),
                            frequency="weekly", owner_id=expenses.alice)
    day = (dt.date.today().replace(day=1) - dt.timedelta(days=40)).replace(day=2)
    assert generate_recurring(day) == {"created": 2, "existing": 0, "failed": []}
    assert generate_recurring(day) == {"created": 0, "existing": 2, "failed": []}
    assert generate_recurring(day + dt.timedelta(days=7)) == \
        {"created": 1, "existing": 1, "failed": []}       # a new week, the same month
    assert ExpenseClaim.select().where(ExpenseClaim.status == "submitted").count() == 3
    assert ApprovalRequest.select().count() == 3


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_receipts_are_checked_and_stored_under_a_random_name(expenses, office_app):
    from zhanggui_office.expenses.receipts import MAX_BYTES, receipt_path, store_receipt

    draft = claim(expenses.alice)
    receipt = store_receipt(draft, expenses.alice, "../../etc/passwd.png", io.BytesIO(PNG))
    assert receipt.original_name == "passwd.png"
    assert receipt.stored_name != "passwd.png" and receipt.stored_name.endswith(".png")
    assert receipt_path(receipt).read_bytes() == PNG
    with pytest.raises(ExpenseError):
        store_receipt(draft, expenses.alice, "x.png", io.BytesIO(b"<html><script>"))
    with pytest.raises(ExpenseError):
        store_receipt(draft, expenses.alice, "big.pdf",
                      io.BytesIO(b"%PDF-" + b"0" * MAX_BYTES))
    assert Receipt.select().count() == 1


def test_approved_claims_export_for_accounting(expenses):
    from openpyxl import load_workbook

    from zhanggui_office.expenses.exporting import to_csv, to_xlsx

    first = claim(expenses.alice, "120.50")
    CreateClaim(expenses.alice, "SH01", "门店运营", "=HYPERLINK(\"x\")",
                [{"category": "supplies", "description": "=1+1", "amount": "5",
                  "spent_on": TODAY}]).run()
    request_ref = SubmitClaim(first.id, expenses.alice).run().approval_reference
    Decide(ApprovalRequest.get(ApprovalRequest.reference == request_ref).id,
           expenses.bob, "approve").run()
    text = to_csv().decode("utf-8-sig")
    assert "A4 paper" in text and "6602.01" in text and "120.50" in text
    assert "=1+1" not in text                       # the draft is not exported
    book = load_workbook(io.BytesIO(to_xlsx()))
    rows = list(book.active.values)
    assert len(rows) == 2 and rows[1][8] == "120.50"
    assert to_csv(stores={"BJ01"}).decode("utf-8-sig").count("\n") == 1


def test_approvers_read_the_claims_lines(expenses):
    from zhanggui_office.approvals.service import summary

    submitted = SubmitClaim(claim(expenses.alice).id, expenses.alice).run()
    request = ApprovalRequest.get(ApprovalRequest.reference == submitted.approval_reference)
    text = " ".join(f"{k} {v}" for k, v in summary(request))
    assert "A4 paper: 120.50" in text and "SH01" in text
