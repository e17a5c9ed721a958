"""Audiences: saved member conditions (nested AND/OR/NOT) counted live and
snapshotted into a campaign's recipients at launch."""
