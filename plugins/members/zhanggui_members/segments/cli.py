"""``zhanggui members segments recompute [--as-of DATE]`` and the segmentation jobs."""
from __future__ import annotations

import datetime as dt

import click
from flask.cli import with_appcontext

from zhanggui import Progress, _, format_number


@click.group("segments", help="RFM scores, value groups and lifecycle stages.")
def segments_group():
    pass


def with_segments(group: click.Group) -> click.Group:
    """``group`` (the plugin's ``zhanggui members`` group) with ``segments`` added."""
    group.add_command(segments_group)
    return group


def _as_of(ctx, param, value):
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(_("give a date as YYYY-MM-DD, e.g. 2026-06-30")) from None


@segments_group.command("recompute")
@click.option("--as-of", "as_of", callback=_as_of, metavar="DATE",
              help="Compute as at the end of this day (UTC); default now.")
@with_appcontext
def recompute_command(as_of):
    """Recompute every member's RFM scores, value group and lifecycle stage."""
    from .recompute import recompute_segments

    run = recompute_segments(as_of=as_of, reason="command",
                             progress=lambda label, total: Progress(label, total))
    click.echo(_("%(members)s members with purchases, %(scored)s scored, %(moves)s stage "
                 "changes, in %(seconds)s s", members=format_number(run.members),
                 scored=format_number(run.scored), moves=format_number(run.stage_changes),
                 seconds=format_number(run.seconds, 1)))


# --- jobs -------------------------------------------------------------------------------

def daily_recompute() -> int:
    """The periodic job: everyone, as of now; returns the number of stage changes."""
    from .recompute import recompute_segments

    return recompute_segments(reason="job").stage_changes


def recompute_now(as_of: str | None = None, reason: str = "console") -> int:
    """The on-demand job (the console's button)."""
    from .recompute import recompute_segments

    when = dt.date.fromisoformat(as_of) if as_of else None
    return recompute_segments(as_of=when, reason=reason).stage_changes
