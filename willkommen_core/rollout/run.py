"""``willkommen rollout``: one instance per authority of a register.

For each authority the instance folder ``<output>/<slug>/`` is

* **created** when missing: the template rendered, a fresh secret key in
  ``.env``, a summary signing key, the baseline of the render;
* **unchanged** when the template renders exactly what it rendered last time;
* **updated** (only with ``--update``) by a 3-way merge of every file
  (:mod:`.update`), keeping the authority's own edits;
* **needs-attention** when an update met a conflicting local edit, an earlier
  conflict is not resolved, the template changed but ``--update`` was not
  given, or the instance's check found problems;
* **failed** when it could not be created (nothing is left behind).

Every instance is checked like ``willkommen check``. The database is part of
the check only with ``--migrate``: by default the ministry scaffolds the
configuration and the local IT (or the state's IT provider) runs
``willkommen db upgrade`` where the database lives. With ``--migrate`` the
rollout creates or upgrades each instance's tables itself (for a state IT
provider hosting all instances with ``willkommen serve --instances``).
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import Problem, UserError
from ..progress import Progress
from ..settings import SETTINGS_FILE
from . import summary, update
from .register import Entry, Register
from .render import Template, read_files, render_files, render_into

if TYPE_CHECKING:
    from ..instance import Instance

STATUSES = ("created", "unchanged", "updated", "needs-attention", "failed")
KEYS_FILE = "keys.json"


@dataclass
class Outcome:
    slug: str
    name: str
    status: str
    reasons: list[str] = field(default_factory=list)
    changed_files: list[str] = field(default_factory=list)
    conflicts: list[dict[str, str]] = field(default_factory=list)
    public_key: str | None = None
    key_id: str | None = None
    line: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Result:
    register: str
    output: Path
    update: bool
    migrate: bool
    template: str
    toolkit_version: str
    started: str
    outcomes: list[Outcome]
    seconds: float = 0.0

    def counts(self) -> dict[str, int]:
        return {s: sum(1 for o in self.outcomes if o.status == s) for s in STATUSES}

    def as_dict(self) -> dict[str, Any]:
        return {
            "schema": "willkommen.rollout-report/1",
            "register": self.register,
            "output": str(self.output),
            "update": self.update,
            "migrate": self.migrate,
            "template": self.template,
            "toolkit_version": self.toolkit_version,
            "started": self.started,
            "seconds": round(self.seconds, 3),
            "counts": self.counts(),
            "authorities": [o.as_dict() for o in self.outcomes],
        }


def rollout(
    register: Register,
    output: Path,
    *,
    only: tuple[str, ...] | list[str] = (),
    update_existing: bool = False,
    migrate: bool = False,
    template: Template | None = None,
    progress: Progress | None = None,
) -> Result:
    """Roll the register out into ``output``; never raises for one authority's problem.

    ``progress`` counts one step per authority (its slug and status named).
    """
    import time

    from .. import __version__

    entries = register.select(only)  # an unknown --only slug stops before anything is written
    bar = Progress.of(progress)
    bar.start(len(entries))
    template = template or Template.at()
    output = Path(output).resolve()
    output.mkdir(parents=True, exist_ok=True)
    clock = time.perf_counter()
    result = Result(
        register=register.label,
        output=output,
        update=update_existing,
        migrate=migrate,
        template=template.fingerprint,
        toolkit_version=__version__,
        started=datetime.now().astimezone().isoformat(timespec="seconds"),
        outcomes=[],
    )
    scratch = Path(tempfile.mkdtemp(prefix=".rollout-", dir=output))
    checker = _Checker(migrate)
    try:
        for entry in entries:
            try:
                outcome = _one(
                    entry, output, scratch, template, __version__, update_existing, checker
                )
            except UserError as exc:
                outcome = Outcome(entry.slug, entry.name, "failed", [str(exc)])
            except Exception as exc:  # one authority's surprise must not stop the others
                outcome = Outcome(
                    entry.slug,
                    entry.name,
                    "failed",
                    [f"unexpected error: {exc!r} (please report)"],
                )
            outcome.line = entry.line
            result.outcomes.append(outcome)
            bar.advance(f"{entry.slug} {outcome.status}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    result.seconds = time.perf_counter() - clock
    write_keys(register, output, result)
    return result


def _one(
    entry: Entry,
    output: Path,
    scratch: Path,
    template: Template,
    version: str,
    update_existing: bool,
    checker: _Checker,
) -> Outcome:
    target = output / entry.slug
    context = entry.context(version)
    if not target.exists() or (target.is_dir() and not any(target.iterdir())):
        return _create(entry, target, scratch, template, context, version, checker)
    outcome = Outcome(entry.slug, entry.name, "unchanged")
    if not (target / SETTINGS_FILE).is_file():
        outcome.status = "failed"
        outcome.reasons.append(f"{target} exists but is no instance (no {SETTINGS_FILE})")
        return outcome
    baseline = update.load_baseline(target)
    if baseline is None:
        outcome.status = "needs-attention"
        outcome.reasons.append(
            f"{update.BASELINE_FILE} is missing (not created by a rollout): the template's "
            "changes cannot be merged safely; compare by hand or move the folder away"
        )
    else:
        pending = update.open_conflicts(target, baseline)
        if pending:
            outcome.status = "needs-attention"
            for path in pending:
                outcome.reasons.append(
                    f"unresolved conflict: merge {path}{update.CONFLICT_SUFFIX} into {path} "
                    f"by hand, then delete {path}{update.CONFLICT_SUFFIX}"
                )
        else:
            new = render_files(template, context, scratch)
            if new != baseline.files:
                differing = sorted(
                    p for p in set(new) | set(baseline.files) if new.get(p) != baseline.files.get(p)
                )
                if not update_existing:
                    outcome.status = "needs-attention"
                    outcome.reasons.append(
                        "the template or the register changed since the last rollout "
                        f"({', '.join(differing)}): run the rollout with --update"
                    )
                else:
                    fresh = update.baseline_for(new, template, version)
                    merged = update.apply_update(target, baseline, new, fresh)
                    outcome.changed_files = merged.changed
                    outcome.conflicts = [
                        {
                            "file": c.path,
                            "detail": c.detail,
                            "proposal": c.path + update.CONFLICT_SUFFIX,
                        }
                        for c in merged.conflicts
                    ]
                    if merged.conflicts:
                        outcome.status = "needs-attention"
                        outcome.reasons += [
                            f"conflict in {c.path}: {c.detail}; the instance's file was kept, "
                            f"the merged proposal is in {c.path}{update.CONFLICT_SUFFIX}"
                            for c in merged.conflicts
                        ]
                    elif merged.changed:
                        outcome.status = "updated"
            elif baseline.template != template.fingerprint or baseline.toolkit_version != version:
                # Same files from a newer template: remember the new origin quietly.
                update.write_baseline(target, update.baseline_for(new, template, version))
    outcome.public_key, created = summary.ensure_key(target)
    outcome.key_id = summary.key_id(outcome.public_key)
    if created:
        outcome.reasons.append("summary signing key created (was missing)")
        if outcome.status == "unchanged":
            outcome.status = "updated"
    problems = checker(target)
    if problems:
        outcome.status = "needs-attention" if outcome.status != "failed" else outcome.status
        outcome.reasons += [f"check: {p}" for p in problems]
    return outcome


def _create(
    entry: Entry,
    target: Path,
    scratch: Path,
    template: Template,
    context: dict[str, Any],
    version: str,
    checker: _Checker,
) -> Outcome:
    from ..scaffold import _write_secret_env

    staging = Path(tempfile.mkdtemp(prefix=f".{entry.slug}-", dir=scratch))
    rendered = render_into(template, context, staging)
    files = read_files(rendered)
    _write_secret_env(rendered)
    update.write_baseline(rendered, update.baseline_for(files, template, version))
    public, _ = summary.ensure_key(rendered)
    created_dir = not target.exists()
    if not created_dir:
        target.rmdir()
    rendered.rename(target)
    shutil.rmtree(staging, ignore_errors=True)
    problems = checker(target)
    if problems:
        # Nothing half-done stays behind: the next run tries again from scratch.
        shutil.rmtree(target, ignore_errors=True)
        if not created_dir:
            target.mkdir()
        return Outcome(
            entry.slug,
            entry.name,
            "failed",
            ["the new instance did not pass its check (removed again):"]
            + [f"check: {p}" for p in problems],
        )
    outcome = Outcome(
        entry.slug, entry.name, "created", public_key=public, key_id=summary.key_id(public)
    )
    if not checker.migrate:
        outcome.reasons.append("next: 'willkommen db upgrade' where the database lives")
    return outcome


class _Checker:
    """``willkommen check`` of each instance (database only with ``--migrate``).

    Validating the shipped content is the slow part of a check and gives the
    same answer for every instance without local content: the plugins' content
    checks depend on the content files, the enabled modules, the languages and
    the modules' settings, not on the authority's name or address. Their result
    is therefore reused between instances that agree in all of these and have
    no local content files yet; an instance with local content is always
    checked on its own.
    """

    def __init__(self, migrate: bool) -> None:
        self.migrate = migrate
        self.content: dict[str, list[Problem]] = {}

    def _content_key(self, instance: Instance) -> str | None:
        local = [
            p
            for p in (instance.root / "content").rglob("*")
            if p.is_file() and p.name != "README.md"
        ]
        if local or instance._settings is None:
            return None
        settings = instance.settings.model_dump(mode="json", exclude={"secret_key"})
        shared = {k: v for k, v in settings.items() if k not in ("authority", "database_url")}
        return json.dumps(shared, sort_keys=True, default=str)

    def __call__(self, root: Path) -> list[str]:
        from ..instance import Instance

        instance = Instance(root)
        key = self._content_key(instance)
        content = None
        if key is not None:
            # Identical settings and no local content: the same content problems.
            if key not in self.content:
                self.content[key] = instance.content_problems()
            content = self.content[key]
        try:
            if self.migrate and not instance.problems:
                instance.upgrade_storage()
            return [str(p) for p in instance.check(database=self.migrate, content_problems=content)]
        except UserError as exc:
            return [str(exc)]
        finally:
            if "db" in instance.__dict__:
                instance.db.dispose()


def write_keys(register: Register, output: Path, result: Result) -> Path:
    """``keys.json``: every authority's public key, for ``willkommen land report --keys``.

    Authorities not in this run (``--only``) keep their earlier entry.
    """
    path = output / KEYS_FILE
    previous: dict[str, Any] = {}
    if path.is_file():
        try:
            previous = json.loads(path.read_text(encoding="utf-8")).get("authorities", {})
        except (ValueError, AttributeError):
            previous = {}
    by_slug = {o.slug: o for o in result.outcomes}
    authorities: dict[str, Any] = {}
    for entry in register.authorities:
        outcome = by_slug.get(entry.slug)
        if outcome is None:
            if entry.slug in previous:
                authorities[entry.slug] = previous[entry.slug]
            continue
        public = outcome.public_key
        if public is None and outcome.status != "failed":
            public = summary.public_key(output / entry.slug)
        if public is None:
            continue
        authorities[entry.slug] = {
            "name": entry.name,
            "type": entry.type,
            "public_key": public,
            "key_id": summary.key_id(public),
            "status": outcome.status,
            "rolled_out": result.started,
        }
    document = {
        "schema": summary.KEYS_SCHEMA,
        "register": register.label,
        "authorities": authorities,
    }
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path
