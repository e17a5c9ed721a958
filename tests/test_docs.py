"""The hook reference and the test suite keep up with zhanggui.hookspecs."""
import inspect
import re
from pathlib import Path

import pytest

from zhanggui import hookspecs

ROOT = Path(__file__).resolve().parent.parent
HOOKS = sorted(name for name, obj in vars(hookspecs).items()
               if name.startswith("zhanggui_") and inspect.isfunction(obj))


def test_every_hook_has_a_documented_contract():
    for name in HOOKS:
        doc = inspect.getdoc(getattr(hookspecs, name)) or ""
        assert len(doc) > 60, f"{name} needs a docstring saying when it is called and returns"
        opts = getattr(hookspecs, name).zhanggui_spec
        if opts.get("firstresult"):
            assert "firstresult" in doc, f"{name} is firstresult and must say so"


@pytest.fixture(scope="module")
def reference():
    return (ROOT / "docs" / "hooks.md").read_text("utf-8")


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_is_in_the_reference(reference, hook):
    assert re.search(rf"^## {hook}\b", reference, re.M), f"docs/hooks.md lacks '## {hook}'"


def test_the_reference_names_no_hook_that_does_not_exist(reference):
    documented = re.findall(r"^## (zhanggui_\w+)", reference, re.M)
    assert sorted(set(documented) - set(HOOKS)) == []


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_is_exercised_by_a_test(hook):
    """Each hook name must appear in a test module other than this one."""
    tests = [p for p in list((ROOT / "tests").rglob("test_*.py")) +
             list((ROOT / "plugins").rglob("tests/test_*.py"))
             if p.name != "test_docs.py"]
    assert any(hook in p.read_text("utf-8") for p in tests), f"no test exercises {hook}"


def test_every_hook_has_the_project_prefix():
    names = [n for n, o in vars(hookspecs).items()
             if inspect.isfunction(o) and hasattr(o, "zhanggui_spec")]
    assert names and all(n.startswith("zhanggui_") for n in names)


def test_the_event_values_in_the_reference_are_the_ones_the_code_declares(reference):
    from zhanggui.docgen import rewrite

    assert reference == rewrite(reference), (
        "docs/hooks.md is stale: run python -m zhanggui.docgen docs/hooks.md")


@pytest.mark.parametrize("doc", ["plugins.md", "hooks.md"])
def test_every_python_example_in_the_guides_is_valid_python(doc):
    text = (ROOT / "docs" / doc).read_text("utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert blocks
    for block in blocks:
        if block.startswith("def ") and not block.rstrip().endswith((":", "...")) \
                and "\n\n" not in block.strip():
            block = block.strip() + ": ..."  # a hook's signature
        compile(block, f"docs/{doc}", "exec")
