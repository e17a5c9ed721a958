"""Hook implementations of the members plugin (thin: the rules live elsewhere)."""
from __future__ import annotations

from pathlib import Path

from zhanggui import TranslationDir, _l, hookimpl

title = _l("Members")
requires: tuple[str, ...] = ()


@hookimpl
def zhanggui_translation_dirs():
    return [TranslationDir(domain="zhanggui_members",
                           path=Path(__file__).parent / "translations")]


@hookimpl
def zhanggui_models():
    from .models import MODELS

    return list(MODELS)


@hookimpl
def zhanggui_migrations():
    from .migrations import MIGRATIONS

    return list(MIGRATIONS)


@hookimpl
def zhanggui_find_member(phone, card):
    """Answers with the member id; a number that is not a mainland mobile (a landline
    ringing the call center, say) is simply not found."""
    from .phones import PhoneNumberError
    from .services import find_member

    try:
        member = find_member(phone=phone, card=card)
    except PhoneNumberError:
        member = find_member(card=card) if card else None
    return member.id if member is not None else None


@hookimpl
def zhanggui_export_member(member_id):
    from .services import export_member_data

    return export_member_data(member_id)


@hookimpl
def zhanggui_erase_member(member_id):
    from .services import erase_member_data

    return erase_member_data(member_id)


@hookimpl
def zhanggui_demo_data(ctx):
    from .demo import build_demo_chain

    build_demo_chain(ctx)
