"""Analysis and the indexed form of documents (backend-independent)."""
