"""Zhanggui Call center plugin: Screen pop, call log, service tickets and callback tasks."""
