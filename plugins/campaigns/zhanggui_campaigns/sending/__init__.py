"""Sending: a campaign's recipients snapshotted at launch, claimed in chunks by any
number of workers, sent through e-mail or SMS at a shared rate, each exactly once."""
