"""Reading a module's section of a signed summary (hook ``read_state_summary``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def section_version(section: Any, readable: Iterable[int], what: str) -> int:
    """The ``schema_version`` of ``section`` if this module reads it; otherwise a
    ``ValueError`` that names ``what`` (e.g. "self-assessment summary"), the version
    found and those it reads: the state report rejects the file with that reason."""
    if not isinstance(section, dict):
        raise ValueError(f"{what} is not an object")
    versions = tuple(readable)
    version = section.get("schema_version")
    if version not in versions:
        raise ValueError(
            f"{what} of unknown schema_version {version!r} "
            f"(this toolkit reads {', '.join(map(str, versions))})"
        )
    assert isinstance(version, int)
    return version
