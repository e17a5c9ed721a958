"""The demo chain: stores, members and a year of purchases for ``zhanggui demo-data``.

``chain`` (building the chain), ``catalog`` (the goods, counters and names it draws from).
"""
