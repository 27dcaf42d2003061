"""What each language of an instance lacks, per page group (``willkommen check``).

- Staff pages are offered in a language only when its catalogues are complete
  (:func:`willkommen_core.i18n.staff_languages`): German and English, and any
  other language translated in full.
- Customer and participant pages are offered in every language of the
  instance. Their texts are those translated for customers in any of the
  instance's other languages (a catalogue of a customer language holds only
  them): a text that one customer language has and another lacks is missing
  there, and the page would fall back. The content of modules with such pages
  (the questionnaire, the partner categories, the first information) is checked
  for texts kept only in German and English.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from babel.messages.pofile import read_po

from . import i18n

if TYPE_CHECKING:
    from .instance import Instance

SHOWN = 3
"""Missing texts quoted per line; the count says how many there are."""


def _translated(path: Path) -> set[str]:
    with path.open("rb") as f:
        return {
            m.id if isinstance(m.id, str) else m.id[0]
            for m in read_po(f)
            if m.id and m.string and not m.fuzzy
        }


def _catalogues(dirs: Iterable[Path], lang: str) -> dict[str, set[str]]:
    """Translated msgids of ``lang`` per catalogue (its domain: ``willkommen``, a module)."""
    found: dict[str, set[str]] = {}
    for folder in dirs:
        for path in sorted((folder / lang / "LC_MESSAGES").glob("*.po")):
            found.setdefault(path.stem, set()).update(_translated(path))
    return found


def _quoted(texts: Iterable[str]) -> str:
    texts = sorted(texts)
    shown = ", ".join(f"„{t[:60]}{'…' if len(t) > 60 else ''}“" for t in texts[:SHOWN])
    return shown + (f" and {len(texts) - SHOWN} more" if len(texts) > SHOWN else "")


def report(languages: list[str], dirs: Iterable[Path]) -> list[str]:
    """One line per language and page group that lacks something, or is not offered."""
    dirs = tuple(dirs)
    customer = [code for code in languages if code not in (i18n.SOURCE_LANGUAGE, "en")]
    per_language = {code: _catalogues(dirs, code) for code in customer}
    wanted: dict[str, set[str]] = {}
    for catalogues in per_language.values():
        for domain, ids in catalogues.items():
            wanted.setdefault(domain, set()).update(ids)
    lines = []
    for code in languages:
        staff_missing = i18n.missing_messages(code, dirs)
        if staff_missing:
            lines.append(
                f"{code}: staff pages not offered, {len(staff_missing)} interface texts "
                f"untranslated (staff who ask for {code} get English or German)"
            )
        for domain, ids in sorted(wanted.items()):
            if code not in per_language:
                continue
            missing = ids - per_language[code].get(domain, set())
            if missing:
                lines.append(
                    f"{code}: customer and participant pages ({domain}): {len(missing)} "
                    f"texts untranslated: {_quoted(missing)}"
                )
    return lines


def _tables(node: Any) -> list[dict[str, Any]]:
    """The tables of a content file that hold a text per language (``{de=..., en=...}``)."""
    if isinstance(node, dict):
        own = [node] if isinstance(node.get("de"), str) and isinstance(node.get("en"), str) else []
        return own + [t for v in node.values() for t in _tables(v)]
    if isinstance(node, list):
        return [t for v in node for t in _tables(v)]
    return []


def content_report(instance: Instance, languages: list[str]) -> list[str]:
    """What the content of modules with customer or participant pages lacks per
    language: texts kept beside the German (``text.ar``), or a language's own file
    beside ``de.toml``. The instance's own files (``content/<module>/``) count."""
    from .instance import shipped_content_dir

    customer = [code for code in languages if code not in (i18n.SOURCE_LANGUAGE, "en")]
    lines = []
    routes = instance.plugins.call_each("web_routes", instance=instance)
    for module, pages in sorted(routes.items()):
        audiences = {getattr(page, "audience", "staff") for page in pages or []}
        group = "participant" if "participants" in audiences else "customer"
        if not audiences & {"customers", "participants"}:
            continue
        shipped = shipped_content_dir() / module
        for rel in sorted(p.relative_to(shipped) for p in shipped.rglob("*.toml")):
            path = instance.content_path(module, *rel.parts)
            if rel.name == "de.toml":
                for code in customer:
                    if not instance.content_path(
                        module, *rel.parent.parts, f"{code}.toml"
                    ).exists():
                        lines.append(
                            f"{code}: {group} pages ({module}): no {rel.parent / code}.toml"
                        )
                continue
            try:
                tables = _tables(tomllib.loads(path.read_text(encoding="utf-8")))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
                continue  # named by the module's own content check
            for code in customer:
                missing = [t["de"] for t in tables if not t.get(code)]
                if missing:
                    lines.append(
                        f"{code}: {group} pages ({module}, {rel}): {len(missing)} texts only in "
                        f"German and English: {_quoted(missing)}"
                    )
    return lines


def instance_report(instance: Instance) -> list[str]:
    """:func:`report` for ``instance`` (its languages, the core's and its modules'
    catalogues), then :func:`content_report`."""
    dirs = (i18n.CORE_LOCALE_DIR, *instance.plugins.locale_dirs())
    languages = list(instance.settings.languages)
    return report(languages, dirs) + content_report(instance, languages)
