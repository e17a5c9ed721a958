"""Zhanggui Office plugin: Bulletins, tasks, approval workflows, expense claims and reminders."""
