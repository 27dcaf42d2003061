"""``willkommen new``: an authority's instance from ``cookiecutter-behoerde/``.

The template is rendered with the cookiecutter library, non-interactively.
Values are validated here first (one clear message naming every bad key)
and again by the template's pre-generation hook, so rendering the template
with plain ``cookiecutter`` is just as safe. The rendered folder is opened
as an :class:`~willkommen_core.instance.Instance` before it counts as
created; on any problem nothing is left behind.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import tempfile
import unicodedata
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from pathlib import Path
from typing import Any

from .errors import Problem, UserError
from .settings import AUTHORITY_TYPES, ENV_FILE, SETTINGS_FILE, SLUG_PATTERN

SLUG_MAX_LENGTH = 63

# Words that name the kind of office, not the place: "Ausländerbehörde der
# Landeshauptstadt Magdeburg" and "Landkreis Harz" are "magdeburg" and "harz".
# Words that are part of a district's name ("Altmarkkreis", "Burgenlandkreis",
# "Jerichower Land") are kept.
_DESIGNATORS = (
    "ausländerbehörde",
    "ausländeramt",
    "zuwanderungsbehörde",
    "einwanderungsbehörde",
    "landeshauptstadt",
    "hansestadt",
    "lutherstadt",
    "kreisfreie",
    "kreisfreien",
    "stadt",
    "landkreis",
    "landkreises",
    "kreis",
    "kreises",
    "des",
    "der",
    "im",
    "in",
)
_LEADING = re.compile(
    r"^(?:(?:" + "|".join(_DESIGNATORS) + r")(?=[\s/,]|$)|[\s/,]+)", re.IGNORECASE
)
_GERMAN = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss", "ẞ": "SS"}
)

FEDERAL_STATES = (
    "Baden-Württemberg",
    "Bayern",
    "Berlin",
    "Brandenburg",
    "Bremen",
    "Hamburg",
    "Hessen",
    "Mecklenburg-Vorpommern",
    "Niedersachsen",
    "Nordrhein-Westfalen",
    "Rheinland-Pfalz",
    "Saarland",
    "Sachsen",
    "Sachsen-Anhalt",
    "Schleswig-Holstein",
    "Thüringen",
)
# Settable with --set; authority_name comes from --name.
_NAME_KEY = "authority_name"
# Empty in the template: no neutral value exists, each authority gives its own.
REQUIRED = {
    "street": 'the visiting address of the main site, e.g. --set street="Zerbster Straße 4"',
    "postcode": "the main site's postcode, e.g. --set postcode=06844",
}
# Sections of the settings whose keys --set does not offer: the authority and the
# modules are template variables, OpenID Connect needs a whole block (IT guide).
_NOT_SETTABLE_SECTIONS = ("authority", "plugins", "oidc")


def place_name(name: str) -> str:
    """The place an authority's name refers to, without the office designators.

    ``"Ausländerbehörde Dessau-Roßlau"`` -> ``"Dessau-Roßlau"``. When the name
    consists of designators only (``"Stadt"``), it is returned unchanged.
    """
    original = " ".join(name.split())
    rest = original
    while match := _LEADING.match(rest):
        rest = rest[match.end() :]
    return rest or original


def slugify(name: str) -> str:
    """A URL- and file-safe identifier for an authority, German-aware.

    Office designators at the start are dropped, umlauts and ß are written
    out as in German (ä -> ae, ß -> ss), other accents removed, and every run
    of other characters (spaces, parentheses, slashes) becomes one hyphen:
    ``"Ausländerbehörde Dessau-Roßlau"`` -> ``"dessau-rosslau"``,
    ``"Halle (Saale)"`` -> ``"halle-saale"``.
    """
    text = place_name(name.strip()).translate(_GERMAN)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    if len(text) > SLUG_MAX_LENGTH:
        text = text[:SLUG_MAX_LENGTH].rsplit("-", 1)[0] or text[:SLUG_MAX_LENGTH]
    return text


def template_dir() -> Path:
    """The instance template as installed (package ``willkommen_cookiecutter``)."""
    from willkommen_cookiecutter import TEMPLATE_DIR

    return Path(TEMPLATE_DIR)


def template_defaults() -> dict[str, Any]:
    """The template's variables with their raw defaults (``cookiecutter.json``)."""
    data = json.loads((template_dir() / "cookiecutter.json").read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("_")}


@dataclass(frozen=True)
class SettingKey:
    """A settings key ``willkommen new --set SECTION.KEY=VALUE`` writes into willkommen.toml."""

    section: str
    name: str
    kind: str
    """``bool``, ``int``, ``str`` or ``list`` (comma-separated on the command line)."""
    default: Any = dataclass_field(compare=False)

    @property
    def key(self) -> str:
        return f"{self.section}.{self.name}"


_KINDS = {bool: "bool", int: "int", str: "str", float: "float"}


def settings_keys() -> dict[str, SettingKey]:
    """Every scalar key of the core settings' sections, read from the settings model.

    Nothing here is a hand-kept list: a key added to :mod:`.settings` can be
    set at once, and ``willkommen new --help`` lists it.
    """
    import typing

    from pydantic import BaseModel

    from .settings import CoreSettings

    keys: dict[str, SettingKey] = {}
    for section, info in CoreSettings.model_fields.items():
        model = info.annotation
        if (
            section in _NOT_SETTABLE_SECTIONS
            or not isinstance(model, type)
            or not issubclass(model, BaseModel)
        ):
            continue
        for name, sub in model.model_fields.items():
            annotation = sub.annotation
            if typing.get_origin(annotation) is list and typing.get_args(annotation) == (str,):
                kind = "list"
            elif annotation in _KINDS:
                kind = _KINDS[annotation]
            else:
                continue
            default = sub.get_default(call_default_factory=True)
            keys[f"{section}.{name}"] = SettingKey(section, name, kind, default)
    return keys


def _setting_values(overrides: dict[str, str]) -> tuple[dict[SettingKey, Any], list[Problem]]:
    """The ``SECTION.KEY`` overrides, converted and validated by the settings model."""
    from pydantic import ValidationError

    from .settings import CoreSettings, _reason

    known = settings_keys()
    values: dict[SettingKey, Any] = {}
    problems: list[Problem] = []
    for key, raw in overrides.items():
        setting = known.get(key)
        if setting is None:
            problems.append(
                Problem("--set", key, "unknown setting ('willkommen new --help' lists them)")
            )
            continue
        value: Any = raw
        if setting.kind == "list":
            value = _split(raw)
        model = CoreSettings.model_fields[setting.section].annotation
        assert isinstance(model, type)
        try:
            validated = model.model_validate({setting.name: value})
        except ValidationError as exc:
            problems += [
                Problem(
                    "--set",
                    key,
                    "must be true or false" if setting.kind == "bool" else _reason(err),
                )
                for err in exc.errors()
            ]
            continue
        values[setting] = getattr(validated, setting.name)
    return values, problems


def _write_settings(root: Path, values: dict[SettingKey, Any]) -> None:
    # tomlkit keeps the template's comments; a section the template lacks is appended.
    import tomlkit

    if not values:
        return
    path = root / SETTINGS_FILE
    doc = tomlkit.parse(path.read_text(encoding="utf-8"))
    for setting, value in values.items():
        if setting.section not in doc:
            doc.add(setting.section, tomlkit.table())
        section = doc[setting.section]
        section[setting.name] = value
    path.write_text(tomlkit.dumps(doc), encoding="utf-8")


def help_text() -> str:
    """What ``willkommen new --help`` lists under its options: every ``--set`` key."""
    defaults = template_defaults()
    lines = [
        "Template variables (--set KEY=VALUE; default in brackets):",
        "",
    ]
    for key, value in defaults.items():
        if key in (_NAME_KEY, "toolkit_version") or isinstance(value, dict):
            continue  # a table (extra_sites) is no KEY=VALUE: see the line below
        if key in REQUIRED:
            shown = "required"
        elif key == "modules":
            shown = ",".join(builtin_plugins())
        elif isinstance(value, list):
            shown = " | ".join(str(v) for v in value)
        elif "{{" in str(value):
            shown = "from --name"
        else:
            shown = str(value).lower() if isinstance(value, bool) else str(value) or "empty"
        lines.append(f"  {key} [{shown}]")
    lines += [
        "",
        "Further sites: [[authority.sites]] blocks in willkommen.toml after creating it.",
        "",
        "Settings written into willkommen.toml (--set SECTION.KEY=VALUE):",
        "",
    ]
    for key, setting in settings_keys().items():
        default = setting.default
        if isinstance(default, bool):
            shown = str(default).lower()
        elif isinstance(default, list):
            shown = ",".join(map(str, default)) or "empty"
        else:
            shown = str(default) or "empty"
        lines.append(f"  {key} ({setting.kind}) [{shown}]")
    lines += [
        "",
        "Logins need https:// (web.secure_cookies = true).",
        "For a test on http://127.0.0.1 only: --set web.secure_cookies=false.",
    ]
    return "\n".join(lines)


def parse_overrides(items: tuple[str, ...] | list[str]) -> dict[str, str]:
    """``("postcode=06844", ...)`` -> ``{"postcode": "06844"}``; a bad item is a UserError."""
    result: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise UserError(f"--set {item!r}: expected KEY=VALUE, e.g. --set postcode=39104")
        if key in result:
            raise UserError(f"--set {key}: given twice")
        result[key] = value.strip()
    return result


def _split(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [part.strip() for part in str(value).split(",") if part.strip()]


def installed_plugins() -> list[str]:
    """Plugins an instance can enable before it has local ones (entry points)."""
    from .plugins import _entry_point_candidates

    return sorted({c.name for c in _entry_point_candidates()})


BUILTIN_PACKAGE = "willkommen_plugins"


def builtin_plugins() -> list[str]:
    """The toolkit's own modules: entry points whose module lives in ``willkommen_plugins``."""
    from .plugins import _entry_point_candidates

    return sorted(
        {
            c.name
            for c in _entry_point_candidates()
            if c.origin.partition(":")[2].split(".")[0] == BUILTIN_PACKAGE
        }
    )


def validate_context(
    ctx: dict[str, Any],
    origin: dict[str, str] | None = None,
    known_modules: list[str] | None = None,
) -> list[Problem]:
    """Every problem with the template variables in ``ctx``.

    ``origin`` maps a key to where its value came from (``"--set"``,
    ``"--name"``); the template's own defaults are reported as ``cookiecutter.json``.
    ``known_modules`` defaults to the installed plugins.
    Used by :func:`new_instance` and by the template's pre-generation hook.
    """
    from babel import Locale, UnknownLocaleError
    from packaging.version import InvalidVersion, Version
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    origin = origin or {}
    problems: list[Problem] = []

    def bad(key: str, reason: str) -> None:
        problems.append(Problem(origin.get(key, "cookiecutter.json"), key, reason))

    def text(key: str) -> str:
        return str(ctx.get(key, "")).strip()

    name = text("authority_name")
    if not 3 <= len(name) <= 200:
        bad("authority_name", "must have 3 to 200 characters")
    slug = text("slug")
    if not re.match(SLUG_PATTERN, slug) or len(slug) > SLUG_MAX_LENGTH:
        bad(
            "slug",
            f"{slug!r} is not a valid slug (lower-case letters, digits and single "
            f"hyphens, at most {SLUG_MAX_LENGTH} characters, e.g. dessau-rosslau)",
        )
    if text("authority_type") not in AUTHORITY_TYPES:
        bad("authority_type", f"must be one of: {', '.join(AUTHORITY_TYPES)}")
    if text("federal_state") not in FEDERAL_STATES:
        bad("federal_state", f"must be one of: {', '.join(FEDERAL_STATES)}")
    for key in ("site_name", "street", "city"):
        if not text(key):
            bad(key, "must not be empty")
    if not re.fullmatch(r"\d{5}", text("postcode")):
        bad("postcode", f"{text('postcode')!r} is not a German postcode (5 digits)")
    problems.extend(_extra_site_problems(ctx.get("extra_sites", {"sites": []}), origin))
    if not re.fullmatch(r"[0-9+()/ \-]{0,40}", text("phone")):
        bad("phone", f"{text('phone')!r} is not a phone number (digits, spaces, + ( ) / -)")
    email = text("contact_email")
    if email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        bad("contact_email", f"{email!r} is not an e-mail address")
    languages = _split(ctx.get("languages", ""))
    unknown = []
    for code in languages:
        try:
            Locale.parse(code)
        except (UnknownLocaleError, ValueError):
            unknown.append(code)
    if unknown:
        bad("languages", f"unknown language code(s): {', '.join(unknown)}")
    if "de" not in languages:
        bad("languages", "must include de (German is the authority's working language)")
    if len(set(languages)) != len(languages):
        bad("languages", "lists a language twice")
    modules = _split(ctx.get("modules", ""))
    # Given by callers validating many authorities at once (entry points are slow-ish).
    known = installed_plugins() if known_modules is None else known_modules
    missing = [m for m in modules if m not in known]
    if missing:
        bad(
            "modules",
            f"unknown module(s): {', '.join(missing)} (installed: {', '.join(known) or 'none'})",
        )
    if len(set(modules)) != len(modules):
        bad("modules", "lists a module twice")
    url = text("database_url")
    try:
        parsed = make_url(url)
        if parsed.get_backend_name() not in ("sqlite", "postgresql"):
            bad("database_url", "must be a sqlite:/// or postgresql+psycopg:// URL")
    except ArgumentError:
        bad("database_url", f"{url!r} is not a database URL (e.g. sqlite:///willkommen.db)")
    try:
        Version(text("toolkit_version"))
    except InvalidVersion:
        bad("toolkit_version", f"{text('toolkit_version')!r} is not a version number")
    return problems


def _extra_site_problems(value: Any, origin: dict[str, str]) -> list[Problem]:
    # A dictionary variable {"sites": [{name, street, postcode, city}, ...]}:
    # the authority's further sites beside the main one (site_name, street, ...).
    where = origin.get("extra_sites", "cookiecutter.json")
    sites = value.get("sites") if isinstance(value, dict) else None
    if not isinstance(sites, list):
        return [
            Problem(where, "extra_sites", 'must be {"sites": [{name, street, postcode, city}]}')
        ]
    problems = []
    for i, site in enumerate(sites):
        key = f"extra_sites.sites[{i}]"
        if not isinstance(site, dict):
            problems.append(
                Problem(where, key, "must be a table with name, street, postcode, city")
            )
            continue
        unknown = sorted(set(site) - {"name", "street", "postcode", "city"})
        if unknown:
            problems.append(Problem(where, key, f"unknown key(s): {', '.join(unknown)}"))
        for field in ("name", "street", "city"):
            if not str(site.get(field, "")).strip():
                problems.append(Problem(where, f"{key}.{field}", "must not be empty"))
        postcode = str(site.get("postcode", "")).strip()
        if not re.fullmatch(r"\d{5}", postcode):
            problems.append(
                Problem(
                    where, f"{key}.postcode", f"{postcode!r} is not a German postcode (5 digits)"
                )
            )
    return problems


def _write_secret_env(root: Path) -> None:
    # 0600 from the start: the key must never be readable by other users.
    path = root / ENV_FILE
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(
            "# Secrets of this instance: never commit, never copy into willkommen.toml.\n"
            f"WILLKOMMEN_SECRET_KEY={secrets.token_urlsafe(48)}\n"
        )
    os.chmod(path, 0o600)


def render_template(
    repo: Path, context_overrides: dict[str, Any], output_dir: Path, *, accept_hooks: bool
) -> Path:
    """Render the template folder ``repo`` into ``output_dir``; returns the generated folder.

    The cookiecutter library's steps without ``cookiecutter()``: no user config
    file is read and no replay file is written into the user's home directory.
    """
    from cookiecutter.exceptions import CookiecutterException, FailedHookException
    from cookiecutter.generate import generate_context, generate_files
    from cookiecutter.prompt import prompt_for_config

    try:
        context = generate_context(
            context_file=str(repo / "cookiecutter.json"),
            default_context={},
            extra_context=context_overrides,
        )
        context["cookiecutter"] = prompt_for_config(context, no_input=True)
        context["cookiecutter"].update(
            {"_template": str(repo), "_output_dir": str(output_dir), "_repo_dir": str(repo)}
        )
        generated = Path(
            generate_files(
                repo_dir=str(repo),
                context=context,
                output_dir=str(output_dir),
                accept_hooks=accept_hooks,
            )
        )
    except FailedHookException as exc:
        raise UserError(f"the instance template refused the values: {exc}") from exc
    except (CookiecutterException, ValueError) as exc:
        raise UserError(f"rendering the instance template failed: {exc}") from exc
    # pip byte-compiles the template's example plugin on install; its cache
    # (copied verbatim, see _copy_without_render) does not belong in an instance.
    for cache_dir in list(generated.rglob("__pycache__")):
        shutil.rmtree(cache_dir, ignore_errors=True)
    return generated


def _render(context_overrides: dict[str, Any], output_dir: Path) -> Path:
    """Render the shipped template into ``output_dir``, its validating hook included."""
    return render_template(template_dir(), context_overrides, output_dir, accept_hooks=True)


def resolve_context(name: str, overrides: dict[str, str]) -> dict[str, Any]:
    """The template variables for ``name`` and ``overrides``, validated.

    Raises :class:`UserError` for an unknown key (listing the known ones)
    or any invalid value (naming each key).
    """
    from . import __version__

    defaults = template_defaults()
    settable = [k for k in defaults if k != _NAME_KEY]
    if _NAME_KEY in overrides:
        raise UserError(f"--set {_NAME_KEY}: the name is given with --name")
    unknown = [k for k in overrides if k not in settable and k not in settings_keys()]
    if unknown:
        raise UserError(
            f"--set {', '.join(unknown)}: unknown key (known: {', '.join(settable)}; "
            "and the settings listed by 'willkommen new --help', e.g. web.secure_cookies)",
        )
    overrides = {k: v for k, v in overrides.items() if k in settable}
    values: dict[str, Any] = {
        _NAME_KEY: name.strip(),
        "slug": slugify(name),
        "city": place_name(name.strip()),
        # Every module of the toolkit, as the state rollout enables them.
        "modules": ",".join(builtin_plugins()),
        "toolkit_version": __version__,
    }
    values.update(overrides)
    origin = {k: "--set" for k in overrides} | {_NAME_KEY: "--name"}
    if "slug" not in overrides:
        origin["slug"] = "--name (derived slug)"
    if "city" not in overrides:
        origin["city"] = "--name (derived city)"
    # A choice variable defaults to its first entry, as in cookiecutter.
    full = {k: values.get(k, v[0] if isinstance(v, list) else v) for k, v in defaults.items()}
    if isinstance(defaults.get("model_authority"), bool) and isinstance(
        full["model_authority"], str
    ):
        flag = full["model_authority"].strip().lower()
        if flag not in ("true", "false", "yes", "no", "1", "0"):
            raise UserError(
                f"--set model_authority: {full['model_authority']!r} is not true or false"
            )
        values["model_authority"] = flag in ("true", "yes", "1")
    problems = [
        Problem("--set", p.key, f"required: {REQUIRED[p.key]}")
        if p.key in REQUIRED and not str(full.get(p.key, "")).strip()
        else p
        for p in validate_context(full, origin)
    ]
    if problems:
        raise UserError("cannot create the instance:", problems)
    return values


def new_instance(directory: Path, name: str, overrides: dict[str, str]) -> Path:
    """Create the instance for authority ``name`` in ``directory`` (the instance folder).

    ``directory`` must not exist or be empty. Returns the resolved folder.
    """
    from .instance import Instance
    from .rollout import summary

    target = Path(directory).resolve()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise UserError(f"{directory}: exists and is not empty; choose a new folder")
    settings, problems = _setting_values({k: v for k, v in overrides.items() if "." in k})
    try:
        values = resolve_context(name, {k: v for k, v in overrides.items() if "." not in k})
    except UserError as exc:
        raise UserError(str(exc.args[0]), exc.problems + problems) from exc
    if problems:
        raise UserError("cannot create the instance:", problems)
    target.parent.mkdir(parents=True, exist_ok=True)
    created_target = not target.exists()
    # Render next to the target (same file system), then move into place.
    staging = Path(tempfile.mkdtemp(prefix=".willkommen-new-", dir=target.parent))
    try:
        rendered = _render(values, staging)
        _write_secret_env(rendered)
        _write_settings(rendered, settings)
        # The key that signs its summaries for the ministry (as the rollout makes it).
        summary.ensure_key(rendered)
        if not created_target:
            target.rmdir()
        rendered.rename(target)
        try:
            # Everything but the (not yet created) tables: settings, plugins, content.
            instance = Instance.open(target)
            problems = instance.check(database=False)
            if problems:
                raise UserError(f"the instance at {target} has problems:", problems)
        except UserError as exc:
            shutil.rmtree(target, ignore_errors=True)
            if not created_target:
                target.mkdir()
            raise UserError(
                f"the generated instance is not valid, nothing was created: {exc.args[0]}",
                exc.problems,
            ) from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def is_instance(directory: Path) -> bool:
    return (Path(directory) / SETTINGS_FILE).is_file()
