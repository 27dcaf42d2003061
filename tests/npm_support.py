"""Tools the tests take from the npm registry (the OpenID provider, the Nu HTML Checker):
installed with ``npm ci`` from a lock file kept in the tests, once per lock, into the cache."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path
from typing import NoReturn

import pytest


def skip_or_fail(reason: str) -> NoReturn:
    """Skip on a developer's machine that lacks a tool; in CI the test is mandatory."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason + " – mandatory in CI")
    pytest.skip(reason)


def _cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "willkommen-tests"


def npm_ci(source: Path, name: str, installed: str) -> Path:
    """The folder where ``source``'s package.json and package-lock.json are installed;
    ``installed`` (relative to it) exists once the install is complete. Parallel runs
    each install into their own folder and the first to finish wins."""
    lock = (source / "package-lock.json").read_bytes()
    target = _cache_root() / f"{name}-{hashlib.sha256(lock).hexdigest()[:12]}"
    if (target / installed).exists():
        return target
    npm = shutil.which("npm")
    if npm is None:
        skip_or_fail(f"no npm found (apt-get install npm): the tests install {name} with it")
    target.parent.mkdir(parents=True, exist_ok=True)
    work = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    for file in ("package.json", "package-lock.json"):
        shutil.copy(source / file, work / file)
    done = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        shutil.rmtree(work, ignore_errors=True)
        pytest.fail(f"npm ci of {name} failed:\n{done.stdout}\n{done.stderr}")
    try:
        work.rename(target)
    except OSError:  # another run installed it meanwhile
        shutil.rmtree(work, ignore_errors=True)
    return target
