"""Licence and contract expiry reminders, N days before (``SUPPLIERS_REMINDER_DAYS``,
default 60, 30 and 7, passed through ``create_app(config=...)``).

For each licence and signed contract that expires within a threshold, and each
communication-log follow-up that falls due (threshold 0), the daily job
writes one :class:`Reminder` per threshold crossed (console notice and follow-up task
for the supplier's ``owner_role``) and e-mails that role's users when
``SUPPLIERS_SMTP_HOST`` is set.  The row's unique key (kind, item, threshold) makes a
reminder fire once however often the job runs.  When several thresholds are crossed
at once (the job was down), all are recorded and one mail is sent.  A failing mail
server rolls the row back, so the next run tries again.
"""
from __future__ import annotations

import datetime as dt
import smtplib
from email.message import EmailMessage

import peewee
from flask import current_app

from zhanggui import _, database, write_transaction

from ..contracts.models import Contract
from ..directory.models import Communication, Licence, Supplier
from .models import Reminder

DEFAULT_DAYS = (60, 30, 7)


def thresholds() -> list[int]:
    days = current_app.config.get("SUPPLIERS_REMINDER_DAYS") or DEFAULT_DAYS
    return sorted({int(d) for d in days if 0 <= int(d) <= 3650}, reverse=True)


def role_emails(role: str) -> list[str]:
    sm = current_app.extensions["zhanggui"].appbuilder.sm
    user = sm.user_model
    found = sm.session.query(user).filter(user.roles.any(name=role),
                                              user.active.is_(True)).all()
    return sorted({u.email for u in found if u.email})


def send_mail(recipients: list[str], subject: str, body: str) -> None:
    host = current_app.config.get("SUPPLIERS_SMTP_HOST")
    if not host or not recipients:
        return
    message = EmailMessage()
    message["From"] = current_app.config.get("SUPPLIERS_MAIL_FROM", "zhanggui@localhost")
    message["To"] = ", ".join(recipients)
    message["Subject"] = subject
    message.set_content(body)
    with smtplib.SMTP(host, int(current_app.config.get("SUPPLIERS_SMTP_PORT", 25)),
                      timeout=30) as smtp:
        smtp.send_message(message)


def _due_items(today: dt.date, days: list[int]):
    """``(kind, item id, due day, role, store, subject, thresholds crossed)``."""
    last = today + dt.timedelta(days=days[0] if days else 0)

    def crossed(due):
        return [d for d in days if (due - today).days <= d]

    licences = (Licence.select(Licence, Supplier).join(Supplier)
                .where((Licence.expires_on >= today) & (Licence.expires_on <= last)))
    for lic in licences:
        subject = _("Licence %(number)s of %(supplier)s expires on %(day)s",
                    number=lic.number, supplier=lic.supplier.name, day=lic.expires_on)
        yield ("licence", lic.id, lic.expires_on, lic.supplier.owner_role, None, subject,
               crossed(lic.expires_on))
    contracts = (Contract.select(Contract, Supplier).join(Supplier)
                 .where((Contract.status == "active") & (Contract.ends_on >= today)
                        & (Contract.ends_on <= last)))
    for c in contracts:
        subject = _("Contract %(code)s with %(supplier)s ends on %(day)s",
                    code=c.code, supplier=c.supplier.name, day=c.ends_on)
        yield ("contract", c.id, c.ends_on, c.supplier.owner_role, c.store_code, subject,
               crossed(c.ends_on))
    # follow-ups of the communication log: once, on the day they fall due (or later)
    talks = (Communication.select(Communication, Supplier).join(Supplier)
             .where((Communication.follow_up_done == False)  # noqa: E712
                    & (Communication.follow_up_on <= today)))
    for talk in talks:
        subject = _("Follow up with %(supplier)s: %(subject)s",
                    supplier=talk.supplier.name, subject=talk.subject)
        yield ("follow_up", talk.id, talk.follow_up_on, talk.supplier.owner_role, None,
               subject, [0])


def remind(kind: str, item_id: int, thresholds_crossed: list[int], role: str,
           store: str | None, subject: str, due: dt.date, body: str) -> int:
    """Write the reminders of ``item_id`` not written yet (one per threshold) and mail
    the role once; returns how many were new.  Raises when the mail fails (the rows
    roll back with the caller's transaction)."""
    new = []
    for threshold in thresholds_crossed:
        try:
            with database.atomic():
                Reminder.create(kind=kind, item_id=item_id, threshold=threshold, role=role,
                                store_code=store, subject=subject[:200], due_on=due)
            new.append(threshold)
        except peewee.IntegrityError:
            continue
    if new:
        recipients = role_emails(role)
        send_mail(recipients, subject, subject + "\n\n" + body)
        Reminder.update(emailed_to=len(recipients)).where(
            (Reminder.kind == kind) & (Reminder.item_id == item_id)
            & (Reminder.threshold.in_(new))).execute()
    return len(new)


def send_reminders(today: dt.date | None = None) -> int:
    """The daily job; returns how many reminders were newly written."""
    today = today or dt.date.today()
    days = thresholds()
    written = 0
    for kind, item_id, due, role, store, subject, crossed in _due_items(today, days):
        if not crossed:
            continue
        body = _("%(days)s day(s) left. Follow it up under Suppliers → Reminders.",
                 days=max((due - today).days, 0))
        try:
            with write_transaction():
                written += remind(kind, item_id, crossed, role, store, subject, due, body)
        except (OSError, smtplib.SMTPException):
            current_app.logger.warning("reminder mail failed for %s %s", kind, item_id)
    return written
