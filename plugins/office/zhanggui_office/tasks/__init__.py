"""Tasks: assignees, due dates, reminders before they are due, comments."""
