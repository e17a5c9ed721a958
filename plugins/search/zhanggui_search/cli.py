"""``zhanggui search ...``: reindex (resumable, with progress), apply the queue, query.

``zhanggui search reindex`` rebuilds the index of every source; interrupted (Ctrl-C,
a lost host), the next run resumes where the last finished batch ended; ``--restart``
starts over.  ``zhanggui search apply`` runs the writer once (the periodic job does the
same).  ``zhanggui search query WORDS`` answers as a user who sees everything.
"""
from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from zhanggui import _


@click.group("search", help="Full-text search: reindex, apply queued work, query.")
def search():
    pass


def _line(progress) -> None:
    left = progress.seconds_left
    total = f"/{progress.total:,}" if progress.total is not None else ""
    done, rate = format(progress.done, ","), format(progress.rate, ",.0f")
    left = "?" if left is None else format(left, ",.0f")
    text = _("%(source)s: %(done)s%(total)s documents, %(rate)s/s, %(left)s s left",
             source=progress.source, done=done, total=total, rate=rate, left=left)
    tty = sys.stderr.isatty()
    sys.stderr.write(("\r" if tty else "") + text + ("" if tty else "\n"))
    sys.stderr.flush()


@search.command("reindex", help="Rebuild the index from every plugin's records.")
@click.option("--restart", is_flag=True, help="Start over instead of resuming.")
@click.option("--batch", default=5000, show_default=True, type=click.IntRange(100, 100000),
              help="Documents per written batch (a resumed run restarts at a batch).")
@click.option("--source", "only", multiple=True, help="Only this source; repeat for several.")
@with_appcontext
def reindex_command(restart, batch, only):
    from .keys import sources
    from .queue.reindex import ReindexBusy, reindex

    unknown = sorted(set(only) - set(sources()))
    if unknown:
        raise click.ClickException(_("No search source is called %(names)s.",
                                     names=", ".join(unknown)))
    try:
        written = reindex(batch=batch, restart=restart, only=list(only) or None,
                          report=_line)
    except ReindexBusy:
        raise click.ClickException(_("Another search writer is running; try again "
                                     "when it has finished."))
    if sys.stderr.isatty():
        sys.stderr.write("\n")
    total = format(sum(written.values()), ",")
    click.echo(_("%(n)s documents written.", n=total))


@search.command("apply", help="Apply the queued index work now (as the one writer).")
@with_appcontext
def apply_command():
    from .queue.service import apply_queue

    done = apply_queue()
    if done is None:
        click.echo(_("Another search writer is running; it applies the queue."))
    else:
        click.echo(_("%(n)s queued changes applied.", n=done))


@search.command("query", help="Search as a user who sees every store and screen.")
@click.argument("words", nargs=-1, required=True)
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 500))
@with_appcontext
def query_command(words, limit):
    from .backends import Scope
    from .keys import sources
    from .querying import search as run

    everything = Scope(stores=None, permissions=frozenset(
        {"*"} | {s.permission for s in sources().values() if s.permission}))
    for hit in run(" ".join(words), everything, limit=limit):
        click.echo(f"{hit.source}\t{hit.key}\t{hit.title}\t{hit.url}")
