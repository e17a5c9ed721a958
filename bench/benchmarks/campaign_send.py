"""Campaign e-mail: messages per second through a real SMTP server, and the live count
of an audience, each beside its baseline in the same run.

Ours: the demo chain's members with an address and e-mail consent (about 100,000 at
the large size) as one campaign, launched (snapshot and control group), then sent by
two ``zhanggui campaigns send`` worker processes at once, as two huey consumers would:
claim, consent check at send time, frequency cap, compose (text, HTML, tracked links,
unsubscribe headers), record each as sent before SMTP's end of data.  The server is
aiosmtpd's ``Sink`` in a process of its own.

Baseline: a bare ``smtplib`` loop sending the same number of pre-built messages over
one connection to the same server: what the server and the protocol cost alone.

Audience count: a three-condition audience (lifecycle, value group OR spend, NOT a
store) counted by ``zhanggui_campaigns.audiences.definition.count``, against the same
count written by hand in SQL with joins.
"""
from __future__ import annotations

import json
import socket
import statistics
import subprocess
import sys
import time
from email.message import EmailMessage

from bench import datasets
from bench.harness import Benchmark, Figure

AUDIENCE = {"all": [
    {"criterion": "members.lifecycle", "op": "in", "value": ["active", "dormant"]},
    {"any": [{"criterion": "members.value_group", "op": "in", "value": ["loyal", "growing"]},
             {"criterion": "members.spend_365", "op": ">=", "value": 500}]},
    {"not": {"criterion": "members.region", "op": "in", "value": ["华南"]}}]}

HAND_SQL = """
SELECT count(*) FROM members_member m
WHERE m.erased_at IS NULL AND m.merged_into_id IS NULL
  AND m.lifecycle_stage IN ('active', 'dormant')
  AND (EXISTS (SELECT 1 FROM members_member_score s WHERE s.member_id = m.id
                AND s.value_group IN ('loyal', 'growing'))
       OR m.id IN (SELECT p.member_id FROM members_purchase p
                   WHERE p.member_id IS NOT NULL AND p.occurred_at >= {since}
                   GROUP BY p.member_id HAVING sum(p.total - p.refunded_amount) >= 500))
  AND NOT EXISTS (SELECT 1 FROM members_store st WHERE st.id = m.home_store_id
                  AND st.region = '华南')
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class CampaignSend(Benchmark):
    title = "campaign e-mail: two send workers vs a bare smtplib loop; audience count vs SQL"

    def setup(self, size, db):
        super().setup(size, db)
        from zhanggui.app import create_app

        self.url = db.dataset(size)
        self.port = _free_port()
        self.sink = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-l",
                                      f"127.0.0.1:{self.port}", "-c", "aiosmtpd.handlers.Sink"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.app = create_app({**datasets.app_config(self.url, db.instance),
                               "MARKETING_QUIET_HOURS": "", "MARKETING_RATE_EMAIL": 0,
                               "MARKETING_FREQUENCY_CAPS": ""})
        self.context = self.app.app_context()
        self.context.push()
        from zhanggui_campaigns.audiences.models import Audience
        from zhanggui_campaigns.sending.launch import launch
        from zhanggui_campaigns.sending.models import Campaign, CampaignMessage

        everyone = Audience.create(name="bench: everyone", definition=json.dumps(
            {"all": [{"criterion": "members.bought_within", "op": "within", "value": 3650}]}))
        campaign = Campaign.create(name="bench", channel="email", audience=everyone,
                                   holdout_percent=0, seed=1)
        CampaignMessage.create(campaign=campaign, language="zh_CN", subject="会员日",
                               body="{name}您好！会员日双倍积分 https://shop.example.com/day")
        started = time.perf_counter()
        self.recipients = launch(campaign.id, start_jobs=False)
        self.launch_seconds = time.perf_counter() - started
        self.campaign_id = campaign.id
        time.sleep(0.5)  # the sink is listening

    def run(self):
        from zhanggui_campaigns.audiences.definition import count, parse
        from zhanggui_campaigns.sending.models import Recipient

        env = datasets.app_env(self.url, self.db.instance)
        env.update(ZHANGGUI_MARKETING_SMTP_URL=f"smtp://127.0.0.1:{self.port}",
                   ZHANGGUI_MARKETING_RATE_EMAIL="0", ZHANGGUI_MARKETING_QUIET_HOURS="",
                   ZHANGGUI_MARKETING_FREQUENCY_CAPS="")
        command = [sys.executable, "-c", "from zhanggui.cli import main; main()",
                   "campaigns", "send", str(self.campaign_id), "--chunk", "500"]
        workers = [subprocess.Popen(command + ["--worker", f"bench-{n}"], env=env,
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
                   for n in range(2)]
        outputs = [w.communicate()[0].decode() for w in workers]
        if any(w.returncode for w in workers):
            raise RuntimeError("a send worker failed:\n" + "\n".join(outputs))
        # each worker times its own sending (start-up of the process is not sending)
        seconds = max(json.loads(o.strip().splitlines()[-1])["seconds"] for o in outputs)
        self.sent = Recipient.select().where((Recipient.campaign == self.campaign_id)
                                             & (Recipient.status == "sent")).count()
        tree = parse(AUDIENCE)
        times = []
        for _ in range(5):
            t = time.perf_counter()
            self.audience = count(tree)
            times.append(time.perf_counter() - t)
        return [Figure("rate", f"sent by two workers ({self.sent} of {self.recipients} "
                               f"recipients; launch {self.launch_seconds:.1f} s)",
                       self.sent / seconds, "/s", better="higher"),
                Figure("count_s", f"audience count ({self.audience} members), median of 5",
                       statistics.median(times), "s")]

    def baseline(self):
        import smtplib

        from zhanggui import database

        n = max(self.sent, 1)
        message = EmailMessage()
        message["From"], message["Subject"] = "marketing@localhost", "会员日"
        message["To"] = "m@example.com"
        message.set_content("您好！会员日双倍积分 https://shop.example.com/day")
        data = message.as_bytes()
        smtp = smtplib.SMTP("127.0.0.1", self.port)
        started = time.perf_counter()
        for i in range(n):
            smtp.sendmail("marketing@localhost", [f"m{i}@example.com"], data)
        seconds = time.perf_counter() - started
        smtp.quit()
        since = "now() - interval '365 days'" if self.db.kind == "postgresql" else \
            "strftime('%Y-%m-%d %H:%M:%S', 'now', '-365 days')"
        times = []
        for _ in range(5):
            t = time.perf_counter()
            database.execute_sql(HAND_SQL.format(since=since)).fetchone()
            times.append(time.perf_counter() - t)
        return [Figure("rate", f"bare smtplib loop, one connection ({n} messages)",
                       n / seconds, "/s", better="higher"),
                Figure("count_s", "the same count in hand-written SQL, median of 5",
                       statistics.median(times), "s")]

    def teardown(self):
        sink = getattr(self, "sink", None)
        if sink is not None:
            sink.kill()
            sink.wait()
        context = getattr(self, "context", None)
        if context is not None:
            from zhanggui.testing import _close

            _close(self.app)
            context.pop()
