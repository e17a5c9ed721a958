"""Demo e-mail addresses: about six members in ten gave one (reserved example
domains, so no demo message can reach a real mailbox)."""
from __future__ import annotations

import random

from zhanggui import _, utcnow

from ..profile.models import Member
from .emails import email_cipher
from .models import MemberEmail

DOMAINS = ("example.com", "example.net", "example.org")


def build_demo_emails(ctx) -> None:
    rng = random.Random(f"zhanggui-demo-email/{ctx.seed}")
    cipher = email_cipher()
    ids = [m for (m,) in Member.select(Member.id).where(Member.erased_at.is_null())
           .order_by(Member.id).tuples()]
    progress = ctx.progress(_("Demo members' e-mail addresses"), len(ids))
    rows, now = [], utcnow()
    for member_id in ids:
        progress.advance()
        if rng.random() >= 0.6:
            continue
        address = f"member{member_id:07d}@{rng.choice(DOMAINS)}"
        rows.append({"member": member_id, "email_encrypted": cipher.encrypt(address),
                     "email_hash": cipher.lookup_hash(address), "updated_at": now})
    progress.close()
    for start in range(0, len(rows), 1000):
        MemberEmail.insert_many(rows[start:start + 1000]).execute()
    ctx.count(_("e-mail addresses"), len(rows))
