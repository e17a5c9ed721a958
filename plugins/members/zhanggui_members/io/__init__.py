"""Importing and exporting members and purchases as CSV or Excel files.

``models`` (the record of each import), ``columns`` (the file columns), ``reading``
(reading rows and mapping columns), ``importing`` (rows checked, members imported),
``purchase_import`` (purchases imported), ``file_import`` (one entry point for either
kind, the run kept), ``exporting``, ``views`` (console), ``cli`` (``zhanggui members
import`` / ``export``).
"""
