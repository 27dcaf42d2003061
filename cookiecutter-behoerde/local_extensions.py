"""Jinja filters of the instance template (cookiecutter ``_extensions``).

``german_slug`` and ``place_name`` derive defaults from the authority's name
the same way ``willkommen new`` does; ``toml_str`` and ``toml_list`` write
values into ``willkommen.toml`` correctly escaped, whatever a name contains.
"""

from __future__ import annotations

from typing import Any

import tomlkit
from jinja2 import Environment
from jinja2.ext import Extension


def _items(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [part.strip() for part in str(value).split(",") if part.strip()]


def toml_str(value: Any) -> str:
    return tomlkit.string(str(value)).as_string()


def toml_list(value: Any) -> str:
    return "[" + ", ".join(toml_str(v) for v in _items(value)) + "]"


def toml_bool(value: Any) -> str:
    if isinstance(value, str):
        return "true" if value.strip().lower() in ("true", "yes", "1", "y") else "false"
    return "true" if value else "false"


class WillkommenExtension(Extension):
    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        from willkommen_core import __version__
        from willkommen_core.scaffold import builtin_plugins, place_name, slugify

        environment.filters["german_slug"] = slugify
        environment.filters["place_name"] = place_name
        environment.filters["toml_str"] = toml_str
        environment.filters["toml_list"] = toml_list
        environment.filters["toml_bool"] = toml_bool
        environment.globals["willkommen_version"] = __version__
        # Every module of the toolkit, as the state rollout enables them.
        environment.globals["willkommen_modules"] = ",".join(builtin_plugins())
