"""Expiry reminders: one row per item and threshold, which is at once the console
notice, the record that it was sent (the unique key makes it fire once across job
reruns) and the follow-up task (``done``)."""
from __future__ import annotations

import peewee

from zhanggui import Model, UTCDateTimeField, _l, utcnow

REMINDER_KINDS = (("licence", _l("Licence expiry")), ("contract", _l("Contract expiry")),
                  ("follow_up", _l("Supplier follow-up")), ("grade", _l("Counter grade")))


class Reminder(Model):
    kind = peewee.CharField(max_length=20, choices=REMINDER_KINDS,
                            verbose_name=_l("Reminder kind"))
    item_id = peewee.IntegerField(verbose_name=_l("Item"))
    threshold = peewee.IntegerField(verbose_name=_l("Days before expiry"))
    role = peewee.CharField(max_length=64, verbose_name=_l("Responsible role"))
    store_code = peewee.CharField(max_length=20, null=True, index=True,
                                  verbose_name=_l("Store code"))
    subject = peewee.CharField(max_length=200, verbose_name=_l("Subject"))
    due_on = peewee.DateField(verbose_name=_l("Expires on"))
    emailed_to = peewee.IntegerField(default=0, verbose_name=_l("E-mails sent"))
    done = peewee.BooleanField(default=False, verbose_name=_l("Follow-up done"))
    created_at = UTCDateTimeField(default=utcnow, verbose_name=_l("Created at"))

    class Meta:
        table_name = "suppliers_reminder"
        indexes = ((("kind", "item_id", "threshold"), True),)


REMINDER_MODELS = [Reminder]
