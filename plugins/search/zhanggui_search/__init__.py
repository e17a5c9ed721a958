"""Zhanggui Search plugin: Chinese-aware full-text search across every plugin."""
