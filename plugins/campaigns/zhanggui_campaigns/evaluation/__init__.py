"""Evaluating a campaign against its control group."""
