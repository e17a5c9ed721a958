"""No template, HTML, CSS, JS or SVG file the console ships or serves, and no page it
renders, references a host other than the one serving it (``http://``, ``https://``,
protocol-relative ``//host``, ``@import url()``, fonts).

Files checked: the core's templates and static files, every installed plugin's
package, and every folder a blueprint of the live app serves templates or static
files from (Flask-AppBuilder's among them).  A file of Flask-AppBuilder that does
reach the internet must be withheld: not served (404) and, for a template, replaced
by one of ours.  The browser test (tests/browser/test_console_shell_in_browser.py)
watches what a real browser fetches; this one reads every file, including those no
page happens to load today.
"""
from __future__ import annotations

import re
from pathlib import Path

import flask_appbuilder
import pytest

ROOT = Path(__file__).resolve().parents[3]
FAB = Path(flask_appbuilder.__file__).parent
SUFFIXES = {".html", ".htm", ".jinja", ".jinja2", ".css", ".js", ".mjs", ".svg"}

HOST_REF = re.compile(r"(?<![\w.])(?:https?:)?//([a-z0-9](?:[a-z0-9-]*[a-z0-9])?"
                      r"(?:\.[a-z0-9-]+)*\.[a-z]{2,})", re.I)
# XML namespace names and DOCTYPE system ids are identifiers browsers never fetch
NAMESPACE = re.compile(r"https?://www\.w3\.org/(?:2000/svg|1999/xlink|1999/xhtml|"
                       r"XML/1998/namespace|2000/xmlns/?|Graphics/SVG/1\.1/DTD/svg11\.dtd)",
                       re.I)
BLOCK_COMMENT = re.compile(r"/\*.*?\*/", re.S)         # CSS, and license banners of JS
HTML_COMMENT = re.compile(r"<!--.*?-->|\{#.*?#\}", re.S)
SOURCE_MAP = re.compile(r"[#@]\s*sourceMappingURL=\S+")

#: vendored files whose foreign URLs are never fetched, with the reason
NEVER_FETCHED = {
    FAB / "static/appbuilder/js/swagger-ui-bundle.js":
        "Swagger UI's bundle holds links to its docs and JSON-schema ids as strings; our "
        "swagger.html sets validatorUrl: null and the BaseLayout, so it fetches only our "
        "/api/v1/_openapi (the browser test opens /swagger/v1)",
}


def foreign_hosts(path: Path, text: str) -> list[str]:
    """Hosts ``text`` (the content of ``path``) references outside comments."""
    suffix = path.suffix.lower()
    text = NAMESPACE.sub("", text)
    text = SOURCE_MAP.sub("", text)
    if suffix in (".css", ".js", ".mjs"):
        text = BLOCK_COMMENT.sub("", text)
    else:
        text = HTML_COMMENT.sub("", text)
    return sorted({m.group(1).lower() for m in HOST_REF.finditer(text)})


def test_the_check_finds_every_kind_of_foreign_reference():
    css = Path("x.css")
    assert foreign_hosts(css, '@import url("https://fonts.example.net/css?f=Lato");') \
        == ["fonts.example.net"]
    assert foreign_hosts(css, "@font-face{src:url(//static.example.net/a.woff2)}") == \
        ["static.example.net"]
    assert foreign_hosts(css, "/*! Bootstrap | https://docs.example.com */ a{}") == []
    html = Path("x.html")
    assert foreign_hosts(html, '<script src="http://cdn.example.com/x.js"></script>') == \
        ["cdn.example.com"]
    assert foreign_hosts(html, '<a href="/static/x">x</a><svg xmlns="http://www.w3.org/2000/svg">') \
        == []
    js = Path("x.js")
    assert foreign_hosts(js, 'fetch("https://api.example.org/v1")') == ["api.example.org"]
    assert foreign_hosts(js, "a=1;//# sourceMappingURL=x.js.map") == []


def _shipped_and_served(app) -> dict[Path, str]:
    """Every checked file, with who ships it ("core", a plugin, "served")."""
    folders: list[tuple[str, Path]] = [("core", ROOT / "core/zhanggui/templates"),
                                       ("core", ROOT / "core/zhanggui/static")]
    for plugin in app.extensions["zhanggui"].plugins.pm.get_plugins():
        module_file = getattr(plugin, "__file__", None)
        if module_file:
            folders.append((getattr(plugin, "name", str(plugin)), Path(module_file).parent))
    for name, blueprint in [("app", app)] + sorted(app.blueprints.items()):
        for sub in (blueprint.template_folder, blueprint.static_folder):
            if sub:
                folders.append((f"served by {name}", Path(blueprint.root_path) / sub))
    files = {}
    for owner, folder in folders:
        if not folder.is_dir():
            continue
        for path in folder.rglob("*"):
            if path.suffix.lower() in SUFFIXES and "tests" not in path.parts \
                    and path.is_file():
                files.setdefault(path.resolve(), owner)
    return files


def _withheld(app, path: Path) -> bool:
    """A Flask-AppBuilder file the app neither serves nor renders."""
    if FAB not in path.parents:
        return False
    relative = path.relative_to(FAB)
    if relative.parts[0] == "static":
        url = "/static/" + "/".join(relative.parts[1:])
        return app.test_client().get(url).status_code == 404
    if relative.parts[0] == "templates":
        name = "/".join(relative.parts[1:])
        _source, filename, _uptodate = app.jinja_env.loader.get_source(app.jinja_env, name)
        return FAB not in Path(filename).resolve().parents
    return False


def test_no_file_shipped_or_served_references_another_host(route_world):
    app = route_world.app
    files = _shipped_and_served(app)
    assert any(FAB in p.parents for p in files), "Flask-AppBuilder's files are checked"
    assert any("zhanggui_members" in str(p) for p in files), "plugins' files are checked"
    problems = []
    with app.app_context():
        for path, owner in sorted(files.items()):
            hosts = foreign_hosts(path, path.read_text("utf-8", errors="replace"))
            if not hosts or path in NEVER_FETCHED or _withheld(app, path):
                continue
            problems.append(f"{path} ({owner}): {', '.join(hosts)}")
    assert problems == [], "files referencing other hosts:\n" + "\n".join(problems)


@pytest.mark.parametrize("path", ["/static/appbuilder/js/google_charts.js",
                                  "/static/appbuilder/css/themes/cosmo.css",
                                  "/static/appbuilder/css/../js/google_charts.js"])
def test_flask_appbuilders_internet_bound_files_are_not_served(route_world, path):
    assert route_world.app.test_client().get(path).status_code == 404


def test_the_files_the_console_needs_are_still_served(route_world):
    client = route_world.app.test_client()
    for path in ("/static/appbuilder/css/bootstrap.min.css",
                 "/static/appbuilder/js/swagger-ui-bundle.js",
                 "/static/zhanggui/vendor/chart.umd.min.js"):
        response = client.get(path)
        assert response.status_code == 200, path
        response.close()


def test_no_rendered_page_references_another_host(route_world):
    """Every page a head-office admin can open without a stand-in parameter: the
    dashboard, lists, show pages of a real record, add and edit forms, Swagger UI."""
    client = route_world.clients["Head-office admin"]
    problems, pages = [], 0
    from zhanggui.console.routemap import example_url

    with route_world.app.app_context():
        # signing out would end the shared admin session; GET deletes are refused
        targets = [example_url(r) for r in route_world.routes
                   if r.method == "GET" and not r.endpoint.endswith(
                       ("static", ".logout", ".delete", ".autocomplete"))]
    for url in sorted(set(filter(None, targets))) + ["/login/"]:
        response = client.get(url)
        if "html" not in response.content_type or response.status_code != 200:
            continue
        pages += 1
        hosts = foreign_hosts(Path("page.html"), response.get_data(as_text=True))
        if hosts:
            problems.append(f"{url}: {', '.join(hosts)}")
    assert pages > 20
    assert problems == [], "\n".join(problems)
