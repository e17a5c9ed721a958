"""The approval permissions' names (kept apart so screens and role grants both read
them without importing each other)."""

DECIDE = "office.decide_approvals"
MANAGE = "office.manage_workflows"
