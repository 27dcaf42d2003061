"""The hook contract is documented: in ``hookspecs.py`` and in ``docs/hooks.md``.

Specification (issue 2): every hook documented, a ``HOOK_API_VERSION``, and a
test that fails when a hook is missing from the hook reference in docs/.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from willkommen_core import hookspecs

HOOKS_MD = Path(__file__).parent.parent / "docs" / "hooks.md"
HOOKS = sorted(
    name
    for name, fn in vars(hookspecs).items()
    if callable(fn) and hasattr(fn, f"{hookspecs.PROJECT}_spec")
)


def documented_sections() -> dict[str, str]:
    """``{hook: text}`` for every section headed ``### `hook(...)` `` in docs/hooks.md."""
    text = HOOKS_MD.read_text(encoding="utf-8")
    parts = re.split(r"^### `(\w+)\(.*?\)`.*$", text, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_the_contract_has_hooks_and_a_version():
    assert "module_info" in HOOKS
    assert len(HOOKS) >= 15
    assert re.fullmatch(r"\d+\.\d+", hookspecs.HOOK_API_VERSION)


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_has_a_docstring(hook):
    doc = inspect.getdoc(getattr(hookspecs, hook)) or ""
    assert len(doc) > 40, f"hook {hook!r} needs a docstring: what, when, arguments, example"


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_has_a_section_in_the_hook_reference(hook):
    sections = documented_sections()
    assert hook in sections, f"docs/hooks.md has no section for hook {hook!r}"
    section = sections[hook]
    assert "@hookimpl" in section, f"the section on {hook!r} has no example"
    params = list(inspect.signature(getattr(hookspecs, hook)).parameters)
    for param in params:
        assert f"`{param}`" in section, f"the section on {hook!r} does not explain {param!r}"
    heading = re.search(rf"^### `{hook}\((.*?)\)`", HOOKS_MD.read_text(encoding="utf-8"), re.M)
    assert heading is not None
    assert [p.strip() for p in heading.group(1).split(",") if p.strip()] == params


def test_the_hook_reference_documents_no_hook_that_does_not_exist():
    assert sorted(documented_sections()) == HOOKS


def test_the_hook_reference_names_the_current_hook_api_version():
    text = HOOKS_MD.read_text(encoding="utf-8")
    assert f'HOOK_API_VERSION = "{hookspecs.HOOK_API_VERSION}"' in text
