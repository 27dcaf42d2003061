"""Instance settings: ``willkommen.toml`` + ``WILLKOMMEN_*`` environment + ``.env``.

The core model below is extended per instance by one section per enabled
plugin (hook ``settings_model``), so a single validation reports every
problem with the file (or environment variable) and key it comes from.
Secrets (``secret_key``, database passwords) belong in the environment or
the instance's ``.env`` file, never in ``willkommen.toml``.
"""

from __future__ import annotations

import contextlib
import os
import re
import tomllib
from collections.abc import Mapping
from datetime import date, time
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from babel import Locale, UnknownLocaleError
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    create_model,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    DotEnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from .domain import ROLES
from .errors import Problem

SETTINGS_FILE = "willkommen.toml"
ENV_FILE = ".env"
ENV_PREFIX = "WILLKOMMEN_"
SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
AUTHORITY_TYPES = ("Landkreis", "kreisfreie Stadt", "sonstige")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


WEEKDAYS = ("mo", "di", "mi", "do", "fr", "sa", "so")


class OpeningHours(_Strict):
    """One line of a site's opening hours: ``{days = ["mo", "di"], opens = "08:00",
    closes = "12:00"}``; pages show the day names in the reader's language (CLDR)."""

    days: list[Literal["mo", "di", "mi", "do", "fr", "sa", "so"]] = Field(min_length=1)
    opens: time
    closes: time

    @field_validator("days")
    @classmethod
    def _days_once(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("lists a day twice")
        return sorted(value, key=WEEKDAYS.index)

    @field_validator("closes")
    @classmethod
    def _after_opening(cls, value: time, info: Any) -> time:
        opens = info.data.get("opens")
        if opens is not None and value <= opens:
            raise ValueError("must be after opens")
        return value


class Site(_Strict):
    """A site (Standort) of the authority with its visiting address."""

    name: str = Field(min_length=1)
    street: str = Field(min_length=1)
    postcode: str = Field(pattern=r"^\d{5}$")
    city: str = Field(min_length=1)
    opening_hours: list[OpeningHours] = Field(default_factory=list)
    """Shown on the public start page; none: "by appointment"."""


class Authority(_Strict):
    name: str = Field(min_length=3, max_length=200)
    slug: str = Field(pattern=SLUG_PATTERN, max_length=63)
    type: Literal["Landkreis", "kreisfreie Stadt", "sonstige"] = "sonstige"
    federal_state: str = Field(min_length=2)
    sites: list[Site] = Field(min_length=1)
    contact_email: str = Field(default="", pattern=r"^$|^[^@\s]+@[^@\s]+\.[^@\s]+$")
    phone: str = ""
    model_authority: bool = False
    """Marks the authority whose process is the model (Magdeburg)."""


class PluginsSection(_Strict):
    enabled: list[str] = Field(default_factory=list)
    strict: bool = False
    """A plugin that fails to load stops the instance instead of being marked failed."""


class WebSection(_Strict):
    secure_cookies: bool = True
    """Send cookies only over HTTPS; switch off only for a local demo on http://."""
    session_max_age: int = Field(default=8 * 3600, ge=300, le=7 * 24 * 3600)
    login_max_failures: int = Field(default=5, ge=1, le=100)
    """Failed logins a client may make before it has to wait (see ``accounts``)."""
    login_lockout_minutes: int = Field(default=15, ge=1, le=24 * 60)
    """The longest wait between tries of a failing client; never a lockout of the owner."""
    accessibility_contact: str = ""
    """E-mail or postal address for feedback on barriers (BITV 2.0 § 7)."""
    sign_language_video_url: str = Field(
        default="", pattern=r"^$|^https://\S+$|^/\S*$", max_length=500
    )
    """The authority's video in German Sign Language (BITV 2.0 § 4), linked from the
    start page when set: an https:// address or a path on this server."""
    require_two_factor_for: list[str] = Field(default_factory=list)
    """Roles whose password logins need a second factor (TOTP), e.g. ``["admin",
    "leitung"]``: whoever has such a role and has not set it up must do so
    before any other page opens. Logins through OpenID Connect are left to the
    identity provider."""

    @field_validator("require_two_factor_for")
    @classmethod
    def _known_roles(cls, value: list[str]) -> list[str]:
        for role in value:
            if role not in ROLES:
                raise ValueError(f"unknown role {role!r} (known: {', '.join(ROLES)})")
        if len(set(value)) != len(value):
            raise ValueError("lists a role twice")
        return value


LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


class OidcSection(_Strict):
    """Login through the state's or the municipality's identity provider (OpenID Connect).

    The client secret comes from ``WILLKOMMEN_OIDC__CLIENT_SECRET`` in the
    environment or ``.env``, never from ``willkommen.toml``.
    """

    issuer: str = Field(min_length=1, max_length=500)
    """The provider's issuer URL, e.g. ``https://login.example.de/realms/behoerde``
    (Keycloak); its discovery document is read from ``/.well-known/openid-configuration``."""
    client_id: str = Field(min_length=1, max_length=200)
    client_secret: SecretStr | None = Field(default=None, validate_default=True)
    display_name: str = Field(default="Identitätsanbieter", min_length=1, max_length=80)
    """The provider's name on the login button: "Mit <display_name> anmelden"."""
    scopes: list[str] = Field(default_factory=lambda: ["openid", "profile", "email"])
    username_claim: str = Field(default="preferred_username", min_length=1)
    """The claim that names a new local account (accounts are found by ``sub`` after that)."""
    roles_claim: str = Field(default="roles", min_length=1)
    """The claim holding the person's roles at the provider: a string or a list of
    strings; a dotted path reads nested claims, e.g. ``realm_access.roles``."""
    role_map: dict[str, str] = Field(min_length=1)
    """Claim value -> role, e.g. ``"willkommen-it" = "admin"``. A login whose claim
    holds none of these values is refused; with several, the first role of
    ``admin, leitung, redaktion, vertrauensperson`` wins."""
    create_accounts: bool = True
    """Create a local account at a person's first login; with ``false`` an admin
    must have created the account ("Anmeldung über den Identitätsanbieter")."""
    logout_at_provider: bool = True
    """Logging out also ends the session at the provider (RP-initiated logout)
    when its discovery document names an ``end_session_endpoint``."""

    @field_validator("issuer")
    @classmethod
    def _https_issuer(cls, value: str) -> str:
        parts = urlsplit(value)
        host = (parts.hostname or "").lower()
        if parts.scheme == "https" and host:
            return value.rstrip("/")
        if parts.scheme == "http" and host in LOOPBACK_HOSTS:
            return value.rstrip("/")  # a provider on this machine (tests, trying it out)
        raise ValueError("must be an https:// URL (http:// only for localhost)")

    @field_validator("client_secret")
    @classmethod
    def _secret_given(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            raise ValueError(
                f"is missing: put {ENV_PREFIX}OIDC__CLIENT_SECRET=<the client's secret> "
                f"into {ENV_FILE} or the environment"
            )
        return value

    @field_validator("scopes")
    @classmethod
    def _openid_scope(cls, value: list[str]) -> list[str]:
        if "openid" not in value:
            raise ValueError("must include 'openid'")
        if any(not s or any(c.isspace() for c in s) for s in value):
            raise ValueError("each scope is one word")
        return value

    @field_validator("role_map")
    @classmethod
    def _mapped_roles(cls, value: dict[str, str]) -> dict[str, str]:
        for claim_value, role in value.items():
            if role not in ROLES:
                raise ValueError(
                    f"{claim_value!r} maps to unknown role {role!r} (known: {', '.join(ROLES)})"
                )
        return value


class Enforcement(_Strict):
    """The state's body for the enforcement procedure (Durchsetzungs-/Schlichtungsverfahren)."""

    name: str = Field(min_length=3, max_length=300)
    address: str = ""
    email: str = Field(default="", pattern=r"^$|^[^@\s]+@[^@\s]+\.[^@\s]+$")
    phone: str = ""
    url: str = Field(default="", pattern=r"^$|^https://\S+$")
    law: str = ""
    """The provision it acts under, e.g. "§ 16 BGG LSA"."""


SAXONY_ANHALT_ENFORCEMENT = Enforcement(
    # Set up under § 16 of the state's equality law (BGG LSA, amended 2019 for
    # directive (EU) 2016/2102). Authorities outside Saxony-Anhalt set their own.
    name="Schlichtungsstelle bei der Landesbeauftragten für Menschen mit Behinderungen "
    "des Landes Sachsen-Anhalt",
    address="Turmschanzenstraße 25, 39114 Magdeburg",
    law="§ 16 BGG LSA",
)


class AccessibilitySection(_Strict):
    """The accessibility statement (BITV 2.0 § 7, EU model statement 2018/1523)."""

    prepared: date = date(2026, 11, 26)
    """When the statement was prepared: the toolkit's own assessment by default."""
    reviewed: date = date(2026, 11, 26)
    """When it was last reviewed; must not be before ``prepared``."""
    conformance: Literal["vollstaendig", "teilweise", "nicht"] = "vollstaendig"
    """Compliance with BITV 2.0: fully, partially or not; "teilweise" and "nicht" need
    ``non_accessible``."""
    non_accessible: list[str] = Field(default_factory=list)
    """Parts that are not accessible and why (German), e.g. a local PDF form."""
    enforcement: Enforcement = Field(default_factory=lambda: SAXONY_ANHALT_ENFORCEMENT)

    @field_validator("reviewed")
    @classmethod
    def _reviewed_after_prepared(cls, value: date, info: Any) -> date:
        prepared = info.data.get("prepared")
        if prepared is not None and value < prepared:
            raise ValueError("must not be before prepared")
        return value

    @field_validator("non_accessible")
    @classmethod
    def _no_empty_entries(cls, value: list[str]) -> list[str]:
        if any(not v.strip() for v in value):
            raise ValueError("has an empty entry")
        return [v.strip() for v in value]

    @model_validator(mode="after")
    def _barriers_named(self) -> AccessibilitySection:
        if self.conformance != "vollstaendig" and not self.non_accessible:
            raise ValueError(
                f'conformance "{self.conformance}" needs non_accessible: name the parts'
            )
        return self


class PrivacySection(_Strict):
    min_group_size: int = Field(default=5, ge=3, le=1000)
    """Smallest group whose aggregated answers are shown anywhere (never below 3)."""


class AuditSection(_Strict):
    retention_days: int = Field(default=365, ge=30, le=3650)
    """Days an audit log entry is kept (see :mod:`willkommen_core.audit`); older ones
    are deleted. Match it to the authority's rules for log data (often 90 days to a year)."""


class CoreSettings(BaseSettings):
    """The settings every instance has, whatever plugins it enables."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter="__",
        extra="ignore",
        validate_default=True,
    )

    schema_version: int = 1
    """Layout of willkommen.toml; see :mod:`willkommen_core.config_migrate`."""
    authority: Authority
    languages: list[str] = Field(default_factory=lambda: ["de", "en"], min_length=1)
    database_url: str = "sqlite:///willkommen.db"
    secret_key: SecretStr | None = None
    plugins: PluginsSection = Field(default_factory=PluginsSection)
    web: WebSection = Field(default_factory=WebSection)
    privacy: PrivacySection = Field(default_factory=PrivacySection)
    audit: AuditSection = Field(default_factory=AuditSection)
    accessibility: AccessibilitySection = Field(default_factory=AccessibilitySection)
    oidc: OidcSection | None = None
    """Login through an OpenID Connect provider; absent: passwords only."""

    @field_validator("languages")
    @classmethod
    def _known_languages(cls, value: list[str]) -> list[str]:
        for code in value:
            try:
                Locale.parse(code)
            except (UnknownLocaleError, ValueError) as exc:
                raise ValueError(f"unknown language code {code!r}") from exc
        if "de" not in value:
            raise ValueError("must include 'de' (German is the authority's working language)")
        if len(set(value)) != len(value):
            raise ValueError("lists a language twice")
        return value

    @field_validator("secret_key")
    @classmethod
    def _long_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 32:
            raise ValueError("must be at least 32 characters")
        return value

    # Set on the per-instance subclass by build_settings_class().
    _instance_dir: Path = Path()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        root = cls._instance_dir
        return (
            init_settings,
            env_settings,
            DotEnvSettingsSource(settings_cls, env_file=root / ENV_FILE),
            TomlConfigSettingsSource(settings_cls, toml_file=root / SETTINGS_FILE),
        )

    def resolved_database_url(self, instance_dir: Path) -> str:
        """The database URL with a relative SQLite path made absolute to the instance."""
        url = self.database_url
        prefix = "sqlite:///"
        if url.startswith(prefix) and not url.startswith(prefix + "/") and ":memory:" not in url:
            return prefix + str((instance_dir / url[len(prefix) :]).resolve())
        return url


def _forbid_unknown_keys(model: type[BaseModel]) -> type[BaseModel]:
    """A plugin's settings model that rejects unknown keys (a typo must not pass
    silently), unless the plugin chose its ``extra`` policy itself."""
    if "extra" in model.model_config:
        return model
    return type(
        model.__name__,
        (model,),
        {"model_config": ConfigDict(extra="forbid"), "__module__": model.__module__},
    )


def build_settings_class(
    instance_dir: Path, plugin_models: dict[str, type[BaseModel]]
) -> type[CoreSettings]:
    """The settings model of one instance: the core plus a section per plugin."""
    fields: dict[str, Any] = {}
    for name, model in plugin_models.items():
        strict = _forbid_unknown_keys(model)
        fields[name] = (strict, Field(default_factory=strict))
    cls = create_model("InstanceSettings", __base__=CoreSettings, **fields)
    cls._instance_dir = instance_dir
    return cls


def read_raw(instance_dir: Path) -> tuple[dict[str, Any], list[Problem]]:
    """``willkommen.toml`` parsed as plain data, or the syntax problem in it."""
    path = instance_dir / SETTINGS_FILE
    if not path.is_file():
        return {}, [
            Problem(str(path), "", "not found: is this an instance folder? (--instance DIR)")
        ]
    try:
        return tomllib.loads(path.read_text(encoding="utf-8")), []
    except tomllib.TOMLDecodeError as exc:
        return {}, [Problem(SETTINGS_FILE, "", f"invalid TOML: {exc}")]
    except UnicodeDecodeError as exc:
        return {}, [Problem(SETTINGS_FILE, "", f"not UTF-8: {exc}")]


_READABLE = {
    "greater_than_equal": "must be >= {ge}",
    "less_than_equal": "must be <= {le}",
    "greater_than": "must be > {gt}",
    "less_than": "must be < {lt}",
    "missing": "is required",
    "extra_forbidden": "unknown key",
    "string_pattern_mismatch": "has an invalid format (expected pattern {pattern})",
    "string_too_short": "must have at least {min_length} characters",
    "string_too_long": "must have at most {max_length} characters",
    "too_short": "must have at least {min_length} entries",
    "literal_error": "must be one of {expected}",
}


def _reason(err: Mapping[str, Any]) -> str:
    template = _READABLE.get(err["type"])
    if template:
        # A message without the values its template needs keeps pydantic's wording.
        with contextlib.suppress(KeyError, IndexError):
            return template.format(**err.get("ctx", {}))
    msg = str(err["msg"])
    return re.sub(r"^Value error, ", "", msg)


def _origin(loc: tuple[Any, ...], instance_dir: Path) -> str:
    """Which source a bad value came from, so the message points at the right place."""
    names = [str(part) for part in loc if not isinstance(part, int)]
    for depth in range(len(names), 0, -1):
        var = ENV_PREFIX + "__".join(names[:depth]).upper()
        if var in os.environ:
            return f"environment {var}"
        env_file = instance_dir / ENV_FILE
        if env_file.is_file() and re.search(
            rf"^\s*{re.escape(var)}\s*=", env_file.read_text(encoding="utf-8"), re.M | re.I
        ):
            return f"{ENV_FILE} {var}"
    return SETTINGS_FILE


def validation_problems(exc: ValidationError, instance_dir: Path) -> list[Problem]:
    problems = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        key = ".".join(str(p) if not isinstance(p, int) else f"[{p}]" for p in loc).replace(
            ".[", "["
        )
        problems.append(Problem(_origin(loc, instance_dir), key, _reason(err)))
    return problems


def load_settings(
    instance_dir: Path,
    plugin_models: dict[str, type[BaseModel]],
    known_sections: set[str],
) -> tuple[CoreSettings | None, list[Problem]]:
    """Validate the instance's settings; never raises for a user mistake."""
    raw, problems = read_raw(instance_dir)
    if problems:
        return None, problems
    from .config_migrate import version_problem

    outdated = version_problem(raw, SETTINGS_FILE)
    if outdated:
        problems.append(outdated)
    if "secret_key" in raw:
        problems.append(
            Problem(SETTINGS_FILE, "secret_key", f"secrets belong in {ENV_FILE} or the environment")
        )
    oidc = raw.get("oidc")
    if isinstance(oidc, dict) and "client_secret" in oidc:
        problems.append(
            Problem(
                SETTINGS_FILE,
                "oidc.client_secret",
                f"secrets belong in {ENV_FILE} or the environment "
                f"({ENV_PREFIX}OIDC__CLIENT_SECRET)",
            )
        )
    core_keys = set(CoreSettings.model_fields)
    for key in raw:
        if key not in core_keys and key not in known_sections:
            problems.append(Problem(SETTINGS_FILE, key, "unknown key or plugin section"))
    cls = build_settings_class(instance_dir, plugin_models)
    try:
        settings = cls()  # type: ignore[call-arg]  # the fields come from the files
    except ValidationError as exc:
        return None, problems + validation_problems(exc, instance_dir)
    return settings, problems
