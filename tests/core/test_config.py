"""Settings: defaults, environment, config file, and errors that name the setting."""
import os
import stat

import pytest

from zhanggui.config import ConfigError, load_settings, resolve_instance


def test_an_unknown_environment_setting_stops_start_up_naming_it():
    with pytest.raises(ConfigError, match="unknown setting ZHANGGUI_DATABSE_URL") as err:
        load_settings(environ={"ZHANGGUI_DATABSE_URL": "sqlite:///x.db"})
    assert "did you mean ZHANGGUI_DATABASE_URL" in str(err.value)


@pytest.mark.parametrize("name, value, message", [
    ("ZHANGGUI_TIMEZONE", "Mars/Olympus", "ZHANGGUI_TIMEZONE is malformed: unknown time zone"),
    ("ZHANGGUI_DATABASE_URL", "oracle://x", "ZHANGGUI_DATABASE_URL is malformed"),
    ("ZHANGGUI_LANGUAGES", "zh_CN,fr", "ZHANGGUI_LANGUAGES is malformed: choose among"),
    ("ZHANGGUI_TRACE_HOOKS", "maybe", "ZHANGGUI_TRACE_HOOKS is malformed: expected true or false"),
    ("ZHANGGUI_QUEUE_URL", "amqp://x", "ZHANGGUI_QUEUE_URL is malformed"),
    ("ZHANGGUI_ANONYMOUS_POS_MEMBERS", "guest", "ZHANGGUI_ANONYMOUS_POS_MEMBERS is malformed: "
                                                "choose potential or anonymous"),
])
def test_a_malformed_setting_stops_start_up_naming_it(name, value, message):
    with pytest.raises(ConfigError, match=message):
        load_settings(environ={name: value})


def test_settings_come_from_a_toml_file_then_the_environment(tmp_path):
    path = tmp_path / "zhanggui.toml"
    path.write_text('timezone = "Asia/Taipei"\ndefault_language = "zh_TW"\n', "utf-8")
    settings = load_settings(environ={"ZHANGGUI_CONFIG": str(path),
                                      "ZHANGGUI_DEFAULT_LANGUAGE": "en"})
    assert settings["TIMEZONE"] == "Asia/Taipei"
    assert settings["DEFAULT_LANGUAGE"] == "en"  # the environment wins over the file


def test_a_bad_key_in_the_config_file_names_the_file(tmp_path):
    path = tmp_path / "zhanggui.toml"
    path.write_text('time_zone = "Asia/Taipei"\n', "utf-8")
    with pytest.raises(ConfigError, match=f"unknown setting TIME_ZONE in {path}"):
        load_settings(environ={"ZHANGGUI_CONFIG": str(path)})


def test_the_secret_key_is_generated_once_and_kept_private(tmp_path):
    first = load_settings({"INSTANCE_PATH": str(tmp_path)}, environ={})
    resolve_instance(first)
    second = load_settings({"INSTANCE_PATH": str(tmp_path)}, environ={})
    resolve_instance(second)
    assert first["SECRET_KEY"] == second["SECRET_KEY"]
    assert len(first["SECRET_KEY"]) >= 48
    mode = stat.S_IMODE(os.stat(tmp_path / "secret_key").st_mode)
    assert mode == 0o600
    other = load_settings({"INSTANCE_PATH": str(tmp_path / "other")}, environ={})
    resolve_instance(other)
    assert other["SECRET_KEY"] != first["SECRET_KEY"]


def test_defaults_live_in_the_instance_folder(tmp_path):
    settings = load_settings({"INSTANCE_PATH": str(tmp_path)}, environ={})
    resolve_instance(settings)
    assert settings["DATABASE_URL"] == f"sqlite:///{tmp_path / 'zhanggui.db'}"
    assert settings["QUEUE_URL"] == f"sqlite:///{tmp_path / 'queue.db'}"
    assert settings["PLUGINS"] is None  # all installed


def test_sqlite_is_opened_with_wal_busy_timeout_and_foreign_keys(app):
    from zhanggui.db import backend

    db = app.extensions["zhanggui"].db
    if backend(db) != "sqlite":
        pytest.skip("SQLite only")
    with app.app_context():
        assert db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
        assert db.execute_sql("PRAGMA busy_timeout").fetchone()[0] == 10000
