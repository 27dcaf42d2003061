"""Boundaries between the core and the modules (issue 13): the core names no module in
its code, and no module imports another module's code.

Modules reach each other only through hooks (``network_directory``,
``read_state_summary``, ``recommendations``, …) called through the plugin host,
so whichever plugin is enabled under a name answers, and replacing or disabling
one module never breaks another's import.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORE = ROOT / "willkommen_core"
PLUGINS = ROOT / "plugins"
MODULES = sorted(p.name for p in PLUGINS.iterdir() if (p / "__init__.py").is_file())
WORD = re.compile(r"\b(" + "|".join(MODULES) + r")\b")


def _docstrings(tree: ast.AST) -> set[int]:
    """Strings standing alone as statements: docstrings of modules, classes,
    functions and attributes (documentation, not code)."""
    return {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    }


def _names_in_code(path: Path) -> list[str]:
    """Module names in identifiers, imports and string values (not docstrings, not comments)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        texts: list[str] = []
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs:
            texts.append(node.value)
        elif isinstance(node, ast.Name):
            texts.append(node.id)
        elif isinstance(node, ast.Attribute):
            texts.append(node.attr)
        elif isinstance(node, ast.alias):
            texts.append(node.name)
        elif isinstance(node, ast.ImportFrom) and node.module:
            texts.append(node.module)
        elif isinstance(node, ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef):
            texts.append(node.name)
        found += [f"{path.relative_to(ROOT)}:{node.lineno}: {t!r}" for t in texts if WORD.search(t)]  # type: ignore[attr-defined]
    return found


def test_the_core_names_no_module_in_its_code():
    found = [hit for path in sorted(CORE.rglob("*.py")) for hit in _names_in_code(path)]
    assert found == []


@pytest.mark.parametrize("module", MODULES)
def test_no_module_imports_another_modules_code(module):
    others = [m for m in MODULES if m != module]
    pattern = re.compile(r"willkommen_plugins\.(" + "|".join(others) + r")\b")
    found = []
    for path in sorted((PLUGINS / module).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "import_module":
                names = [a.value for a in node.args if isinstance(a, ast.Constant)]
            found += [
                f"{path.relative_to(ROOT)}:{node.lineno}: {n}"
                for n in names
                if pattern.search(str(n))
            ]
    assert found == []


def test_the_check_itself_finds_a_module_name_and_an_import(tmp_path):
    """The two checks above are not blind: a core file naming a module, and a module
    importing another, are found."""
    bad = CORE / "_boundary_probe.py"
    bad.write_text('"""Names selbstcheck in its docstring: allowed."""\nX = "selbstcheck"\n')
    try:
        assert [h for h in _names_in_code(bad)] == [
            "willkommen_core/_boundary_probe.py:2: 'selbstcheck'"
        ]
    finally:
        bad.unlink()
    probe = PLUGINS / "prozesse" / "_boundary_probe.py"
    probe.write_text("from willkommen_plugins.partner import store\n")
    try:
        with pytest.raises(AssertionError):
            test_no_module_imports_another_modules_code("prozesse")
    finally:
        probe.unlink()
