"""The shelf-talker plugin the guides' examples are written in, for tests/test_docs.py.

Only what the examples import and do not define themselves: the models, and services
that record their calls (``services.calls``).  Each example block runs as a module of
this package, so its relative imports (``from .models import ShelfTalker``) resolve.
"""
