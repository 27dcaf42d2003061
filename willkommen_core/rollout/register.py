"""The register of authorities: read a TOML or CSV file, validate every entry.

A register is validated completely before the rollout writes anything: every
problem is reported at once, each naming the file and the line it is on
(``registers/x.toml:42: authority[3].postcode: '3910' is not a German
postcode``). The values are checked by the same function as the instance
template's own pre-generation hook (:func:`willkommen_core.scaffold.validate_context`),
so a register that passes here renders.

TOML layout (see ``registers/sachsen-anhalt.toml``)::

    federal_state = "Sachsen-Anhalt"
    [defaults]                 # optional: languages, modules, database_url
    [[authority]]              # one block per authority
    name = "..."  slug = "..." (optional, derived from the name)  type = "..."
    [[authority.sites]]        # one or more sites with visiting address

CSV: one row per authority with the columns of :data:`CSV_COLUMNS`; a row
with an empty ``name`` and the ``slug`` of an earlier row adds a site to it.
"""

from __future__ import annotations

import csv
import io
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import Problem, UserError
from ..scaffold import builtin_plugins, installed_plugins, slugify, validate_context

ALL_MODULES = "all"
"""``modules = "all"``: the toolkit's own modules; third-party ones are named explicitly."""
DEFAULT_LANGUAGES = ["de", "en", "uk", "ar", "fa", "ru", "pl", "ro", "tr", "ps"]
DEFAULT_DATABASE_URL = "sqlite:///willkommen.db"

_AUTHORITY_KEYS = {
    "name",
    "slug",
    "type",
    "federal_state",
    "sites",
    "contact_email",
    "phone",
    "model_authority",
    "languages",
    "modules",
    "database_url",
}
_DEFAULT_KEYS = {"languages", "modules", "database_url", "federal_state"}
_SITE_KEYS = ("name", "street", "postcode", "city")
CSV_COLUMNS = (
    "name",
    "slug",
    "type",
    "federal_state",
    "site_name",
    "street",
    "postcode",
    "city",
    "contact_email",
    "phone",
    "model_authority",
    "languages",
    "modules",
    "database_url",
)
# Template variable -> register key, so a problem found by validate_context
# names the key the ministry wrote.
_TEMPLATE_TO_REGISTER = {
    "authority_name": "name",
    "authority_type": "type",
    "site_name": "sites[0].name",
    "street": "sites[0].street",
    "postcode": "sites[0].postcode",
    "city": "sites[0].city",
}


@dataclass(frozen=True)
class Site:
    name: str
    street: str
    postcode: str
    city: str


@dataclass
class Entry:
    """One authority of the register, with the line it starts on."""

    line: int
    name: str
    slug: str
    type: str
    federal_state: str
    sites: list[Site]
    contact_email: str = ""
    phone: str = ""
    model_authority: bool = False
    languages: list[str] = field(default_factory=lambda: list(DEFAULT_LANGUAGES))
    modules: list[str] = field(default_factory=list)
    database_url: str = DEFAULT_DATABASE_URL

    def context(self, toolkit_version: str) -> dict[str, Any]:
        """The instance template's variables for this authority."""
        main, *more = self.sites
        return {
            "authority_name": self.name,
            "slug": self.slug,
            "authority_type": self.type,
            "federal_state": self.federal_state,
            "site_name": main.name,
            "street": main.street,
            "postcode": main.postcode,
            "city": main.city,
            "extra_sites": {"sites": [vars(s).copy() for s in more]},
            "contact_email": self.contact_email,
            "phone": self.phone,
            "model_authority": self.model_authority,
            "languages": ",".join(self.languages),
            "modules": ",".join(self.modules),
            "database_url": self.database_url.replace("{slug}", self.slug),
            "toolkit_version": toolkit_version,
        }


@dataclass
class Register:
    path: Path
    authorities: list[Entry]

    @property
    def label(self) -> str:
        return str(self.path)

    def select(self, only: list[str] | tuple[str, ...]) -> list[Entry]:
        """The entries named in ``only`` (all when empty); an unknown slug is a UserError."""
        if not only:
            return list(self.authorities)
        known = {e.slug: e for e in self.authorities}
        unknown = [s for s in only if s not in known]
        if unknown:
            raise UserError(
                f"--only {', '.join(unknown)}: not in {self.label} "
                f"(slugs: {', '.join(sorted(known))})"
            )
        return [e for e in self.authorities if e.slug in set(only)]


def shipped_registers() -> dict[str, Path]:
    """Registers shipped with the toolkit, by name (``sachsen-anhalt``)."""
    folder = Path(str(resources.files(__package__).joinpath("registers")))
    return {p.stem: p for p in sorted(folder.glob("*.toml"))}


def resolve(name_or_path: str | Path) -> Path:
    """A register file: a path, or the bare name of a shipped register."""
    path = Path(name_or_path)
    if path.is_file():
        return path
    shipped = shipped_registers()
    if str(name_or_path) in shipped:
        return shipped[str(name_or_path)]
    raise UserError(
        f"{name_or_path}: no such register file (shipped registers: {', '.join(shipped) or 'none'})"
    )


def load(name_or_path: str | Path) -> Register:
    """Read and validate a register; raises UserError listing every problem with its line."""
    path = resolve(name_or_path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UserError(f"{path}: not UTF-8 text: {exc}") from exc
    reader = _CsvReader(path, text) if path.suffix.lower() == ".csv" else _TomlReader(path, text)
    entries = reader.entries()
    problems = reader.problems + _validate(entries, reader)
    if problems:
        raise UserError(
            f"the register {path} has {len(problems)} problem(s); nothing was written:", problems
        )
    return Register(path, entries)


# -- validation shared by both formats -----------------------------------------------


def _validate(entries: list[Entry], reader: _Reader) -> list[Problem]:
    from .. import __version__

    problems: list[Problem] = []
    known = installed_plugins()
    reported = {p.key for p in reader.problems}  # e.g. "is required": not again as "invalid"
    seen: dict[str, Entry] = {}
    models = [e for e in entries if e.model_authority]
    for index, entry in enumerate(entries):
        where = f"authority[{index}]"
        if entry.modules == [ALL_MODULES]:
            # Not whatever happens to be pip-installed where the rollout runs.
            entry.modules = builtin_plugins()
        elif ALL_MODULES in entry.modules:
            problems.append(
                Problem(
                    reader.where(index, "modules"),
                    f"{where}.modules",
                    f'"{ALL_MODULES}" stands alone: modules = "{ALL_MODULES}" or a list of names',
                )
            )
            entry.modules = [m for m in entry.modules if m != ALL_MODULES]
        ctx = entry.context(__version__)
        for p in validate_context(ctx, known_modules=known):
            key = _TEMPLATE_TO_REGISTER.get(p.key, p.key).replace("extra_sites.sites[", "sites[")
            if p.key.startswith("extra_sites.sites["):
                # extra site i is site i + 1 of the register entry
                number = int(p.key.split("[", 1)[1].split("]", 1)[0])
                key = f"sites[{number + 1}]" + p.key.split("]", 1)[1]
            if f"{where}.{key}" not in reported:
                problems.append(
                    Problem(reader.where(index, key), f"{where}.{key}", _register_reason(p))
                )
        if entry.slug in seen:
            first = seen[entry.slug]
            problems.append(
                Problem(
                    reader.where(index, "slug"),
                    f"{where}.slug",
                    f"duplicate slug {entry.slug!r}: {first.name!r} on line {first.line} "
                    "has it already (set a distinct slug)",
                )
            )
        else:
            seen[entry.slug] = entry
    if len(models) > 1:
        problems.append(
            Problem(
                reader.where(entries.index(models[1]), "model_authority"),
                "model_authority",
                f"only one model authority allowed; {models[0].name!r} on line "
                f"{models[0].line} is one already",
            )
        )
    if not entries and not reader.problems:
        problems.append(Problem(str(reader.path), "authority", "lists no authority"))
    return problems


def _register_reason(problem: Problem) -> str:
    return problem.reason.replace("(installed: ", "(installed here: ")


def _as_list(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [part.strip() for part in re.split(r"[,;]", str(value)) if part.strip()]


class _Reader:
    path: Path
    problems: list[Problem]

    def entries(self) -> list[Entry]:
        raise NotImplementedError

    def where(self, index: int, key: str) -> str:
        raise NotImplementedError


# -- TOML ------------------------------------------------------------------------------

_HEADER = re.compile(r"^\s*\[\[\s*authority\s*\]\]")
_SITE_HEADER = re.compile(r"^\s*\[\[\s*authority\s*\.\s*sites\s*\]\]")
_ANY_HEADER = re.compile(r"^\s*\[")


class _TomlReader(_Reader):
    """tomllib for the data; the lines of each ``[[authority]]`` block from the text."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.text = text
        self.lines = text.splitlines()
        self.problems = []
        self.blocks: list[tuple[int, int]] = []  # (first line index, end) of each authority
        self.site_lines: list[list[int]] = []
        starts = [i for i, line in enumerate(self.lines) if _HEADER.match(line)]
        for n, start in enumerate(starts):
            end = starts[n + 1] if n + 1 < len(starts) else len(self.lines)
            # Stop at an unrelated table after the authority's own ones.
            for i in range(start + 1, end):
                line = self.lines[i]
                if _ANY_HEADER.match(line) and not _SITE_HEADER.match(line):
                    end = i
                    break
            self.blocks.append((start, end))
            self.site_lines.append(
                [i for i in range(start, end) if _SITE_HEADER.match(self.lines[i])]
            )

    def where(self, index: int, key: str) -> str:
        return f"{self.path}:{self._line(index, key)}"

    def _line(self, index: int, key: str) -> int:
        if index >= len(self.blocks):
            return 1
        start, end = self.blocks[index]
        lo, hi = start, end
        match = re.match(r"sites\[(\d+)\](?:\.(\w+))?", key)
        if match:
            sites = self.site_lines[index]
            number = int(match.group(1))
            if number < len(sites):
                lo = sites[number]
                hi = sites[number + 1] if number + 1 < len(sites) else end
                key = match.group(2) or ""
            else:
                key = "sites"
        elif self.site_lines[index]:
            hi = self.site_lines[index][0]
        if key:
            pattern = re.compile(rf"^\s*{re.escape(key.split('.')[0])}\s*=")
            for i in range(lo, hi):
                if pattern.match(self.lines[i]):
                    return i + 1
        return lo + 1

    def entries(self) -> list[Entry]:
        try:
            data = tomllib.loads(self.text)
        except tomllib.TOMLDecodeError as exc:
            # The message ends with "(at line N, column M)".
            found = re.search(r"at line (\d+)", str(exc))
            line = found.group(1) if found else "1"
            self.problems.append(Problem(f"{self.path}:{line}", "", f"invalid TOML: {exc}"))
            return []
        top_unknown = sorted(set(data) - {"federal_state", "defaults", "authority", "title"})
        for key in top_unknown:
            self.problems.append(
                Problem(
                    self._top_line(key),
                    key,
                    "unknown key (known: federal_state, defaults, authority)",
                )
            )
        defaults = data.get("defaults", {})
        if not isinstance(defaults, dict):
            defaults = {}
        for key in sorted(set(defaults) - _DEFAULT_KEYS):
            self.problems.append(
                Problem(
                    self._top_line(key),
                    f"defaults.{key}",
                    f"unknown key (known: {', '.join(sorted(_DEFAULT_KEYS))})",
                )
            )
        raw = data.get("authority", [])
        if not isinstance(raw, list):
            self.problems.append(
                Problem(self._top_line("authority"), "authority", "must be [[authority]] blocks")
            )
            return []
        state = data.get("federal_state", defaults.get("federal_state", ""))
        return [
            self._entry(i, item, state, defaults)
            for i, item in enumerate(raw)
            if isinstance(item, dict)
        ]

    def _top_line(self, key: str) -> str:
        pattern = re.compile(rf"^\s*{re.escape(key)}\s*=|^\s*\[\[?\s*{re.escape(key)}\b")
        for i, line in enumerate(self.lines):
            if pattern.match(line):
                return f"{self.path}:{i + 1}"
        return f"{self.path}:1"

    def _entry(
        self, index: int, item: dict[str, Any], state: str, defaults: dict[str, Any]
    ) -> Entry:
        where = f"authority[{index}]"
        for key in sorted(set(item) - _AUTHORITY_KEYS):
            self.problems.append(
                Problem(
                    self.where(index, key),
                    f"{where}.{key}",
                    f"unknown key (known: {', '.join(sorted(_AUTHORITY_KEYS))})",
                )
            )
        for key in ("name", "type", "sites"):
            if key not in item:
                self.problems.append(
                    Problem(self.where(index, ""), f"{where}.{key}", "is required")
                )
        sites = []
        raw_sites = item.get("sites", [])
        for n, site in enumerate(raw_sites if isinstance(raw_sites, list) else []):
            if not isinstance(site, dict):
                continue
            for key in sorted(set(site) - set(_SITE_KEYS)):
                self.problems.append(
                    Problem(
                        self.where(index, f"sites[{n}].{key}"),
                        f"{where}.sites[{n}].{key}",
                        "unknown key",
                    )
                )
            for key in _SITE_KEYS:
                if key not in site:
                    self.problems.append(
                        Problem(
                            self.where(index, f"sites[{n}]"),
                            f"{where}.sites[{n}].{key}",
                            "is required",
                        )
                    )
            sites.append(Site(*(str(site.get(k, "")).strip() for k in _SITE_KEYS)))
        if "sites" in item and not sites:
            self.problems.append(
                Problem(self.where(index, "sites"), f"{where}.sites", "needs at least one site")
            )
        name = str(item.get("name", "")).strip()
        model = item.get("model_authority", False)
        if not isinstance(model, bool):
            self.problems.append(
                Problem(
                    self.where(index, "model_authority"),
                    f"{where}.model_authority",
                    "must be true or false",
                )
            )
            model = False
        return Entry(
            line=self.blocks[index][0] + 1 if index < len(self.blocks) else 1,
            name=name,
            slug=str(item.get("slug") or slugify(name)).strip(),
            type=str(item.get("type", "")).strip(),
            federal_state=str(item.get("federal_state", state)).strip(),
            sites=sites or [Site("", "", "", "")],
            contact_email=str(item.get("contact_email", "")).strip(),
            phone=str(item.get("phone", "")).strip(),
            model_authority=model,
            languages=_as_list(item.get("languages", defaults.get("languages", DEFAULT_LANGUAGES))),
            modules=_as_list(item.get("modules", defaults.get("modules", ALL_MODULES))),
            database_url=str(
                item.get("database_url", defaults.get("database_url", DEFAULT_DATABASE_URL))
            ).strip(),
        )


# -- CSV -------------------------------------------------------------------------------


class _CsvReader(_Reader):
    """One row per authority (line numbers as a spreadsheet shows them)."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.text = text
        self.problems = []
        self.lines: list[int] = []  # line of each entry
        self.site_rows: list[list[int]] = []

    def where(self, index: int, key: str) -> str:
        if index >= len(self.lines):
            return f"{self.path}:1"
        match = re.match(r"sites\[(\d+)\]", key)
        if match and int(match.group(1)) < len(self.site_rows[index]):
            return f"{self.path}:{self.site_rows[index][int(match.group(1))]}"
        return f"{self.path}:{self.lines[index]}"

    def entries(self) -> list[Entry]:
        sample = self.text[:4096]
        delimiter = ";" if sample.count(";") > sample.count(",") else ","
        reader = csv.reader(io.StringIO(self.text, newline=""), delimiter=delimiter)
        try:
            header = [h.strip().lower() for h in next(reader)]
        except StopIteration:
            self.problems.append(
                Problem(f"{self.path}:1", "", "empty file (expected a header row)")
            )
            return []
        unknown = [h for h in header if h not in CSV_COLUMNS]
        if unknown:
            self.problems.append(
                Problem(
                    f"{self.path}:1",
                    ", ".join(unknown),
                    f"unknown column(s) (known: {', '.join(CSV_COLUMNS)})",
                )
            )
        missing = [
            c
            for c in ("name", "type", "federal_state", "street", "postcode", "city")
            if c not in header
        ]
        if missing:
            self.problems.append(
                Problem(f"{self.path}:1", ", ".join(missing), "required column(s) missing")
            )
            return []
        entries: list[Entry] = []
        by_slug: dict[str, int] = {}
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                self.problems.append(
                    Problem(f"{self.path}:{reader.line_num}", "", f"bad CSV: {exc}")
                )
                break
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                self.problems.append(
                    Problem(
                        f"{self.path}:{line}",
                        "",
                        f"has {len(row)} cells, the header has {len(header)}",
                    )
                )
                continue
            values = {h: cell.strip() for h, cell in zip(header, row, strict=True)}
            site = Site(
                values.get("site_name") or "Hauptsitz",
                values.get("street", ""),
                values.get("postcode", ""),
                values.get("city", ""),
            )
            if not values["name"] and values.get("slug") in by_slug:
                index = by_slug[values["slug"]]
                entries[index].sites.append(site)
                self.site_rows[index].append(line)
                continue
            model = values.get("model_authority", "").lower()
            if model not in ("", "true", "false", "ja", "nein", "yes", "no", "1", "0"):
                self.problems.append(
                    Problem(
                        f"{self.path}:{line}", "model_authority", f"{model!r} is not true or false"
                    )
                )
            entry = Entry(
                line=line,
                name=values["name"],
                slug=values.get("slug") or slugify(values["name"]),
                type=values.get("type", ""),
                federal_state=values.get("federal_state", ""),
                sites=[site],
                contact_email=values.get("contact_email", ""),
                phone=values.get("phone", ""),
                model_authority=model in ("true", "ja", "yes", "1"),
                languages=_as_list(values.get("languages") or DEFAULT_LANGUAGES),
                modules=_as_list(values.get("modules") or ALL_MODULES),
                database_url=values.get("database_url") or DEFAULT_DATABASE_URL,
            )
            by_slug.setdefault(entry.slug, len(entries))
            entries.append(entry)
            self.lines.append(line)
            self.site_rows.append([line])
        return entries
