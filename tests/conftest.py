"""The core's own tests use the same fixtures as third-party plugins (zhanggui.testing)."""
