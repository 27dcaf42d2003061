"""Safe updates: a 3-way merge of every template file, never a silent overwrite.

At each rollout the files the template rendered are recorded in the instance
(``.willkommen/baseline.json``, with the toolkit version and a fingerprint of
the template). An update renders the new template and merges per file:

* base   = what the template rendered last time (the baseline),
* ours   = the file in the instance now (the authority's edits),
* theirs = what the new template renders.

Where only one side changed, that side wins; where both changed different
lines, both changes are kept (``merge3``, the Breezy project's diff3); where
both changed the same lines, the instance's file is left as it is, the merge
with conflict markers is written beside it as ``<file>.new``, and the instance
is reported as needing attention. While a ``.new`` file of a conflict exists,
every later rollout reports it again; once the local IT has merged it by hand
and deleted it, the instance counts as up to date.

``willkommen.toml`` is first brought to the current settings layout by the
config migrations (:mod:`willkommen_core.config_migrate`), on both the
instance's file and the baseline, so a layout change is not a conflict.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import UserError
from ..settings import SETTINGS_FILE
from .render import Files, Template

STATE_DIR = ".willkommen"
BASELINE_FILE = f"{STATE_DIR}/baseline.json"
BASELINE_SCHEMA = "willkommen.baseline/1"
CONFLICT_SUFFIX = ".new"


@dataclass
class Baseline:
    toolkit_version: str
    template: str
    files: Files
    conflicts: list[str] = field(default_factory=list)

    def as_json(self) -> str:
        return json.dumps(
            {
                "schema": BASELINE_SCHEMA,
                "toolkit_version": self.toolkit_version,
                "template": self.template,
                "conflicts": sorted(self.conflicts),
                "files": dict(sorted(self.files.items())),
            },
            ensure_ascii=False,
            indent=1,
        )


def load_baseline(root: Path) -> Baseline | None:
    path = root / BASELINE_FILE
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("schema") != BASELINE_SCHEMA:
            raise ValueError(f"unknown schema {data.get('schema')!r}")
        return Baseline(
            data["toolkit_version"], data["template"], dict(data["files"]), list(data["conflicts"])
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise UserError(f"{path}: unreadable ({exc}); restore it from a backup") from exc


def write_baseline(root: Path, baseline: Baseline) -> None:
    path = root / BASELINE_FILE
    path.parent.mkdir(exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(baseline.as_json(), encoding="utf-8")
    tmp.replace(path)


def baseline_for(files: Files, template: Template, version: str) -> Baseline:
    return Baseline(version, template.fingerprint, dict(files))


def open_conflicts(root: Path, baseline: Baseline) -> list[str]:
    """Conflicts of an earlier update whose ``.new`` file is still there."""
    return [p for p in baseline.conflicts if (root / (p + CONFLICT_SUFFIX)).exists()]


@dataclass
class Conflict:
    path: str
    detail: str

    def __str__(self) -> str:
        return f"{self.path}: {self.detail}"


@dataclass
class UpdateResult:
    changed: list[str] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def _migrated(path: str, text: str | None) -> str | None:
    if path != SETTINGS_FILE or text is None:
        return text
    from ..config_migrate import migrate_text

    try:
        return migrate_text(text)[0]
    except UserError:
        return text  # not TOML or too new: merge as it is; check reports it


def _describe(regions: list[tuple[Any, ...]], ours: list[str], theirs: list[str]) -> str:
    parts = []
    for region in regions:
        _, _z1, _z2, a1, a2, b1, b2 = region
        local = "".join(ours[a1:a2]).strip().splitlines() or ["(removed)"]
        new = "".join(theirs[b1:b2]).strip().splitlines() or ["(removed)"]
        span = f"line {a1 + 1}" if a2 - a1 <= 1 else f"lines {a1 + 1}-{a2}"
        parts.append(f"{span}: local {local[0]!r} vs. template {new[0]!r}")
    return "; ".join(parts)


def merge_file(
    path: str, base: str | None, ours: str | None, theirs: str | None
) -> tuple[str | None, Conflict | None, str | None]:
    """Merge one file. Returns (new content or None to delete, conflict, text for .new)."""
    import merge3

    if theirs == base or ours == theirs:
        return ours, None, None
    if ours == base:
        return theirs, None, None
    if theirs is None:
        # The template dropped a file the authority edited: keep it.
        return ours, None, None
    if ours is None:
        return (
            None,
            Conflict(path, "deleted here, changed in the template"),
            theirs,
        )
    if base is None:
        return (
            ours,
            Conflict(path, "a local file has the name of a new template file"),
            theirs,
        )
    a, b = _lines(ours), _lines(theirs)
    m = merge3.Merge3(_lines(base), a, b)
    regions = [r for r in m.merge_regions() if r[0] == "conflict"]
    merged = "".join(
        m.merge_lines(
            name_a="local (this instance)",
            name_b="template (new toolkit version)",
            start_marker="<<<<<<<",
            mid_marker="=======",
            end_marker=">>>>>>>",
        )
    )
    if not regions:
        return merged, None, None
    return ours, Conflict(path, _describe(regions, a, b)), merged


def apply_update(
    root: Path, baseline: Baseline, new: Files, new_baseline: Baseline
) -> UpdateResult:
    """Bring the instance at ``root`` from ``baseline`` to the render ``new``.

    Writes merged files and ``<file>.new`` for conflicts, then the new
    baseline. The new render becomes the base of every file, conflicted ones
    included: the ``.new`` file keeps the conflict visible (and reported)
    until the local IT has merged it by hand and deleted it.
    """
    result = UpdateResult()
    conflicted: list[str] = []
    for path in sorted(set(baseline.files) | set(new)):
        target = root / path
        current = target.read_text(encoding="utf-8") if target.is_file() else None
        base = _migrated(path, baseline.files.get(path))
        ours = _migrated(path, current)
        merged, conflict, proposal = merge_file(path, base, ours, new.get(path))
        if conflict is not None:
            result.conflicts.append(conflict)
            conflicted.append(path)
            _write(root / (path + CONFLICT_SUFFIX), proposal or "")
            if merged is not None and merged != current:
                # Only the config migration changed our side: keep that part.
                _write(target, merged)
            continue
        if merged == current:
            continue
        if merged is None:
            target.unlink(missing_ok=True)
        else:
            _write(target, merged, like=target if target.exists() else None)
        result.changed.append(path)
    new_baseline.conflicts = sorted(set(conflicted))
    write_baseline(root, new_baseline)
    return result


def _write(path: Path, text: str, like: Path | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = like.stat().st_mode & 0o777 if like is not None else None
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    if mode is not None:
        os.chmod(tmp, mode)
    tmp.replace(path)
