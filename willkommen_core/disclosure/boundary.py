"""The one door: answer tables are read only to feed the disclosure layer.

A module marks the tables that hold answers with ``info={"answers": True}``
and reads them only in functions decorated with :func:`reads_answers`, which
must hand back raw answer sets (:class:`Answers`, :class:`Text`) or a
:class:`Headcount`; writing is confined to :func:`writes_answers` functions.
Every figure is then made by a :class:`~willkommen_core.disclosure.Release`
or, for counts, by :mod:`~willkommen_core.disclosure.participation`.

:func:`bypasses` checks a module's source for any other use of its answer
tables (the test suite runs it over every installed module, and
``willkommen check`` can too), so counting answers for display in a page,
an export or an API route fails a check instead of a staff council's trust.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import ParamSpec, TypeVar

from .release import Answers, Text

P = ParamSpec("P")
R = TypeVar("R")

READER = "reads_answers"
WRITER = "writes_answers"


@dataclass(frozen=True)
class Headcount:
    """How many answer sets there are: shown only through the disclosure layer."""

    n: int


def reads_answers(func: Callable[P, R]) -> Callable[P, R]:
    """Mark a function that reads answer tables; it must return raw answer sets or a headcount."""

    @functools.wraps(func)
    def checked(*args: P.args, **kwargs: P.kwargs) -> R:
        result = func(*args, **kwargs)
        if isinstance(result, Headcount):
            return result
        if isinstance(result, list | tuple) and all(isinstance(x, Answers | Text) for x in result):
            return result
        raise TypeError(
            f"{func.__qualname__} reads answers but returns {type(result).__name__}: "
            "answer readers return Answers, Text or a Headcount for the disclosure layer"
        )

    checked.__willkommen_answers__ = READER  # type: ignore[attr-defined]
    return checked


def writes_answers(func: Callable[P, R]) -> Callable[P, R]:
    """Mark a function that stores or removes answers (it publishes nothing)."""
    func.__willkommen_answers__ = WRITER  # type: ignore[attr-defined]
    return func


# -- the static check ---------------------------------------------------------------


def _answer_tables(trees: dict[Path, ast.Module]) -> dict[str, str]:
    """Python names bound to answer tables -> their SQL names, from ``X = Table(..., info=...)``."""
    found: dict[str, str] = {}
    for tree in trees.values():
        for node in tree.body:
            if not (isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)):
                continue
            call = node.value
            if getattr(call.func, "id", getattr(call.func, "attr", None)) != "Table":
                continue
            marked = any(
                kw.arg == "info"
                and isinstance(kw.value, ast.Dict)
                and any(isinstance(k, ast.Constant) and k.value == "answers" for k in kw.value.keys)
                for kw in call.keywords
            )
            if marked and call.args and isinstance(call.args[0], ast.Constant):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        found[target.id] = str(call.args[0].value)
    return found


def _decorated(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    for deco in node.decorator_list:
        name = getattr(deco, "id", getattr(deco, "attr", None))
        if name in (READER, WRITER):
            return True
    return False


def _bindings(tree: ast.Module, stems: set[str], tables: set[str]) -> tuple[set[str], set[str]]:
    """Names this file binds to answer tables, and to the modules defining them."""
    direct: set[str] = set()
    modules: set[str] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom):
            continue
        if (node.module or "").rsplit(".", 1)[-1] in stems:
            direct |= {a.asname or a.name for a in node.names if a.name in tables}
        modules |= {a.asname or a.name for a in node.names if a.name in stems}
    return direct, modules


def _uses(node: ast.AST, direct: set[str], modules: set[str], sql: set[str]) -> Iterator[ast.AST]:
    """Uses of answer tables below ``node``, skipping marked functions and docstrings."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) and _decorated(child):
            continue
        if isinstance(child, ast.Expr) and isinstance(child.value, ast.Constant):
            continue
        if (
            (isinstance(child, ast.Name) and child.id in direct)
            or (
                isinstance(child, ast.Attribute)
                and isinstance(child.value, ast.Name)
                and child.value.id in modules
            )
            or (isinstance(child, ast.Constant) and any(t in str(child.value) for t in sql))
        ):
            yield child
            continue
        yield from _uses(child, direct, modules, sql)


@dataclass(frozen=True)
class Bypass:
    """A use of an answer table outside the marked functions."""

    file: Path
    line: int
    table: str

    @property
    def reason(self) -> str:
        return f"uses answer table {self.table} outside @reads_answers/@writes_answers"

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


def bypasses(package: Path) -> list[Bypass]:
    """Places in a module (package folder or single file) that use an answer table
    outside marked functions, with paths relative to the module's parent folder.

    Only the ``Table(...)`` definitions themselves and migrations are exempt.
    Remembered by content: a state host or a rollout opens hundreds of instances
    with the same modules (and the same local example plugin).
    """
    files = [package] if package.is_file() else sorted(package.rglob("*.py"))
    files = [p for p in files if "migrations" not in p.parts]
    stats = [(p, p.stat()) for p in files]
    stamp = (package, tuple((p, st.st_mtime_ns, st.st_size) for p, st in stats))
    found = _by_stamp.get(stamp)
    if found is None:
        sources = tuple(
            (p.relative_to(package.parent), p.read_text(encoding="utf-8")) for p in files
        )
        found = _bypasses(sources)
        if len(_by_stamp) > 256:
            _by_stamp.clear()
        _by_stamp[stamp] = found
    return list(found)


_by_stamp: dict[tuple[Path, tuple[tuple[Path, int, int], ...]], tuple[Bypass, ...]] = {}
"""Results by the files' paths, times and sizes (no need to read them again)."""


@functools.lru_cache(maxsize=128)
def _bypasses(sources: tuple[tuple[Path, str], ...]) -> tuple[Bypass, ...]:
    trees = {p: ast.parse(text, str(p)) for p, text in sources}
    per_file = {p: _answer_tables({p: t}) for p, t in trees.items()}
    tables = {name: sql for found in per_file.values() for name, sql in found.items()}
    stems = {p.stem for p, found in per_file.items() if found}
    problems: list[Bypass] = []
    for path, tree in trees.items():
        direct, modules = _bindings(tree, stems, set(tables))
        direct |= set(per_file[path])  # tables defined right here
        definitions = [n for n in tree.body if _answer_tables({path: ast.Module([n], [])})]
        body = ast.Module([n for n in tree.body if n not in definitions], [])
        lines: dict[int, str] = {}
        for node in _uses(body, direct, modules, set(tables.values())):
            if isinstance(node, ast.Attribute) and node.attr not in tables:
                continue  # another name of the tables module (a non-answer table)
            lines.setdefault(getattr(node, "lineno", 0), ast.unparse(node))
        problems += [Bypass(path, line, what) for line, what in sorted(lines.items())]
    return tuple(problems)
