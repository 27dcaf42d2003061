"""Render the instance template for one authority, on disk and as text.

The rollout uses the cookiecutter library (about 10 ms per instance) with the
values validated beforehand in this process, so the template's
pre-generation hook (a Python subprocess, there for plain ``cookiecutter``
users) is not run a second time. Each render is also returned as
``{relative path: text}``: that is what ``.willkommen/baseline.json`` records
and what the 3-way merge of an update compares.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

Files = dict[str, str]


@dataclass(frozen=True)
class Template:
    """The instance template: its folder and a fingerprint of its content."""

    folder: Path
    fingerprint: str

    @classmethod
    def at(cls, folder: Path | None = None) -> Template:
        from ..scaffold import template_dir

        folder = Path(folder or template_dir()).resolve()
        return cls(folder, _fingerprint(folder))


@cache
def _fingerprint(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(folder)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def read_files(root: Path) -> Files:
    """Every file below ``root`` as text, keyed by its relative POSIX path."""
    return {
        p.relative_to(root).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def render_into(template: Template, context: dict[str, Any], output_dir: Path) -> Path:
    """Render ``template`` with ``context`` into ``output_dir``; returns the new folder."""
    from ..scaffold import render_template

    # Values were validated in this process: the hook need not run again.
    return render_template(template.folder, context, output_dir, accept_hooks=False)


def render_files(template: Template, context: dict[str, Any], scratch: Path) -> Files:
    """The files the template renders for ``context`` (rendered in ``scratch``, then removed)."""
    folder = Path(tempfile.mkdtemp(prefix=".render-", dir=scratch))
    try:
        return read_files(render_into(template, context, folder))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
