"""Background jobs: one send job per worker of a launched campaign, and a sweep every
minute that restarts sending a campaign whose workers died (or whose members were
deferred past their quiet hours)."""
from __future__ import annotations

from zhanggui import utcnow

from .models import Campaign, Recipient


def send_job(campaign_id: int) -> dict:
    from .worker import send_campaign

    return send_campaign(campaign_id)


def resume_job() -> int:
    """Send what is due of every campaign still sending (safe to run anywhere, any
    number of times: workers only send what they claim)."""
    from .worker import finish_if_done, send_campaign

    now = utcnow()
    resumed = 0
    for campaign in Campaign.select().where(Campaign.status == "sending"):
        due = Recipient.select().where(
            (Recipient.campaign == campaign.id)
            & (((Recipient.status == "queued") & (Recipient.not_before.is_null()
                                                   | (Recipient.not_before <= now)))
               | ((Recipient.status == "claimed") & (Recipient.lease_until < now)))).exists()
        if due:
            send_campaign(campaign.id)
            resumed += 1
        else:
            finish_if_done(campaign.id)
    return resumed
