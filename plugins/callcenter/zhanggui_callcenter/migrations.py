"""Schema steps of the call-center plugin (frozen copies of the models as they were)."""
from __future__ import annotations

import peewee

from zhanggui import Migration, Model, UTCDateTimeField, utcnow


def initial(ctx):
    class Team(Model):
        name = peewee.CharField(max_length=60, unique=True)
        store_code = peewee.CharField(max_length=20, null=True)
        lead_user_id = peewee.IntegerField(null=True)
        manager_email = peewee.CharField(max_length=254, null=True)

        class Meta:
            table_name = "callcenter_team"

    class Agent(Model):
        user_id = peewee.IntegerField(unique=True)
        display_name = peewee.CharField(max_length=100)
        email = peewee.CharField(max_length=254, null=True)
        extension = peewee.CharField(max_length=20, unique=True)
        team = peewee.ForeignKeyField(Team, null=True)
        active = peewee.BooleanField(default=True)

        class Meta:
            table_name = "callcenter_agent"

    class Call(Model):
        id = peewee.BigAutoField()
        connector = peewee.CharField(max_length=64)
        call_id = peewee.CharField(max_length=64)
        direction = peewee.CharField(max_length=10, default="inbound")
        phone = peewee.CharField(max_length=20, null=True, index=True)
        region = peewee.CharField(max_length=2, null=True)
        member_id = peewee.BigIntegerField(null=True, index=True)
        agent = peewee.ForeignKeyField(Agent, null=True)
        extension = peewee.CharField(max_length=20, null=True)
        state = peewee.CharField(max_length=10, default="ringing")
        started_at = UTCDateTimeField()
        answered_at = UTCDateTimeField(null=True)
        ended_at = UTCDateTimeField(null=True)
        duration_seconds = peewee.IntegerField(null=True)
        recording_url = peewee.CharField(max_length=500, null=True)
        outcome = peewee.CharField(max_length=20, null=True)
        notes = peewee.TextField(null=True)

        class Meta:
            table_name = "callcenter_call"
            indexes = ((("connector", "call_id"), True), (("started_at",), False))

    class CallEvent(Model):
        id = peewee.BigAutoField()
        call = peewee.ForeignKeyField(Call)
        event = peewee.CharField(max_length=10)
        occurred_at = UTCDateTimeField()
        received_at = UTCDateTimeField(default=utcnow)
        request_hash = peewee.CharField(max_length=64)
        response = peewee.TextField()

        class Meta:
            table_name = "callcenter_call_event"
            indexes = ((("call", "event"), True),)

    class PopEvent(Model):
        id = peewee.BigAutoField()
        agent = peewee.ForeignKeyField(Agent)
        call = peewee.ForeignKeyField(Call)
        created_at = UTCDateTimeField(default=utcnow)

        class Meta:
            table_name = "callcenter_pop_event"
            indexes = ((("agent", "id"), False), (("call", "agent"), True))

    class SlaPolicy(Model):
        name = peewee.CharField(max_length=80, unique=True)
        rank = peewee.IntegerField(default=100)
        kinds = peewee.CharField(max_length=200, default="")
        priorities = peewee.CharField(max_length=200, default="")
        tiers = peewee.CharField(max_length=200, default="")
        first_response_minutes = peewee.IntegerField()
        resolution_minutes = peewee.IntegerField()
        region = peewee.CharField(max_length=2, default="CN")
        timezone = peewee.CharField(max_length=50, default="Asia/Shanghai")
        active = peewee.BooleanField(default=True)

        class Meta:
            table_name = "callcenter_sla_policy"

    class WorkingHours(Model):
        policy = peewee.ForeignKeyField(SlaPolicy, on_delete="CASCADE")
        weekday = peewee.IntegerField()
        starts = peewee.CharField(max_length=5)
        ends = peewee.CharField(max_length=5)

        class Meta:
            table_name = "callcenter_sla_hours"

    class Ticket(Model):
        id = peewee.BigAutoField()
        kind = peewee.CharField(max_length=20)
        priority = peewee.CharField(max_length=10, default="normal")
        channel = peewee.CharField(max_length=10, default="phone")
        status = peewee.CharField(max_length=20, default="new")
        subject = peewee.CharField(max_length=200)
        description = peewee.TextField(default="")
        member_id = peewee.BigIntegerField(null=True, index=True)
        member_tier = peewee.CharField(max_length=20, null=True)
        purchase_ref = peewee.CharField(max_length=64, null=True)
        store_code = peewee.CharField(max_length=20, null=True)
        counter_code = peewee.CharField(max_length=20, null=True)
        call = peewee.ForeignKeyField(Call, null=True)
        assignee = peewee.ForeignKeyField(Agent, null=True)
        team = peewee.ForeignKeyField(Team, null=True)
        merged_into = peewee.ForeignKeyField("self", null=True)
        sentiment = peewee.FloatField(null=True)
        created_at = UTCDateTimeField(default=utcnow)
        first_responded_at = UTCDateTimeField(null=True)
        resolved_at = UTCDateTimeField(null=True)
        closed_at = UTCDateTimeField(null=True)
        sla_policy = peewee.ForeignKeyField(SlaPolicy, null=True)
        response_due_at = UTCDateTimeField(null=True)
        resolution_due_at = UTCDateTimeField(null=True)
        paused_at = UTCDateTimeField(null=True)
        response_breached_at = UTCDateTimeField(null=True)
        resolution_breached_at = UTCDateTimeField(null=True)
        updated_at = UTCDateTimeField(default=utcnow)

        class Meta:
            table_name = "callcenter_ticket"
            indexes = ((("status", "resolution_due_at"), False),
                       (("store_code", "created_at"), False))

    class TicketMessage(Model):
        id = peewee.BigAutoField()
        ticket = peewee.ForeignKeyField(Ticket)
        kind = peewee.CharField(max_length=10)
        body = peewee.TextField()
        author_user_id = peewee.IntegerField(null=True)
        author_name = peewee.CharField(max_length=100, default="")
        created_at = UTCDateTimeField(default=utcnow)

        class Meta:
            table_name = "callcenter_ticket_message"

    class TicketAttachment(Model):
        id = peewee.BigAutoField()
        ticket = peewee.ForeignKeyField(Ticket)
        filename = peewee.CharField(max_length=200)
        stored_name = peewee.CharField(max_length=64, unique=True)
        content_type = peewee.CharField(max_length=100)
        size = peewee.IntegerField()
        uploaded_at = UTCDateTimeField(default=utcnow)

        class Meta:
            table_name = "callcenter_ticket_attachment"

    ctx.create_tables([Team, Agent, Call, CallEvent, PopEvent, SlaPolicy, WorkingHours,
                       Ticket, TicketMessage, TicketAttachment])


def escalation_callbacks_csat(ctx):
    class Ticket(Model):
        id = peewee.BigAutoField()

        class Meta:
            table_name = "callcenter_ticket"

    class Agent(Model):
        class Meta:
            table_name = "callcenter_agent"

    class Team(Model):
        class Meta:
            table_name = "callcenter_team"

    class EscalationLevel(Model):
        level = peewee.IntegerField(unique=True)
        percent = peewee.IntegerField()
        notify = peewee.CharField(max_length=10)
        reassign_to_lead = peewee.BooleanField(default=False)

        class Meta:
            table_name = "callcenter_escalation_level"

    class EscalationSent(Model):
        id = peewee.BigAutoField()
        ticket = peewee.ForeignKeyField(Ticket)
        level = peewee.IntegerField()
        reason = peewee.CharField(max_length=20)
        sent_at = UTCDateTimeField(default=utcnow)

        class Meta:
            table_name = "callcenter_escalation_sent"
            indexes = ((("ticket", "level"), True),)

    class Notice(Model):
        id = peewee.BigAutoField()
        user_id = peewee.IntegerField(null=True, index=True)
        email = peewee.CharField(max_length=254, null=True)
        subject = peewee.CharField(max_length=200)
        body = peewee.TextField()
        ticket = peewee.ForeignKeyField(Ticket, null=True)
        created_at = UTCDateTimeField(default=utcnow)
        emailed = peewee.BooleanField(default=False)

        class Meta:
            table_name = "callcenter_notice"

    class CallbackList(Model):
        name = peewee.CharField(max_length=100, unique=True)
        event_name = peewee.CharField(max_length=100, default="")
        tiers = peewee.CharField(max_length=200)
        store_codes = peewee.CharField(max_length=400, default="")
        script = peewee.TextField(default="")
        max_attempts = peewee.IntegerField(default=3)
        due_at = UTCDateTimeField(null=True)
        created_at = UTCDateTimeField(default=utcnow)

        class Meta:
            table_name = "callcenter_callback_list"

    class CallbackTask(Model):
        id = peewee.BigAutoField()
        callback_list = peewee.ForeignKeyField(CallbackList)
        member_id = peewee.BigIntegerField()
        agent = peewee.ForeignKeyField(Agent, null=True)
        state = peewee.CharField(max_length=12, default="pending")
        attempts = peewee.IntegerField(default=0)
        outcome = peewee.CharField(max_length=20, null=True)
        notes = peewee.TextField(default="")
        next_attempt_at = UTCDateTimeField(null=True)
        updated_at = UTCDateTimeField(default=utcnow)

        class Meta:
            table_name = "callcenter_callback_task"
            indexes = ((("callback_list", "member_id"), True), (("agent", "state"), False))

    class CsatSurvey(Model):
        id = peewee.BigAutoField()
        ticket = peewee.ForeignKeyField(Ticket, unique=True)
        token = peewee.CharField(max_length=64, unique=True)
        agent = peewee.ForeignKeyField(Agent, null=True)
        team = peewee.ForeignKeyField(Team, null=True)
        sent_at = UTCDateTimeField(default=utcnow)
        score = peewee.IntegerField(null=True)
        comment = peewee.TextField(default="")
        answered_at = UTCDateTimeField(null=True)

        class Meta:
            table_name = "callcenter_csat_survey"

    ctx.create_tables([EscalationLevel, EscalationSent, Notice, CallbackList, CallbackTask,
                       CsatSurvey])


MIGRATIONS = [
    Migration(name="0001_initial", apply=initial,
              description="agents, teams, call log, screen pops, SLA policies, tickets"),
    Migration(name="0002_escalation_callbacks_csat", apply=escalation_callbacks_csat,
              description="escalation ladder, inbox, callback lists, CSAT surveys"),
]
