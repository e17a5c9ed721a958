"""The $name plugin: what it offers is declared; hooks are for events.

See docs/plugins.md, "The short way: declare what the plugin offers".
"""
from __future__ import annotations

from flask import render_template_string

from zhanggui import MemberPanel, _l, has_permission, hookimpl

from .models import $Model, note_purchase
from .web import ${Model}Api, ${Model}View

title = _l("$title")
requires: tuple[str, ...] = ("members",)
models = [$Model]
admin_views = [${Model}View]
api = [${Model}Api]

PANEL = "<ul>{% for n in notes %}<li>{{ n.title }}</li>{% endfor %}</ul>"


def notes_panel(member_id):
    notes = list($Model.select().where($Model.member == member_id).limit(20))
    if notes and has_permission("can_list on ${Model}View"):
        return MemberPanel(name="${name}.notes", title=_l("$title notes"),
                           html=render_template_string(PANEL, notes=notes))


member_panels = [notes_panel]


@hookimpl
def zhanggui_purchase_recorded(purchase):
    note_purchase(purchase)
