"""Import and export of the building model as a TOML or JSON file (CLI and web)."""

from __future__ import annotations

import json
import tomllib
from typing import TYPE_CHECKING, Any

import tomlkit

from willkommen_core.errors import Problem, UserError

from . import content, store
from .model import Site, parse_document, to_document

if TYPE_CHECKING:
    from willkommen_core.instance import Instance


def parse_bytes(data: bytes, filename: str) -> Any:
    """The file's data; TOML unless the name ends in .json. Syntax errors name the line."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UserError(f"{filename}: not UTF-8 ({exc})") from exc
    if filename.lower().endswith(".json"):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise UserError(f"{filename}: line {exc.lineno}: invalid JSON: {exc.msg}") from exc
        except RecursionError as exc:
            raise UserError(f"{filename}: nested too deeply") from exc
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{filename}: invalid TOML: {exc}") from exc
    except RecursionError as exc:
        raise UserError(f"{filename}: nested too deeply") from exc


def read(instance: Instance, data: bytes, filename: str) -> list[Site]:
    """Validated sites from a file; :class:`UserError` lists every problem."""
    doc = parse_bytes(data, filename)
    site_names = [s.name for s in instance.settings.authority.sites]
    sites, errors = parse_document(
        doc, site_names=site_names, services=set(content.services(instance))
    )
    if errors:
        raise UserError(
            f"{filename}: nothing imported, {len(errors)} problem(s):",
            [Problem(filename, key, reason) for key, reason in errors],
        )
    return sites


def import_file(instance: Instance, data: bytes, filename: str) -> list[Site]:
    """Replace the data of every site in the file (all or nothing)."""
    sites = read(instance, data, filename)
    store.replace(instance.db, sites)
    return sites


def export(instance: Instance, fmt: str) -> bytes:
    site_names = [s.name for s in instance.settings.authority.sites]
    doc = to_document(store.load(instance.db, site_names))
    if fmt == "json":
        return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    header = tomlkit.document()
    header.add(tomlkit.comment("Willkommen leitsystem: buildings, floors, rooms and routes"))
    header.add(tomlkit.comment("Import with: willkommen leitsystem import FILE"))
    for key, value in doc.items():
        header[key] = value
    return tomlkit.dumps(header).encode("utf-8")
