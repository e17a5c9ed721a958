"""``zhanggui campaigns …``: launch, send (a worker of its own), results, bounces.

``send`` is what a huey job runs, in the foreground: with ``--worker`` names it can
run on several hosts at once; it prints progress (sent, rate, left) and stops when
nothing is left to claim.  ``bounces`` reads delivery status notifications (files,
one message each, or a folder of them) and exits non-zero naming a file it could not
read.
"""
from __future__ import annotations

import json
import time
from pathlib import Path

import click
from flask.cli import with_appcontext

from zhanggui import _


@click.group("campaigns", help="Campaigns: launch, send, results, bounces.")
def campaigns():
    pass


@campaigns.command("launch", help="Snapshot a draft campaign's audience and queue it.")
@click.argument("campaign_id", type=int)
@click.option("--no-jobs", is_flag=True, help="Do not queue send jobs (send with 'send').")
@with_appcontext
def launch_command(campaign_id, no_jobs):
    from flask import current_app

    from .sending.launch import LaunchError, launch

    try:
        total = launch(campaign_id, start_jobs=not no_jobs,
                       workers=current_app.extensions["zhanggui"].settings["MARKETING_SEND_WORKERS"])
    except LaunchError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(_("Launched to %(n)s members.", n=total))


@campaigns.command("send", help="Send a launched campaign until nothing is left.")
@click.argument("campaign_id", type=int)
@click.option("--worker", default=None, help="This worker's name (default host:pid).")
@click.option("--chunk", default=200, show_default=True, help="Recipients claimed at a time.")
@with_appcontext
def send_command(campaign_id, worker, chunk):
    from .sending.models import Campaign, Recipient
    from .sending.worker import send_campaign

    campaign = Campaign.get_or_none(Campaign.id == campaign_id)
    if campaign is None:
        raise click.ClickException(_("No campaign has the id %(id)s.", id=campaign_id))
    started = time.monotonic()
    counts = send_campaign(campaign_id, worker=worker, chunk=chunk)
    seconds = max(time.monotonic() - started, 1e-6)
    left = Recipient.select().where((Recipient.campaign == campaign_id)
                                    & Recipient.status.in_(["queued", "claimed"])).count()
    click.echo(_("%(sent)s sent in %(s).1f s (%(rate).0f a second); %(left)s left.",
                 sent=counts.get("sent", 0), s=seconds, rate=counts.get("sent", 0) / seconds,
                 left=left))
    click.echo(json.dumps({**counts, "seconds": round(seconds, 3)}, sort_keys=True))


@campaigns.command("results", help="A campaign's effect against its control group (JSON).")
@click.argument("campaign_id", type=int)
@with_appcontext
def results_command(campaign_id):
    from .api import results_json
    from .evaluation.service import evaluate
    from .sending.models import Campaign

    campaign = Campaign.get_or_none(Campaign.id == campaign_id)
    if campaign is None or campaign.launched_at is None:
        raise click.ClickException(_("No launched campaign has the id %(id)s.", id=campaign_id))
    click.echo(json.dumps(results_json(evaluate(campaign_id)), ensure_ascii=False, indent=2))


@campaigns.command("bounces", help="Record bounces from files of delivery status messages.")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@with_appcontext
def bounces_command(paths):
    from .tracking.service import record_bounce

    files = [p for path in paths for p in
             (sorted(Path(path).iterdir()) if Path(path).is_dir() else [Path(path)])
             if p.is_file()]
    counts = {"hard": 0, "soft": 0, None: 0}
    for number, path in enumerate(files, 1):
        try:
            kind = record_bounce(path.read_bytes())
        except OSError as exc:
            raise click.ClickException(_("%(file)s: %(error)s", file=path, error=exc)) from None
        counts[kind] += 1
    click.echo(_("%(files)s files: %(hard)s hard bounces, %(soft)s soft, %(other)s not bounces "
                 "of a campaign.", files=len(files), hard=counts["hard"], soft=counts["soft"],
                 other=counts[None]))
