"""Expense claims: ad-hoc claims with lines and receipts, fixed recurring expenses
generated per week or month, department budgets, approval through the approvals
service (kind ``office.expense``) and exports for accounting."""
