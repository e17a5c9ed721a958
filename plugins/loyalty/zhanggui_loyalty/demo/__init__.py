"""The demo loyalty program for ``zhanggui demo-data`` (``program``)."""
