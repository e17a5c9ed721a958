"""Zhanggui Campaigns plugin: Segments, activities, sending and effect evaluation."""
