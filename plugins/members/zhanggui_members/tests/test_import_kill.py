"""Killing ``zhanggui members import`` in the middle leaves nothing of the file."""
import csv
import os
import signal
import subprocess
import sys
import time

from zhanggui_members.io.models import ImportRun
from zhanggui_members.profile.models import Member
from zhanggui_members.profile.services import register_member
from zhanggui_members.tests.helpers import make_store

ROWS = 200_000


def test_an_import_killed_while_storing_leaves_no_row_of_the_file(make_app, database_url,
                                                                   tmp_path):
    app = make_app(plugins=["members"])
    with app.app_context():
        make_store("SH01")
        register_member(name="老会员", phone="13700000000")
    path = tmp_path / "members.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["姓名", "手机号", "会员卡号", "所属门店"])
        out.writerows([f"会员{i}", f"139{i:08d}", f"88{i:010d}", "SH01"] for i in range(ROWS))
    env = dict(os.environ, ZHANGGUI_DATABASE_URL=database_url,
               ZHANGGUI_SECRET_KEY="test-secret-key", ZHANGGUI_PLUGINS="members",
               ZHANGGUI_INSTANCE_PATH=str(tmp_path / "instance"),
               ZHANGGUI_QUEUE_URL="immediate://", LANG="en_US.UTF-8", LANGUAGE="en")
    process = subprocess.Popen(
        [sys.executable, "-c", "from zhanggui.cli import main; main()", "members", "import",
         str(path)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen = []
    try:
        deadline = time.monotonic() + 300
        for line in process.stderr:
            seen.append(line)
            # a progress line of the writing phase: the transaction is open
            if line.startswith("Storing members") and "/" in line:
                break
            assert time.monotonic() < deadline, seen
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert any(line.startswith("Checking rows") for line in seen), seen
    assert seen and seen[-1].startswith("Storing members"), seen
    assert process.returncode == -signal.SIGKILL, (process.returncode, seen)

    with app.app_context():
        assert Member.select().count() == 1
        assert not Member.select().where(Member.card_no.startswith("88")).exists()
        assert ImportRun.select().count() == 0
    # the database is not left locked: the next write goes through
    with app.app_context():
        register_member(name="新会员", phone="13600000000")
        assert Member.select().count() == 2
