"""The `zhanggui` command line, run as a real process the way operators run it."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ZHANGGUI = str(Path(sys.executable).parent / "zhanggui")
SEVEN = {"members", "loyalty", "campaigns", "callcenter", "suppliers", "office", "search"}


@pytest.fixture
def run(tmp_path, database_url):
    def run(*args, env=None, check=True):
        full_env = dict(os.environ, LANG="en_US.UTF-8", ZHANGGUI_DATABASE_URL=database_url,
                        ZHANGGUI_INSTANCE_PATH=str(tmp_path / "instance"),
                        ZHANGGUI_QUEUE_URL="immediate://")
        full_env.update(env or {})
        full_env.pop("LC_ALL", None)
        result = subprocess.run([ZHANGGUI, *args], env=full_env, capture_output=True,
                                text=True, timeout=300, stdin=subprocess.DEVNULL)
        if check:
            assert result.returncode == 0, result.stdout + result.stderr
        return result
    return run


def test_plugins_list_shows_all_seven_with_versions_and_requirements(run):
    listed = {p["name"]: p for p in json.loads(run("plugins", "list", "--json").stdout)}
    assert SEVEN <= set(listed)
    assert listed["loyalty"]["requires"] == ["members"]
    assert all(listed[name]["version"] == "0.1.0" for name in SEVEN)
    table = run("plugins", "list").stdout
    assert "loyalty" in table and "members" in table and "enabled" in table


def test_a_disabled_plugin_is_listed_as_disabled(run):
    out = run("plugins", "list", "--json", env={"ZHANGGUI_DISABLED_PLUGINS": "search"}).stdout
    listed = {p["name"]: p for p in json.loads(out)}
    assert listed["search"]["enabled"] is False


def test_start_up_errors_are_one_clear_line_and_exit_non_zero(run):
    result = run("plugins", "list", env={"ZHANGGUI_PLUGINS": "loyalty"}, check=False)
    assert result.returncode == 2
    assert "Error: plugin 'loyalty' requires plugin 'members', which is disabled" in result.stderr
    assert "Traceback" not in result.stderr
    result = run("plugins", "list", env={"ZHANGGUI_TIMEZONE": "Nowhere/Land"}, check=False)
    assert result.returncode == 2
    assert "ZHANGGUI_TIMEZONE is malformed" in result.stderr


def test_init_then_create_admin_without_prompts(run):
    out = run("init").stdout
    assert "the database is up to date" in out
    assert "0 step(s) pending" in run("migrate", "--plan").stdout
    run("create-admin", "--username", "boss", "--password", "a-long-password-1")
    again = run("create-admin", "--username", "boss", "--password", "a-long-password-1",
                check=False)
    assert again.returncode == 1
    assert "A user named boss exists already." in again.stderr


def test_create_admin_refuses_a_short_password(run):
    run("init")
    result = run("create-admin", "--username", "boss", "--password", "short", check=False)
    assert result.returncode == 1
    assert "at least 10 characters" in result.stderr


def test_cli_messages_follow_the_terminal_language(run):
    run("init")
    out = run("migrate", "--plan", env={"LANG": "zh_TW.UTF-8"}).stdout
    assert "尚有 0 個步驟待執行。" in out
    out = run("migrate", "--plan", env={"LANG": "zh_CN.UTF-8"}).stdout
    assert "还有 0 个步骤待执行。" in out


def test_flask_cli_runs_the_same_commands(tmp_path, database_url):
    env = dict(os.environ, LANG="en_US.UTF-8", ZHANGGUI_DATABASE_URL=database_url,
               ZHANGGUI_INSTANCE_PATH=str(tmp_path / "instance"))
    flask = str(Path(sys.executable).parent / "flask")
    result = subprocess.run([flask, "--app", "zhanggui.app:create_app", "plugins", "list"],
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "loyalty" in result.stdout
