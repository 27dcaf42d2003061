"""Instance settings: ``willkommen.toml``, ``WILLKOMMEN_*`` environment and ``.env``.

Specification (issue 2, "Instance and settings"): every invalid setting gives
a one-line message naming the file (or environment variable) and the key,
``willkommen check`` exits 1 listing it and ``willkommen serve`` refuses to
start with the same message; never a traceback. Environment overrides are
nested with ``__``; secrets come only from the environment or ``.env``.
Commands find the instance by ``--instance DIR``, ``WILLKOMMEN_INSTANCE`` or
the current folder.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import tomlkit
from click.testing import CliRunner, Result

from willkommen_core import accounts
from willkommen_core.cli import cli
from willkommen_core.instance import Instance
from willkommen_core.settings import SLUG_PATTERN
from willkommen_core.testing import login
from willkommen_core.testing.instance import TEST_PASSWORD, csrf_from

SLUG_FORMAT = f"has an invalid format (expected pattern {SLUG_PATTERN})"


def run(*args: Any, **kwargs: Any) -> Result:
    result = CliRunner().invoke(cli, [str(a) for a in args], **kwargs)
    assert "Traceback" not in result.output, result.output
    return result


def lines(output: str) -> list[str]:
    return [line.strip() for line in output.splitlines()]


def edit_toml(root: Path, change: Callable[[Any], None]) -> None:
    path = root / "willkommen.toml"
    doc = tomlkit.parse(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(tomlkit.dumps(doc), encoding="utf-8")


def setter(*keys: str | int, value: Any) -> Callable[[Any], None]:
    def change(doc: Any) -> None:
        target = doc
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = value

    return change


def append_text(text: str, file: str = "willkommen.toml") -> Callable[[Path], None]:
    def change(root: Path) -> None:
        with (root / file).open("a", encoding="utf-8") as f:
            f.write(text)

    return change


# (how to break a valid, migrated instance, the one line that must name it)
INVALID: dict[str, tuple[Callable[[Path, pytest.MonkeyPatch], None], str]] = {
    "unknown language code": (
        lambda root, mp: edit_toml(root, setter("languages", value=["de", "xx"])),
        "willkommen.toml: languages: unknown language code 'xx'",
    ),
    "slug with spaces": (
        lambda root, mp: edit_toml(root, setter("authority", "slug", value="test stadt")),
        f"willkommen.toml: authority.slug: {SLUG_FORMAT}",
    ),
    "postcode with four digits": (
        lambda root, mp: edit_toml(root, setter("authority", "sites", 0, "postcode", value="1234")),
        r"willkommen.toml: authority.sites[0].postcode: has an invalid format (expected pattern ^\d{5}$)",
    ),
    "session max age below 5 minutes": (
        lambda root, mp: edit_toml(root, setter("web", "session_max_age", value=10)),
        "willkommen.toml: web.session_max_age: must be >= 300",
    ),
    "minimum group size below 3": (
        lambda root, mp: edit_toml(root, setter("privacy", value={"min_group_size": 2})),
        "willkommen.toml: privacy.min_group_size: must be >= 3",
    ),
    "unknown top-level key": (
        lambda root, mp: edit_toml(root, setter("sprache", value="de")),
        "willkommen.toml: sprache: unknown key or plugin section",
    ),
    "unknown key in [web]": (
        lambda root, mp: edit_toml(root, setter("web", "farbe", value="blau")),
        "willkommen.toml: web.farbe: unknown key",
    ),
    "secret key in willkommen.toml": (
        lambda root, mp: edit_toml(root, setter("secret_key", value="s" * 40)),
        "willkommen.toml: secret_key: secrets belong in .env or the environment",
    ),
    "built-in plugin section value out of range": (
        lambda root, mp: edit_toml(root, setter("partner", value={"stale_contact_months": 0})),
        "willkommen.toml: partner.stale_contact_months: must be >= 1",
    ),
    "third-party plugin section value out of range": (
        lambda root, mp: edit_toml(root, setter("hallo", value={"repeat": 0})),
        "willkommen.toml: hallo.repeat: must be >= 1",
    ),
    "plugin section with an unknown key": (
        lambda root, mp: edit_toml(root, setter("hallo", value={"wiederholen": 2})),
        "willkommen.toml: hallo.wiederholen: unknown key",
    ),
    "environment override out of range": (
        lambda root, mp: mp.setenv("WILLKOMMEN_PRIVACY__MIN_GROUP_SIZE", "1"),
        "environment WILLKOMMEN_PRIVACY__MIN_GROUP_SIZE: privacy.min_group_size: must be >= 3",
    ),
    ".env override out of range": (
        lambda root, mp: append_text("WILLKOMMEN_WEB__SESSION_MAX_AGE=5\n", ".env")(root),
        ".env WILLKOMMEN_WEB__SESSION_MAX_AGE: web.session_max_age: must be >= 300",
    ),
    "short secret key in .env": (
        lambda root, mp: append_text("WILLKOMMEN_SECRET_KEY=kurz\n", ".env")(root),
        ".env WILLKOMMEN_SECRET_KEY: secret_key: must be at least 32 characters",
    ),
}


@pytest.fixture
def no_server(monkeypatch: pytest.MonkeyPatch) -> None:
    """``serve`` must refuse before uvicorn starts (and may not leak its environment)."""
    monkeypatch.setattr("uvicorn.run", lambda *a, **kw: pytest.fail("the server started"))
    monkeypatch.setenv("WILLKOMMEN_INSTANCE", "")


@pytest.fixture
def instance_root(hallo_distribution, make_sqlite_instance) -> Path:
    """A valid, migrated instance (``partner`` and the test plugin ``hallo``) to break."""
    root = make_sqlite_instance(["partner", "hallo"]).root
    assert run("--instance", root, "check").exit_code == 0
    return root


@pytest.mark.parametrize("case", sorted(INVALID))
def test_check_names_every_invalid_setting_in_one_line(case, instance_root, monkeypatch):
    breaker, message = INVALID[case]
    breaker(instance_root, monkeypatch)
    result = run("--instance", instance_root, "check")
    assert result.exit_code == 1
    assert message in lines(result.output), result.output
    assert "1 problem(s) found" in lines(result.output), result.output


@pytest.mark.parametrize("case", sorted(INVALID))
def test_serve_refuses_to_start_with_the_same_message(case, instance_root, monkeypatch, no_server):
    breaker, message = INVALID[case]
    breaker(instance_root, monkeypatch)
    result = run("--instance", instance_root, "serve")
    assert result.exit_code == 1
    assert message in lines(result.output), result.output


def test_invalid_toml_syntax_names_the_line(instance_root, no_server):
    (instance_root / "willkommen.toml").write_text(
        '[authority]\nname = "Ausländerbehörde"\nslug = teststadt\n', encoding="utf-8"
    )
    for command in ("check", "serve"):
        result = run("--instance", instance_root, command)
        assert result.exit_code == 1
        [line] = [x for x in lines(result.output) if "invalid TOML" in x]
        assert line.startswith("willkommen.toml: invalid TOML: ")
        assert "line 3" in line


def test_missing_willkommen_toml_says_so(tmp_path, no_server):
    expected = (
        f"{tmp_path / 'willkommen.toml'}: not found: is this an instance folder? (--instance DIR)"
    )
    for command in ("check", "serve"):
        result = run("--instance", tmp_path, command)
        assert result.exit_code == 1
        assert expected in lines(result.output), result.output


def test_several_mistakes_are_all_listed(instance_root):
    edit_toml(instance_root, setter("web", "session_max_age", value=10))
    edit_toml(instance_root, setter("privacy", value={"min_group_size": 2}))
    edit_toml(instance_root, setter("authority", "slug", value="Test Stadt"))
    result = run("--instance", instance_root, "check")
    assert result.exit_code == 1
    assert "3 problem(s) found" in lines(result.output)
    for key in ("web.session_max_age", "privacy.min_group_size", "authority.slug"):
        assert any(line.startswith(f"willkommen.toml: {key}: ") for line in lines(result.output))


def test_missing_secret_key_is_named(instance_root):
    (instance_root / ".env").unlink()
    result = run("--instance", instance_root, "check")
    assert result.exit_code == 1
    assert any(
        line.startswith(".env: WILLKOMMEN_SECRET_KEY: secret_key is not set")
        for line in lines(result.output)
    ), result.output


# -- what valid settings do ----------------------------------------------------------


def test_nested_environment_override_takes_effect(instance_root, monkeypatch, make_client):
    monkeypatch.setenv("WILLKOMMEN_WEB__SESSION_MAX_AGE", "600")
    monkeypatch.setenv("WILLKOMMEN_HALLO__GREETING", "Servus")
    instance = Instance.open(instance_root)
    assert instance.settings.web.session_max_age == 600
    assert instance.plugin_settings("hallo").greeting == "Servus"
    client = make_client(instance)
    login(client, instance, "leitung")
    assert "Hallo-Seite: Servus" in client.get("/hallo/").text
    accounts.create_user(instance.db, "zweite", "leitung", TEST_PASSWORD)
    page_client = make_client(instance)
    page = page_client.get("/login")
    response = page_client.post(
        "/login",
        data={"username": "zweite", "password": TEST_PASSWORD, "csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    assert "max-age=600;" in response.headers["set-cookie"].lower()


def test_environment_wins_over_dotenv_which_wins_over_the_file(instance_root, monkeypatch):
    edit_toml(instance_root, setter("web", "session_max_age", value=1000))
    assert Instance.open(instance_root).settings.web.session_max_age == 1000
    append_text("WILLKOMMEN_WEB__SESSION_MAX_AGE=2000\n", ".env")(instance_root)
    assert Instance.open(instance_root).settings.web.session_max_age == 2000
    monkeypatch.setenv("WILLKOMMEN_WEB__SESSION_MAX_AGE", "3000")
    assert Instance.open(instance_root).settings.web.session_max_age == 3000


def test_secret_key_comes_from_dotenv(instance_root):
    env = (instance_root / ".env").read_text(encoding="utf-8")
    secret = env.split("WILLKOMMEN_SECRET_KEY=", 1)[1].strip()
    assert Instance.open(instance_root).settings.secret_key.get_secret_value() == secret


def test_instance_is_selected_by_option_environment_or_current_folder(
    instance_root, tmp_path, monkeypatch
):
    monkeypatch.delenv("WILLKOMMEN_INSTANCE", raising=False)
    ok = "ok: Ausländerbehörde Teststadt"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert "not found" in run("check").output

    assert ok in run("--instance", instance_root, "check").output
    assert ok in run("check", env={"WILLKOMMEN_INSTANCE": str(instance_root)}).output
    # The option wins over the environment.
    assert (
        "not found"
        in run(
            "--instance", elsewhere, "check", env={"WILLKOMMEN_INSTANCE": str(instance_root)}
        ).output
    )

    monkeypatch.chdir(instance_root)
    assert ok in run("check").output
