"""Enable or disable plugins by editing ``willkommen.toml``, keeping its comments."""

from __future__ import annotations

from pathlib import Path

import tomlkit

from .errors import UserError
from .plugins import ALWAYS_ENABLED, _entry_point_candidates, _local_candidates
from .settings import SETTINGS_FILE


def known_plugins(instance_dir: Path) -> list[str]:
    return sorted({c.name for c in [*_entry_point_candidates(), *_local_candidates(instance_dir)]})


def set_enabled(instance_dir: Path, name: str, enabled: bool) -> str:
    """Add ``name`` to or remove it from ``[plugins] enabled``; returns what was done."""
    if name in ALWAYS_ENABLED:
        raise UserError(f"{name} is part of the core and always enabled")
    known = known_plugins(instance_dir)
    if name not in known:
        raise UserError(f"unknown plugin {name!r} (known: {', '.join(known) or 'none'})")
    path = instance_dir / SETTINGS_FILE
    if not path.is_file():
        raise UserError(f"{path}: not found: is this an instance folder? (--instance DIR)")
    try:
        doc = tomlkit.parse(path.read_text(encoding="utf-8"))
    except tomlkit.exceptions.ParseError as exc:
        raise UserError(f"{SETTINGS_FILE}: invalid TOML: {exc}") from exc
    section = doc.get("plugins")
    if section is None:
        section = tomlkit.table()
        doc["plugins"] = section
    current = section.get("enabled")
    if current is None:
        current = tomlkit.array()
        section["enabled"] = current
    names = [str(n) for n in current]
    if enabled == (name in names):
        return f"{name} is already {'enabled' if enabled else 'disabled'}"
    if enabled:
        current.append(name)
    else:
        del current[names.index(name)]
    tmp = path.with_suffix(".toml.tmp")
    tmp.write_text(tomlkit.dumps(doc), encoding="utf-8")
    tmp.replace(path)
    done = "enabled (run 'willkommen db upgrade' if it brings tables)" if enabled else "disabled"
    return f"{name} {done}; a running server applies it at its next request"
