"""The members plugin's CLI: ``zhanggui members ...``.

``zhanggui members tags evaluate [--tag ID ...]`` re-evaluates rule tags now, with a
progress line (tags done, rate, time left) and one line per tag; exit status 1 when
a tag's rule no longer checks (the line names the tag and the field).  Other members
features add their commands to :data:`members` (one group for the plugin).
"""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from zhanggui import Progress, _


@click.group("members", help="Members: tags and other member maintenance.")
def members():
    pass


@members.group("tags", help="Member tags.")
def tags():
    pass


@tags.command("evaluate", help="Re-evaluate rule-based tags for every member now.")
@click.option("--tag", "tag_ids", multiple=True, type=int,
              help="Only this tag (by id); repeat for several.")
@with_appcontext
def evaluate(tag_ids):
    from .tags.evaluate import evaluate_rule_tags, rule_tags

    chosen = list(tag_ids) or None
    todo = rule_tags(chosen)
    if chosen and len(todo) != len(set(chosen)):
        missing = sorted(set(chosen) - {t.id for t in todo})
        raise click.ClickException(_("No active rule-based tag has the id %(ids)s.",
                                     ids=", ".join(map(str, missing))))
    progress = Progress(_("Rule-based tags"), len(todo))
    results = evaluate_rule_tags(chosen, progress=progress)
    progress.close()
    failed = False
    for r in results:
        if r.error:
            failed = True
            click.echo(_("Tag %(id)s (%(name)s): rule refused: %(error)s", id=r.tag_id,
                         name=r.name, error=r.error), err=True)
        else:
            click.echo(_("Tag %(id)s (%(name)s): %(members)s members, %(added)s added, "
                         "%(removed)s removed", id=r.tag_id, name=r.name,
                         members=f"{r.members:,}", added=f"{r.added:,}",
                         removed=f"{r.removed:,}"))
    if failed:
        raise SystemExit(1)
