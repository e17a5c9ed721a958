"""`zhanggui plugin new` writes a plugin that installs, lists, migrates and tests green."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from zhanggui.scaffold import ScaffoldError, scaffold

BIN = Path(sys.executable).parent


@pytest.mark.parametrize("name, dist, pkg, plugin", [
    ("shelf_talker", "zhanggui-shelf-talker", "zhanggui_shelf_talker", "shelf_talker"),
    # a vendor's own distribution name (PEP 503) is kept, nothing renamed by hand
    ("acme-shelf-notes", "acme-shelf-notes", "acme_shelf_notes", "acme_shelf_notes"),
])
def test_a_scaffolded_plugin_installs_lists_migrates_and_passes_its_tests(
        tmp_path, database_url, name, dist, pkg, plugin):
    out = subprocess.run([str(BIN / "zhanggui"), "plugin", "new", name,
                          "--directory", str(tmp_path)], capture_output=True, text=True,
                         timeout=60, env=dict(os.environ, LANG="en_US.UTF-8"))
    assert out.returncode == 0, out.stderr
    source = tmp_path / dist
    for lang in ("zh_CN", "zh_TW", "en"):
        assert (source / pkg / "translations" / lang / "LC_MESSAGES" /
                f"{pkg}.po").exists(), lang
    site = tmp_path / "site"
    # installed into a folder of its own so the rest of the suite never sees it
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps",
                    "--no-build-isolation", "--target", str(site), str(source)],
                   check=True, timeout=300, capture_output=True)
    env = dict(os.environ, PYTHONPATH=str(site), LANG="en_US.UTF-8",
               ZHANGGUI_DATABASE_URL=database_url,
               ZHANGGUI_INSTANCE_PATH=str(tmp_path / "instance"))
    listed = subprocess.run([str(BIN / "zhanggui"), "plugins", "list", "--json"], env=env,
                            capture_output=True, text=True, timeout=120)
    assert listed.returncode == 0, listed.stderr
    plugins = {p["name"]: p for p in json.loads(listed.stdout)}
    assert plugins[plugin]["distribution"] == dist
    assert plugins[plugin]["enabled"]
    _make_translations_covers_it(site, env, pkg)

    migrated = subprocess.run([str(BIN / "zhanggui"), "migrate"], env=env,
                              capture_output=True, text=True, timeout=120)
    assert migrated.returncode == 0, migrated.stderr
    assert f"applied {plugin}:0001_initial" in migrated.stdout

    tests = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                            "-p", "no:xdist", str(source / "tests")], env=env, cwd=source,
                           capture_output=True, text=True, timeout=300)
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "5 passed" in tests.stdout


def _make_translations_covers_it(site, env, pkg):
    """`make translations` runs `python -m zhanggui.catalogs --update --installed`: the
    installed plugin's folder is among those it works on, found by its hook."""
    folder = site / pkg / "translations"
    listed = subprocess.run([sys.executable, "-m", "zhanggui.catalogs", "--list",
                             "--installed"], env=env, capture_output=True, text=True,
                            timeout=120)
    assert listed.returncode == 0, listed.stderr
    assert f"{pkg}\t{folder.resolve()}" in listed.stdout.splitlines()
    assert "zhanggui\t" in listed.stdout  # and the core's own
    checked = subprocess.run([sys.executable, "-m", "zhanggui.catalogs", "--check",
                              str(folder)], env=env, capture_output=True, text=True,
                             timeout=120)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    compiled = subprocess.run([sys.executable, "-m", "zhanggui.catalogs", "--installed"],
                              env=env, capture_output=True, text=True, timeout=120)
    assert compiled.returncode == 0, compiled.stderr
    for lang in ("zh_CN", "zh_TW", "en"):
        assert (folder / lang / "LC_MESSAGES" / f"{pkg}.mo").exists(), lang


def test_a_distribution_name_is_kept_and_its_package_follows_it(tmp_path):
    folder = scaffold("acme-giftcards", tmp_path)
    assert folder.name == "acme-giftcards"
    setup = (folder / "setup.cfg").read_text()
    assert "name = acme-giftcards" in setup
    assert "acme_giftcards = acme_giftcards.plugin" in setup
    assert (folder / "acme_giftcards" / "plugin.py").exists()
    assert (folder / "acme_giftcards" / "translations" / "zh_TW" / "LC_MESSAGES"
            / "acme_giftcards.mo").exists()


@pytest.mark.parametrize("name", ["Shelf", "1shelf", "-shelf", "class", "x", "shelf talker"])
def test_a_bad_plugin_name_is_refused(tmp_path, name):
    with pytest.raises(ScaffoldError, match="must be 2-40 lower-case letters"):
        scaffold(name, tmp_path)


def test_an_existing_folder_is_never_overwritten(tmp_path):
    scaffold("shelf", tmp_path)
    with pytest.raises(ScaffoldError, match="exists already"):
        scaffold("shelf", tmp_path)
