"""Background jobs contributed by plugins run on huey with the database open."""
import os
import subprocess
import sys
import time

import peewee
import pytest
from huey import crontab

from zhanggui import Job, Migration, Model, enqueue


class Reminder(Model):
    text = peewee.CharField()

    class Meta:
        table_name = "jobtest_reminder"


def write_reminder(text):
    Reminder.create(text=text)
    return text.upper()


def jobs_plugin(make_plugin):
    return make_plugin(
        "jobtest",
        zhanggui_migrations=lambda: [Migration("0001", lambda ctx: ctx.create_tables([Reminder]))],
        zhanggui_jobs=lambda: [Job("jobtest.remind", write_reminder),
                               Job("jobtest.nightly", lambda: None, schedule=crontab(hour="3"))])


def test_an_enqueued_job_runs_with_the_database(make_app, make_plugin):
    app = make_app(plugins=[], extra_plugins=[jobs_plugin(make_plugin)])
    with app.app_context():
        result = enqueue("jobtest.remind", "call VIP members")
        assert result() == "CALL VIP MEMBERS"
        assert [r.text for r in Reminder.select()] == ["call VIP members"]


def test_periodic_jobs_are_scheduled_on_huey(make_app, make_plugin):
    app = make_app(plugins=[], extra_plugins=[jobs_plugin(make_plugin)])
    huey = app.extensions["zhanggui"].queue.huey
    assert "jobtest.nightly" in {t.__name__ for t in huey._registry._periodic_tasks}


def test_an_unknown_job_name_is_refused_with_the_known_ones(make_app, make_plugin):
    app = make_app(plugins=[], extra_plugins=[jobs_plugin(make_plugin)])
    # the core's own jobs (notifications) are known too, listed before the plugin's
    with app.app_context(), pytest.raises(LookupError, match="no background job named "
                                                            "'jobtest.remnd'; known: .*jobtest"):
        enqueue("jobtest.remnd")


def _redis_queue_url(tmp_path):
    import redis

    url = "redis://127.0.0.1:6379/15"
    try:
        client = redis.Redis.from_url(url)
        client.flushdb()  # database 15 belongs to this test: no task left from a past run
    except redis.exceptions.ConnectionError:
        pytest.fail("Redis is not answering on 127.0.0.1:6379 (.ci/run starts it)")
    return url


@pytest.mark.parametrize("queue", ["sqlite", "redis"])
def test_the_worker_command_consumes_the_queue(tmp_path, database_url, queue):
    """A real consumer process takes a job that the web process queued, through the
    default SQLite queue file or through Redis (several hosts)."""
    plugin_dir = tmp_path / "pkg"
    plugin_dir.mkdir()
    (plugin_dir / "queued_plugin.py").write_text(
        "import peewee\n"
        "from zhanggui import Job, Migration, Model, hookimpl\n"
        "title = 'Queued'\nrequires = ()\n"
        "class Note(Model):\n    text = peewee.CharField()\n"
        "    class Meta:\n        table_name = 'queued_note'\n"
        "def note(text):\n    Note.create(text=text)\n"
        "@hookimpl\ndef zhanggui_migrations():\n"
        "    return [Migration('0001', lambda ctx: ctx.create_tables([Note]))]\n"
        "@hookimpl\ndef zhanggui_jobs():\n    return [Job('queued.note', note)]\n", "utf-8")
    (plugin_dir / "launch.py").write_text(
        "import sys, queued_plugin\nqueued_plugin.name = 'queued'\n"
        "from zhanggui.app import create_app\nfrom zhanggui.cli import register_commands\n"
        "app = create_app({'EXTRA_PLUGINS': [queued_plugin], 'PLUGINS': []})\n"
        "if sys.argv[1] == 'enqueue':\n"
        "    from zhanggui.cli import migrate_command\n"
        "    with app.app_context():\n"
        "        app.test_cli_runner().invoke(migrate_command, catch_exceptions=False)\n"
        "        from zhanggui import enqueue; enqueue('queued.note', 'from the web')\n"
        "else:\n    app.test_cli_runner().invoke(args=['worker', '--workers', '1'],"
        " catch_exceptions=False)\n", "utf-8")
    env = dict(os.environ, PYTHONPATH=str(plugin_dir), ZHANGGUI_DATABASE_URL=database_url,
               ZHANGGUI_INSTANCE_PATH=str(tmp_path / "instance"),
               ZHANGGUI_QUEUE_URL=(f"sqlite:///{tmp_path / 'queue.db'}" if queue == "sqlite"
                                   else _redis_queue_url(tmp_path)))
    subprocess.run([sys.executable, str(plugin_dir / "launch.py"), "enqueue"], env=env,
                   check=True, timeout=120)
    worker = subprocess.Popen([sys.executable, str(plugin_dir / "launch.py"), "worker"], env=env)
    try:
        import peewee as pw
        from playhouse.db_url import connect

        db = connect(database_url)
        deadline = time.monotonic() + 60
        rows = []
        while time.monotonic() < deadline:
            rows = [r[0] for r in db.execute_sql("SELECT text FROM queued_note").fetchall()]
            if rows:
                break
            time.sleep(0.3)
        db.close()
        assert rows == ["from the web"]
    finally:
        worker.terminate()
        worker.wait(timeout=30)
