"""Zhanggui Suppliers & counters plugin: Supplier lifecycle, contracts, counters and counter grading."""
