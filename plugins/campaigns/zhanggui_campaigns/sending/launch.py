"""Launching a campaign: the audience is snapshotted into recipient rows (the
idempotency keys of every send) and split into target and control groups.

The split is a keyed hash of (seed, member id): the same seed always puts a member in
the same group, so a rerun of the evaluation, or an auditor, can recompute it.
"""
from __future__ import annotations

import hashlib
import secrets
from decimal import Decimal
from typing import Any

from zhanggui import _, enqueue, plugins, utcnow, write_transaction

from ..audiences.definition import member_query, parse
from .models import Campaign, CampaignMessage, Recipient

CHUNK = 5000


class LaunchError(ValueError):
    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(" ".join(v) for v in errors.values()))
        self.errors = errors


def in_control(seed: int, member_id: Any, percent: Decimal) -> bool:
    digest = hashlib.sha256(f"{seed}:{member_id}".encode()).digest()
    bucket = int.from_bytes(digest[:4], "big") % 10000
    return bucket < int(Decimal(percent) * 100)


def validate(campaign: Campaign) -> dict:
    errors: dict[str, list[str]] = {}
    if campaign.status != "draft":
        errors["status"] = [_("Only a draft campaign can be launched.")]
    languages = {m.language for m in campaign.messages}
    if "zh_CN" not in languages:
        errors["messages"] = [_("Write the message in Simplified Chinese at least; other "
                                "languages fall back to it.")]
    if campaign.channel == "email" and any(not m.subject.strip() for m in campaign.messages):
        errors["subject"] = [_("An e-mail needs a subject in every language.")]
    if not Decimal("0") <= Decimal(campaign.holdout_percent) <= Decimal("50"):
        errors["holdout_percent"] = [_("The control group is 0 to 50 percent.")]
    try:
        parse(campaign.audience.definition)
    except ValueError as exc:
        errors["audience"] = [str(exc)]
    return errors


def launch(campaign_id: Any, workers: int = 1, start_jobs: bool = True) -> int:
    """Snapshot the audience and queue the sends; return the number of recipients.

    The control group is checked for contactability like the target group, so the
    two are comparable: a control member who could not have been sent to anyway is
    recorded as such, not counted as a non-responder."""
    with write_transaction():
        campaign = (Campaign.select().where(Campaign.id == campaign_id).for_update()
                    .get_or_none() if _for_update() else Campaign.get_or_none(
                        Campaign.id == campaign_id))
        if campaign is None:
            raise LaunchError({"campaign": [_("No such campaign.")]})
        errors = validate(campaign)
        if errors:
            raise LaunchError(errors)
        tree = parse(campaign.audience.definition)
        ids = [row[0] for row in member_query(tree).tuples()]
        _register_links(campaign)
        total = 0
        for start in range(0, len(ids), CHUNK):
            total += _snapshot(campaign, ids[start:start + CHUNK])
        Campaign.update(status="sending", launched_at=utcnow()) \
            .where(Campaign.id == campaign.id).execute()
    if start_jobs:
        for _n in range(max(1, workers)):
            enqueue("campaigns.send", campaign.id)
    return total


def _register_links(campaign: Campaign) -> None:
    from .mail import LINK_RE
    from .models import CampaignLink

    urls = {url for m in campaign.messages for url in LINK_RE.findall(m.body)}
    for url in sorted(urls):
        CampaignLink.insert(campaign=campaign.id, url=url[:1000]).on_conflict_ignore().execute()


def _snapshot(campaign: Campaign, ids: list) -> int:
    control = [m for m in ids if in_control(campaign.seed, m, campaign.holdout_percent)]
    reachable = set(plugins().call_first("zhanggui_marketing_contacts", member_ids=control,
                                         channel=campaign.channel) or {}) if control else set()
    control_set = set(control)
    rows = []
    for member_id in ids:
        if member_id in control_set:
            group, status = "control", ("control" if member_id in reachable else "no_consent")
        else:
            group, status = "target", "queued"
        rows.append({"campaign": campaign.id, "member_id": member_id,
                     "channel": campaign.channel, "group": group, "status": status,
                     "token": secrets.token_urlsafe(16)})
    for start in range(0, len(rows), 500):
        Recipient.insert_many(rows[start:start + 500]).execute()
    return len(rows)


def _for_update() -> bool:
    from zhanggui import database
    from zhanggui.db import backend

    return backend(database) != "sqlite"


def message_for(campaign: Campaign, language: str) -> CampaignMessage:
    messages = {m.language: m for m in campaign.messages}
    return messages.get(language) or messages["zh_CN"]
