"""Zhanggui Members plugin: Unified customer profile, purchases, segmentation and the 360° view."""
