"""The ``willkommen`` command.

Heavy imports happen inside the commands so that ``willkommen --help`` starts
fast. A user mistake prints a message (and each problem) and exits 1; a
traceback means a bug.
"""

from __future__ import annotations

import json
import os
import sys
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from .instance import Instance

CORE_COMMANDS_HELP = "Kommandos der Module: willkommen MODUL --help"
SETTINGS_FILE_NAME = "willkommen.toml"


class CliContext:
    """What every command gets: the instance folder, opened on demand."""

    def __init__(self, instance_dir: Path) -> None:
        self.instance_dir = instance_dir
        self._instance: Instance | None = None

    def instance(self, *, check_db: bool = False) -> Instance:
        from .errors import UserError
        from .instance import Instance

        if self._instance is None:
            self._instance = Instance.open(self.instance_dir)
        if check_db:
            # A failed plugin is not fatal (unless plugins.strict): warn, go on.
            for failure in self._instance.plugins.failures:
                click.echo(f"warning: {failure}", err=True)
            problems = self._instance.check(failed_plugins=False)
            if problems:
                raise UserError(f"the instance at {self._instance.root} has problems:", problems)
        return self._instance


def _enabled_names(instance_dir: Path) -> list[str]:
    # Cheap: only the TOML, so --help lists module groups without importing them.
    try:
        raw = tomllib.loads((instance_dir / "willkommen.toml").read_text(encoding="utf-8"))
        enabled = raw.get("plugins", {}).get("enabled", [])
        return [n for n in enabled if isinstance(n, str)]
    except (OSError, tomllib.TOMLDecodeError, AttributeError):
        return []


def _instance_dir_from(ctx: click.Context) -> Path:
    root = ctx.find_root()
    value = root.params.get("instance_dir") if root.params else None
    return Path(value or os.environ.get("WILLKOMMEN_INSTANCE") or ".")


class WillkommenGroup(click.Group):
    """Core commands plus one group per enabled module, loaded when used."""

    def invoke(self, ctx: click.Context) -> Any:
        from .errors import UserError

        try:
            return super().invoke(ctx)
        except UserError as exc:
            # A user's mistake: the message, exit code 1, no traceback.
            raise click.ClickException(str(exc)) from exc

    def list_commands(self, ctx: click.Context) -> list[str]:
        core = super().list_commands(ctx)
        return core + [n for n in _enabled_names(_instance_dir_from(ctx)) if n not in core]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            return command
        if cmd_name not in _enabled_names(_instance_dir_from(ctx)):
            return None
        from .instance import Instance

        instance = Instance(_instance_dir_from(ctx))
        if not instance.plugins.is_enabled(cmd_name):
            return None
        group = instance.plugins.cli_groups().get(cmd_name)
        if group is not None:
            group.name = cmd_name
        return group


@click.group(cls=WillkommenGroup, epilog=CORE_COMMANDS_HELP)
@click.option(
    "--instance",
    "instance_dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="WILLKOMMEN_INSTANCE",
    default=".",
    show_default="current folder, or $WILLKOMMEN_INSTANCE",
    help="Folder of the instance (with willkommen.toml).",
)
@click.version_option(package_name="willkommen", prog_name="willkommen")
@click.pass_context
def cli(ctx: click.Context, instance_dir: Path) -> None:
    """Willkommen: toolkit for foreigners' authorities becoming welcome authorities."""
    ctx.obj = CliContext(instance_dir)


# -- instance ---------------------------------------------------------------------


class _NewCommand(click.Command):
    """``new --help`` lists every ``--set`` key, read from the template and the settings
    model when the help is shown (not at import: ``willkommen --help`` stays fast)."""

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        from .scaffold import help_text

        formatter.write_paragraph()
        for line in help_text().splitlines():
            # As they are: a wrapped key list would split "KEY [DEFAULT]" apart.
            formatter.write(f"{'':>{formatter.current_indent}}{line}\n" if line else "\n")


@cli.command(cls=_NewCommand)
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--name", required=True, help='Name of the authority, e.g. "Ausländerbehörde Dessau-Roßlau".'
)
@click.option(
    "--set",
    "overrides",
    multiple=True,
    metavar="KEY=VALUE",
    help="A template variable or a setting (SECTION.KEY), repeatable; listed below.",
)
def new(directory: Path, name: str, overrides: tuple[str, ...]) -> None:
    """Create an instance for one authority from the instance template: every toolkit
    module enabled, its secret key and its key for signing summaries created."""
    from .instance import Instance
    from .scaffold import new_instance, parse_overrides

    path = new_instance(directory, name, parse_overrides(overrides))
    click.echo(f"created {path}")
    click.echo(
        f"next: cd {path} && willkommen db upgrade && willkommen check && "
        "willkommen admin create NAME --role admin --one-time && willkommen serve"
    )
    if Instance.open(path).settings.web.secure_cookies:
        click.echo(
            "logins need https:// (web.secure_cookies = true, behind deploy/nginx.conf); "
            "for a test on http://127.0.0.1 only: WILLKOMMEN_WEB__SECURE_COOKIES=false"
        )


@cli.command()
@click.pass_obj
def check(obj: CliContext) -> None:
    """Validate settings, content and database state; exit 1 listing every problem."""
    from .instance import Instance

    instance = Instance(obj.instance_dir)
    problems = instance.check()
    if not instance.problems:
        for warning in _plain_http_warnings(instance):
            click.echo(f"warning: {warning}", err=True)
    if problems:
        for p in problems:
            click.echo(str(p), err=True)
        click.echo(f"{len(problems)} problem(s) found", err=True)
        sys.exit(1)
    from .language_report import instance_report

    # What each language lacks per page group: not a problem (nothing falls back,
    # staff pages are simply not offered), but what translators would do next.
    click.echo(f"ok: {instance.settings.authority.name} ({instance.root})")
    for line in instance_report(instance):
        click.echo(f"language {line}")


def _plain_http_warnings(instance: Instance) -> list[str]:
    """Public addresses in the settings (a module's ``base_url``) that are plain
    http:// while the session cookie goes over HTTPS only: logins there fail."""
    if not instance.settings.web.secure_cookies:
        return []
    warnings = []
    for name in instance.plugins.enabled:
        address = getattr(getattr(instance.settings, name, None), "base_url", None)
        if isinstance(address, str) and address.lower().startswith("http://"):
            warnings.append(
                f"{SETTINGS_FILE_NAME}: {name}.base_url: {address} is plain http:// but "
                "web.secure_cookies = true sends the login cookie over https:// only, so "
                "nobody can log in at that address; use https:// (secure_cookies = false "
                "only for a test on your own computer)"
            )
    return warnings


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64))
@click.option(
    "--instances",
    "instances_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Serve every instance of this rollout folder, each under /<slug>/.",
)
@click.option(
    "--idle-minutes",
    default=15.0,
    show_default=True,
    type=click.FloatRange(min=0.1),
    help="With --instances: unload an instance after this long without a request.",
)
@click.option(
    "--max-loaded",
    default=100,
    show_default=True,
    type=click.IntRange(min=1),
    help="With --instances: at most this many instances loaded at once (per worker).",
)
@click.option(
    "--access-log",
    is_flag=True,
    help="Log every request with the client's address (off by default: such a log could "
    "link anonymous answers to people).",
)
@click.pass_obj
def serve(
    obj: CliContext,
    host: str,
    port: int,
    workers: int,
    instances_dir: Path | None,
    idle_minutes: float,
    max_loaded: int,
    access_log: bool,
) -> None:
    """Serve the instance with uvicorn (or all instances of a rollout folder, each
    loaded at its first request and unloaded when idle)."""
    if instances_dir is not None:
        from .rollout.host import serve as run_all

        run_all(
            instances_dir,
            host=host,
            port=port,
            workers=workers,
            access_log=access_log,
            idle_minutes=idle_minutes,
            max_loaded=max_loaded,
        )
        return
    from .web.serve import serve as run

    instance = obj.instance(check_db=True)
    run(instance, host=host, port=port, workers=workers, access_log=access_log)


@cli.command()
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    show_default="~/.local/share/willkommen/demo, under $XDG_DATA_HOME if set",
    help="Folder of the demo instance.",
)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--no-serve", is_flag=True, help="Prepare the demo instance only.")
def demo(directory: Path | None, host: str, port: int, no_serve: bool) -> None:
    """Create (or reuse) the Magdeburg demo instance on SQLite and serve it."""
    from .demo import default_directory, prepare_demo

    instance, password = prepare_demo(directory or default_directory())
    click.echo(f"demo instance: {instance.root}")
    if password:
        click.echo(
            f"admin login: admin / {password}  (one-time password, shown only now; "
            "valid 72 hours, to be replaced at the first login)"
        )
    else:
        click.echo(
            "admin login: as created before "
            "(reset: willkommen --instance DIR admin password admin --one-time)"
        )
    if not no_serve:
        from .web.serve import serve as run

        click.echo(f"open http://{host}:{port}/")
        run(instance, host=host, port=port, workers=1)


# -- configuration layout -----------------------------------------------------------


@cli.group()
def config() -> None:
    """The layout of willkommen.toml (schema_version)."""


@config.command("migrate")
@click.pass_obj
def config_migrate(obj: CliContext) -> None:
    """Bring willkommen.toml to the layout of this toolkit, keeping comments and values."""
    from .config_migrate import CURRENT_SCHEMA, migrate_file
    from .settings import SETTINGS_FILE

    path = obj.instance_dir / SETTINGS_FILE
    if not path.is_file():
        raise click.ClickException(
            f"{path}: not found: is this an instance folder? (--instance DIR)"
        )
    passed = migrate_file(path)
    if passed:
        click.echo(f"{path}: migrated to schema_version {passed[-1]}; run 'willkommen check'")
    else:
        click.echo(f"{path}: already at schema_version {CURRENT_SCHEMA}")


# -- state rollout, summaries and the state report ---------------------------------


QUIET = click.option(
    "--quiet",
    "-q",
    is_flag=True,
    help="No progress and no summary; only errors (exit code as usual).",
)
REPORT_LANGUAGE = click.option(
    "--lang",
    type=click.Choice(["de", "en"]),
    default="de",
    show_default=True,
    help="Language of the HTML report.",
)


@cli.command()
@click.argument("register_file", metavar="REGISTER")
@click.option(
    "--output",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder that holds one instance folder per authority.",
)
@click.option("--only", multiple=True, metavar="SLUG", help="Only this authority (repeatable).")
@click.option("--update", is_flag=True, help="Merge template changes into existing instances.")
@click.option(
    "--migrate", is_flag=True, help="Also create/upgrade each instance's database tables."
)
@REPORT_LANGUAGE
@QUIET
def rollout(
    register_file: str,
    output: Path,
    only: tuple[str, ...],
    update: bool,
    migrate: bool,
    lang: str,
    quiet: bool,
) -> None:
    """One instance per authority of REGISTER (a file, or a shipped name like sachsen-anhalt)."""
    from . import i18n
    from .progress import Progress
    from .rollout import register as reg

    i18n.activate(lang)
    from .rollout import report
    from .rollout.run import rollout as run

    register = reg.load(register_file)  # every register problem stops here: nothing written
    with Progress("update" if update else "rollout", quiet=quiet) as bar:
        result = run(
            register, output, only=only, update_existing=update, migrate=migrate, progress=bar
        )
    json_path, html_path = report.write(result)
    failed = [o for o in result.outcomes if o.status == "failed"]
    if quiet:
        # Only what went wrong, on standard error.
        for o in failed:
            click.echo(f"{o.slug}: failed: {'; '.join(o.reasons)}", err=True)
    else:
        counts = ", ".join(f"{n} {s}" for s, n in result.counts().items() if n)
        click.echo(f"{len(result.outcomes)} authorities: {counts}")
        for o in result.outcomes:
            if o.status in ("needs-attention", "failed"):
                click.echo(f"  {o.slug}: {o.status}: {'; '.join(o.reasons)}")
        click.echo(f"report: {html_path} and {json_path}; keys: {result.output / 'keys.json'}")
    if failed:
        sys.exit(1)


@cli.command()
@click.option(
    "--output", required=True, type=click.Path(dir_okay=False, path_type=Path), help="FILE.json"
)
@click.pass_obj
def summary(obj: CliContext, output: Path) -> None:
    """Write the signed anonymous summary of every enabled module for the ministry."""
    from .rollout.summary import export

    instance = obj.instance(check_db=True)
    signed = export(instance, output)
    _audit(
        instance,
        "results.exported",
        "summary",
        format="signed-summary",
        sequence=signed["sequence"],
    )
    click.echo(
        f"wrote {output}: summary {signed['sequence']}, "
        f"modules {', '.join(signed['modules']) or 'none'}, "
        f"signed with key {signed['signature']['key_id']}"
    )


@cli.group()
def land() -> None:
    """The state ministry's view of all its authorities."""


@land.command("report")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--output", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--keys",
    "keys_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="keys.json of the rollout: count only summaries signed by the authority's own key. "
    "Without it nothing is verified (the report says so on every page).",
)
@click.option(
    "--rollout",
    "rollout_report",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="rollout-report.json or keys.json: rollout status per authority.",
)
@REPORT_LANGUAGE
def land_report(
    files: tuple[Path, ...],
    output: Path,
    keys_file: Path | None,
    rollout_report: Path | None,
    lang: str,
) -> None:
    """State report (HTML and CSV) from the summaries FILES of the authorities."""
    from . import i18n
    from .rollout.land import build_report
    from .rollout.land_xlsx import XLSX_FILE

    i18n.activate(lang)

    result = build_report(list(files), output, keys_file=keys_file, rollout_file=rollout_report)
    click.echo(
        f"{len(result.accepted)} summaries accepted, {len(result.rejected)} rejected, "
        f"{len(result.superseded)} superseded; report: {result.html_path}, {result.csv_path}, "
        f"{result.html_path.with_name(XLSX_FILE)}"
    )
    for message in result.superseded:
        click.echo(f"superseded: {message}", err=True)
    for message in result.rejected:
        click.echo(f"rejected: {message}", err=True)
    if not result.verified:
        click.echo("warning: without --keys no sender was verified; the report says so", err=True)
    if result.rejected:
        sys.exit(1)


# -- database ---------------------------------------------------------------------


@cli.group()
def db() -> None:
    """Database schema: status and upgrades."""


@db.command("upgrade")
@click.pass_obj
def db_upgrade(obj: CliContext) -> None:
    """Create or migrate the tables of the core and every enabled plugin."""
    instance = obj.instance()
    for st in instance.upgrade_storage():
        click.echo(f"{st.name}: {st.current}")


@db.command("status")
@click.pass_obj
def db_status(obj: CliContext) -> None:
    """Show each component's revision; exit 1 when one is outdated."""
    from .storage import migrate

    instance = obj.instance()
    outdated = False
    for comp in instance.components():
        st = migrate.state(instance.db, comp)
        outdated |= not st.up_to_date
        click.echo(
            f"{st.name}: {st.current or 'none'} (head {st.head}){'' if st.up_to_date else '  OUTDATED'}"
        )
    sys.exit(1 if outdated else 0)


@db.command("revision")
@click.argument("component")
@click.option("-m", "--message", required=True)
@click.pass_obj
def db_revision(obj: CliContext, component: str, message: str) -> None:
    """Autogenerate a migration for COMPONENT (core or a plugin) - for developers."""
    from .errors import UserError
    from .storage import migrate

    instance = obj.instance()
    comps = {c.name: c for c in instance.components()}
    if component not in comps:
        raise UserError(f"unknown component {component!r} (known: {', '.join(comps)})")
    migrate.revision(instance.db, comps[component], message)


# -- plugins ----------------------------------------------------------------------


@cli.group()
def plugins() -> None:
    """List, enable and disable plugins (toolkit modules)."""


@plugins.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_obj
def plugins_list(obj: CliContext, as_json: bool) -> None:
    """Name, version, source, status and hooks of every plugin."""
    from .hookspecs import HOOK_API_VERSION
    from .instance import Instance

    instance = Instance(obj.instance_dir, inspect_disabled=True)
    records = instance.plugins.listing()
    if as_json:
        click.echo(
            json.dumps(
                {"hook_api_version": HOOK_API_VERSION, "plugins": [r.as_dict() for r in records]},
                indent=2,
                ensure_ascii=False,
            )
        )
        return
    for r in records:
        line = f"{r.name:<14} {r.version:<10} {r.source:<10} {r.status:<9} {', '.join(r.hooks)}"
        click.echo(line.rstrip())
        if r.error:
            click.echo(f"{'':<14} error: {r.error}")
        if r.overrides:
            click.echo(f"{'':<14} overrides {r.overrides}")


@plugins.command("enable")
@click.argument("name")
@click.pass_obj
def plugins_enable(obj: CliContext, name: str) -> None:
    """Enable plugin NAME in willkommen.toml (comments are kept)."""
    from .plugin_config import set_enabled

    click.echo(set_enabled(obj.instance_dir, name, True))
    _plugin_audit(obj, "plugin.enabled", name)


@plugins.command("disable")
@click.argument("name")
@click.pass_obj
def plugins_disable(obj: CliContext, name: str) -> None:
    """Disable plugin NAME in willkommen.toml (its data stays in the database)."""
    from .plugin_config import set_enabled

    click.echo(set_enabled(obj.instance_dir, name, False))
    _plugin_audit(obj, "plugin.disabled", name)


def _plugin_audit(obj: CliContext, event: str, name: str) -> None:
    from .instance import Instance
    from .web.reloading import announce_settings_change

    instance = Instance(obj.instance_dir)
    if not instance.problems:
        # Running servers, on any machine, rebuild their app at the next request.
        announce_settings_change(instance)
        _audit(instance, event, name)


# -- audit log --------------------------------------------------------------------


def _audit(instance: Instance, event: str, target: str = "", **details: Any) -> None:
    """Record what a command did, as the operating-system account that ran it."""
    from sqlalchemy.exc import SQLAlchemyError

    from .audit import Actor

    try:
        instance.audit.record(event, Actor.command_line(), target, **details)
    except SQLAlchemyError as exc:
        click.echo(
            f"warning: audit log not written ({type(exc).__name__}); run 'willkommen db upgrade'",
            err=True,
        )


@cli.command("audit")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), help="First day (YYYY-MM-DD).")
@click.option("--event", help="An event or its prefix, e.g. login or login.failed.")
@click.option("--after", type=int, help="Only entries with a larger id (for polling).")
@click.pass_obj
def audit_log(obj: CliContext, since: Any, event: str | None, after: int | None) -> None:
    """Print the audit log as JSON lines, oldest first (for the IT department's log system)."""
    from .audit import json_lines
    from .errors import UserError

    instance = obj.instance(check_db=True)
    if event and not instance.audit.knows(event):
        known = ", ".join(instance.audit.events)
        raise UserError(f"--event: unknown event {event!r} (known: {known})")
    entries = instance.audit.entries(
        since=since.date() if since else None,
        event=event,
        after_id=after,
        limit=None,
        newest_first=False,
    )
    _audit(instance, "audit.exported", count=len(entries))
    click.echo(json_lines(entries), nl=False)


# -- accounts ---------------------------------------------------------------------


def _password(stdin: bool) -> str:
    if stdin:
        return sys.stdin.readline().rstrip("\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@cli.group()
def admin() -> None:
    """Staff accounts (roles: admin, leitung, redaktion; also in the web UI under Konten)."""


def _context(instance: Instance) -> list[str]:
    authority = instance.settings.authority
    return [authority.name, authority.slug, *authority.name.split()]


def _password_or_one_time(stdin: bool, one_time: bool) -> tuple[str, bool]:
    if one_time and not stdin:
        from .accounts import one_time_password

        return one_time_password(), True
    return _password(stdin), one_time


@admin.command("create")
@click.argument("name")
@click.option(
    "--role", required=True, help="admin (IT), leitung (leadership) or redaktion (content editors)."
)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option(
    "--one-time",
    is_flag=True,
    help="Generate a one-time password (or mark the one given) that must be changed at the "
    "first login and expires after 72 hours.",
)
@click.pass_obj
def admin_create(
    obj: CliContext, name: str, role: str, password_stdin: bool, one_time: bool
) -> None:
    """Create a staff account NAME with ROLE."""
    from . import accounts

    instance = obj.instance(check_db=True)
    accounts.validate_role(role)
    password, one_time = _password_or_one_time(password_stdin, one_time)
    user = accounts.create_user(
        instance.db, name, role, password, one_time=one_time, context=_context(instance)
    )
    _audit(instance, "account.created", user.name, role=user.role)
    click.echo(f"created account {user.name} ({user.role})")
    if one_time and not password_stdin:
        click.echo(f"one-time password (shown only now, valid 72 hours): {password}")


@admin.command("password")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option(
    "--one-time",
    is_flag=True,
    help="Generate a one-time password (or mark the one given) that must be changed at the "
    "first login and expires after 72 hours.",
)
@click.pass_obj
def admin_password(obj: CliContext, name: str, password_stdin: bool, one_time: bool) -> None:
    """Set a new password for account NAME (ends its sessions)."""
    from . import accounts

    instance = obj.instance(check_db=True)
    password, one_time = _password_or_one_time(password_stdin, one_time)
    accounts.set_password(
        instance.db, name, password, one_time=one_time, context=_context(instance)
    )
    _audit(instance, "account.password_reset", name, one_time=one_time)
    click.echo(f"password of {name} changed")
    if one_time and not password_stdin:
        click.echo(f"one-time password (shown only now, valid 72 hours): {password}")


@admin.command("two-factor-reset")
@click.argument("name")
@click.pass_obj
def admin_two_factor_reset(obj: CliContext, name: str) -> None:
    """Reset the two-factor login of account NAME (lost phone): its sessions end and it
    must set the second factor up again at the next login."""
    from . import accounts, two_factor
    from .errors import UserError

    instance = obj.instance(check_db=True)
    key = accounts.account_key(name)
    found = [a for a in accounts.list_accounts(instance.db) if accounts.account_key(a.name) == key]
    if not found:
        raise UserError(f"no account named {name!r}")
    two_factor.reset(instance.db, found[0].id)
    _audit(instance, "account.two_factor_reset", found[0].name)
    click.echo(f"two-factor login of {found[0].name} reset; it is set up again at the next login")


@cli.group()
def token() -> None:
    """API tokens for scripts (bearer tokens, stored only as hashes)."""


@token.command("create")
@click.argument("name")
@click.option("--role", required=True)
@click.option(
    "--days",
    type=int,
    default=90,
    show_default=True,
    help="Days until the token expires (1–730); create a new one before then.",
)
@click.pass_obj
def token_create(obj: CliContext, name: str, role: str, days: int) -> None:
    """Create an API token NAME with ROLE and print it (shown only once)."""
    from . import accounts

    instance = obj.instance(check_db=True)
    secret = accounts.create_token(instance.db, name, role, days=days)
    _audit(instance, "token.created", name, role=role, days=days)
    click.echo(secret)


@token.command("list")
@click.pass_obj
def token_list(obj: CliContext) -> None:
    """List API tokens: name, role, expiry, last use (never the token itself)."""
    from . import accounts

    instance = obj.instance(check_db=True)
    now = accounts._now()

    def when(value: Any) -> str:
        return value.strftime("%Y-%m-%d %H:%M") if value else "never"

    for t in accounts.list_tokens(instance.db):
        state = "revoked" if t.revoked else ("expired" if t.expires_at <= now else "valid")
        click.echo(
            f"{t.name}\t{t.role}\t{state}\texpires {when(t.expires_at)}\t"
            f"last used {when(t.last_used_at)}"
        )


@token.command("revoke")
@click.argument("name")
@click.pass_obj
def token_revoke(obj: CliContext, name: str) -> None:
    """Revoke every API token named NAME."""
    from . import accounts
    from .errors import UserError

    instance = obj.instance(check_db=True)
    if accounts.revoke_token(instance.db, name) == 0:
        raise UserError(f"no token named {name!r}")
    _audit(instance, "token.revoked", name)
    click.echo(f"revoked {name}")


# -- backup -----------------------------------------------------------------------


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@QUIET
@click.pass_obj
def backup(obj: CliContext, file: Path, quiet: bool) -> None:
    """Write the instance's data (database and uploaded content) to FILE."""
    from .progress import Progress
    from .storage.backup import create_backup

    instance = obj.instance(check_db=True)
    with Progress("backup", quiet=quiet) as bar:
        summary = create_backup(instance, file, progress=bar)
    _audit(instance, "backup.created", file.name)
    if not quiet:
        click.echo(f"wrote {file}: {summary}")


@cli.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Replace existing data without asking.")
@click.option(
    "--key-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The .env (or a file holding only the secret_key) of the instance that made the "
    "backup, if its secret_key is not this instance's.",
)
@click.option(
    "--from-authority",
    metavar="SLUG",
    help="Restore a backup of another authority (needs --key-file of its instance).",
)
@click.option(
    "--unsigned",
    is_flag=True,
    help="Restore a backup without signature (Willkommen 0.1.0): nothing proves it unaltered.",
)
@QUIET
@click.pass_obj
def restore(
    obj: CliContext,
    file: Path,
    yes: bool,
    key_file: Path | None,
    from_authority: str | None,
    unsigned: bool,
    quiet: bool,
) -> None:
    """Restore the instance's data from FILE (replaces what is there).

    The backup must be signed with this instance's secret_key (or the one in
    --key-file) and be of this authority (or of --from-authority).
    """
    from .instance import Instance
    from .progress import Progress
    from .storage.backup import read_key_file, restore_backup

    secret = read_key_file(key_file) if key_file is not None else None
    if unsigned:
        click.echo(
            "warning: --unsigned: a backup without signature is restored as it is; "
            "nothing proves that it was not altered",
            err=True,
        )
    instance = obj.instance()
    with Progress("restore", quiet=quiet) as bar:
        summary = restore_backup(
            instance,
            file,
            replace=yes,
            from_authority=from_authority,
            signer_secret=secret,
            unsigned=unsigned,
            progress=bar,
        )
    _audit(
        Instance.open(instance.root),
        "backup.restored",
        file.name,
        from_authority=from_authority,
        unsigned=unsigned,
    )
    if not quiet:
        click.echo(f"restored {file}: {summary}")


def main(argv: list[str] | None = None) -> Any:
    """Console entry point: user mistakes become a message and exit code 1."""
    from .errors import UserError

    try:
        return cli.main(args=argv, prog_name="willkommen", standalone_mode=True)
    except UserError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
