"""The state report from an attacker's side (issue 12): only what an authority signed counts.

With ``--keys`` a summary counts only when it is an Ed25519-signed envelope of
an authority in the keys file, signed by that authority's registered key;
per authority the highest ``sequence`` counts. Every other file is listed
with its reason and enters no figure: not the state averages, not the tables
per authority, not the CSV. Each attack below is checked by building the
report with and without the attacker's files: the figures must be identical.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import shutil
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from willkommen_core.cli import cli
from willkommen_core.rollout import summary as signing
from willkommen_core.rollout.land import build_report

CORNERSTONES = ("binnenorganisation", "verankerung", "kompetenzen")
KEYS = {slug: Ed25519PrivateKey.generate() for slug in ("harz", "stendal")}
INTRUDER = Ed25519PrivateKey.generate()


def public(key: Ed25519PrivateKey) -> str:
    return signing.sign({}, key)["signature"]["public_key"]


def selbstcheck(mean: float, n: int = 12, closed: str = "2026-02-01") -> dict[str, Any]:
    return {
        "schema": "willkommen.selbstcheck.summary",
        "schema_version": 1,
        "rounds": [
            {
                "title": "Runde",
                "closed_on": closed,
                "questionnaire_version": "2025.1",
                "responses": n,
                "cornerstones": [
                    {"id": c, "n": n, "mean": mean, "suppressed": False} for c in CORNERSTONES
                ],
            }
        ],
    }


def envelope(
    slug: str, mean: float, *, sequence: int, created: str = "2026-03-01", n: int = 12
) -> dict[str, Any]:
    return {
        "schema": "willkommen.summary/1",
        "authority": {
            "slug": slug,
            "name": f"Landkreis {slug.title()}",
            "type": "Landkreis",
            "federal_state": "Sachsen-Anhalt",
        },
        "toolkit_version": "0.1.0",
        "created": created,
        "sequence": sequence,
        "modules": {"selbstcheck": selbstcheck(mean, n)},
    }


def write(path: Path, doc: Any) -> Path:
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def digest_only(slug: str, mean: float, generated_on: str) -> dict[str, Any]:
    """The self-assessment's own export: a digest anyone can recompute."""
    body = selbstcheck(mean, n=500) | {
        "authority": slug,
        "authority_name": f"Landkreis {slug.title()}",
        "generated_on": generated_on,
    }
    digest = hashlib.sha256(signing.canonical(body)).hexdigest()
    return body | {"integrity": {"algorithm": "sha256", "digest": digest}}


@dataclass
class Ministry:
    folder: Path
    keys_file: Path
    authentic: list[Path]

    def report(self, *extra: Path, name: str = "bericht") -> Any:
        return build_report([*self.authentic, *extra], self.folder / name, keys_file=self.keys_file)


@pytest.fixture
def ministry(tmp_path: Path) -> Ministry:
    keys_file = write(
        tmp_path / "keys.json",
        {
            "schema": "willkommen.keys/1",
            "authorities": {
                slug: {"public_key": public(key), "status": "created"} for slug, key in KEYS.items()
            },
        },
    )
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    authentic = [
        write(inbox / "harz.json", signing.sign(envelope("harz", 3.0, sequence=2), KEYS["harz"])),
        write(
            inbox / "stendal.json",
            signing.sign(envelope("stendal", 4.0, sequence=5, n=36), KEYS["stendal"]),
        ),
    ]
    return Ministry(tmp_path, keys_file, authentic)


def figures(result: Any) -> tuple[Any, ...]:
    """Everything the report states about the authorities, without the lists of left-out files."""
    html = result.html_path.read_text(encoding="utf-8")
    left_out = r"<h2>(Abgelehnte Dateien|Ältere Zusammenfassungen).*?(?=<h2>Stand der Behörden)"
    html = re.sub(left_out, "", html, flags=re.S)
    html = re.sub(r"\s+", " ", html)
    tables = [
        (
            a.slug,
            a.sequence,
            a.created,
            [(c, cell.mean, cell.n) for c, cell in a.latest.cells.items()],
        )
        for a in result.authorities
    ]
    return result.csv_path.read_text(encoding="utf-8"), html, tables, result.accepted


# -- the attacks -------------------------------------------------------------------------
# Each returns the attacker's files and, per file, what the report must say about it.

Attack = Callable[[Path], dict[Path, str]]


def forged_digest_dated_later(folder: Path) -> dict[Path, str]:
    path = write(folder / "harz-2027.json", digest_only("harz", 1.0, "2027-01-01"))
    return {path: "only a SHA-256 digest, not signed"}


def digest_of_an_invented_authority(folder: Path) -> dict[Path, str]:
    path = write(folder / "phantasia.json", digest_only("phantasia", 1.0, "2027-01-01"))
    return {path: "only a SHA-256 digest, not signed"}


def signed_by_an_invented_authority(folder: Path) -> dict[Path, str]:
    doc = signing.sign(envelope("phantasia", 1.0, sequence=10**12), INTRUDER)
    return {write(folder / "phantasia.json", doc): "'phantasia' is not in the keys file"}


def replayed_older_envelope_dated_later(folder: Path) -> dict[Path, str]:
    # Really signed by Harz, but an earlier export (sequence 1); its date is later.
    doc = signing.sign(envelope("harz", 1.0, sequence=1, created="2027-12-31"), KEYS["harz"])
    return {
        write(folder / "harz-replay.json", doc): "sequence 1 of 'harz' is older than sequence 2"
    }


def signed_with_another_authoritys_key(folder: Path) -> dict[Path, str]:
    doc = signing.sign(envelope("harz", 1.0, sequence=99), KEYS["stendal"])
    return {write(folder / "harz-by-stendal.json", doc): "but 'harz' has key"}


def victims_key_embedded_but_signed_by_another(folder: Path) -> dict[Path, str]:
    doc = signing.sign(envelope("harz", 1.0, sequence=99), INTRUDER)
    doc["signature"]["public_key"] = public(KEYS["harz"])
    doc["signature"]["key_id"] = signing.key_id(public(KEYS["harz"]))
    return {write(folder / "harz-embedded.json", doc): "signature does not match"}


def one_figure_altered_after_signing(folder: Path) -> dict[Path, str]:
    doc = signing.sign(envelope("harz", 3.0, sequence=3), KEYS["harz"])
    doc["modules"]["selbstcheck"]["rounds"][0]["cornerstones"][1]["mean"] = 1.0
    return {write(folder / "harz-altered.json", doc): "signature does not match"}


def two_different_files_with_one_sequence(folder: Path) -> dict[Path, str]:
    first = write(
        folder / "harz-a.json", signing.sign(envelope("harz", 1.0, sequence=9), KEYS["harz"])
    )
    second = write(
        folder / "harz-b.json", signing.sign(envelope("harz", 5.0, sequence=9), KEYS["harz"])
    )
    reason = f"{first} and {second}: different summaries with the same sequence 9 of 'harz'"
    return {first: reason, second: reason}


def equal_date_and_a_path_sorting_last(folder: Path) -> dict[Path, str]:
    # Same date as the counted file, a path that sorts after it: the sequence decides.
    doc = signing.sign(envelope("harz", 1.0, sequence=1), KEYS["harz"])
    return {write(folder / "zzz-harz.json", doc): "sequence 1 of 'harz' is older than sequence 2"}


def summary_without_a_sequence(folder: Path) -> dict[Path, str]:
    doc = envelope("harz", 1.0, sequence=1)
    del doc["sequence"]
    return {
        write(folder / "harz-old-toolkit.json", signing.sign(doc, KEYS["harz"])): (
            "no valid sequence number"
        )
    }


ATTACKS: list[Attack] = [
    forged_digest_dated_later,
    digest_of_an_invented_authority,
    signed_by_an_invented_authority,
    replayed_older_envelope_dated_later,
    signed_with_another_authoritys_key,
    victims_key_embedded_but_signed_by_another,
    one_figure_altered_after_signing,
    two_different_files_with_one_sequence,
    equal_date_and_a_path_sorting_last,
    summary_without_a_sequence,
]
SUPERSEDED = {replayed_older_envelope_dated_later, equal_date_and_a_path_sorting_last}


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda a: a.__name__)
def test_an_attackers_file_is_listed_with_its_reason_and_enters_no_figure(ministry, attack):
    baseline = ministry.report(name="ohne")
    assert baseline.rejected == [] and len(baseline.authorities) == 2
    attacker = ministry.folder / "attacker"
    attacker.mkdir()
    files = attack(attacker)
    # Given before and after the authentic files: order must not matter either.
    for order, extra in (("first", [*files]), ("last", [*files][::-1])):
        paths = [*extra, *ministry.authentic] if order == "first" else [*ministry.authentic, *extra]
        result = build_report(paths, ministry.folder / order, keys_file=ministry.keys_file)
        listed = result.superseded if attack in SUPERSEDED else result.rejected
        for path, reason in files.items():
            assert any(str(path) in m and reason in m for m in listed), (path, listed)
        assert figures(result)[0] == figures(baseline)[0]  # the CSV, byte for byte
        assert figures(result)[1:] == figures(baseline)[1:]  # HTML, tables, counted files


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda a: a.__name__)
def test_the_cli_names_each_left_out_file_and_fails_only_for_rejected_ones(ministry, attack):
    attacker = ministry.folder / "attacker"
    attacker.mkdir()
    files = attack(attacker)
    result = CliRunner().invoke(
        cli,
        [
            "land",
            "report",
            *map(str, [*ministry.authentic, *files]),
            "--output",
            str(ministry.folder / "cli"),
            "--keys",
            str(ministry.keys_file),
        ],
    )
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert result.exit_code == (0 if attack in SUPERSEDED else 1), result.output
    kind = "superseded" if attack in SUPERSEDED else "rejected"
    for path, reason in files.items():
        line = next(x for x in result.output.splitlines() if str(path) in x)
        assert line.startswith(f"{kind}: ") and reason in line
    assert "2 summaries accepted" in result.output


def test_malformed_files_are_rejected_by_name_without_a_traceback(ministry):
    nested = ministry.folder / "nested.json"
    nested.write_text("[" * 100_000 + "]" * 100_000)
    broken_keys = ministry.folder / "broken-keys.json"
    broken_keys.write_text("{" * 100_000)
    runner = CliRunner()
    out = str(ministry.folder / "o")
    result = runner.invoke(cli, ["land", "report", str(nested), "--output", out])
    assert (
        result.exit_code == 1 and f"rejected: {nested}: not a readable JSON file" in result.output
    )
    result = runner.invoke(
        cli, ["land", "report", str(nested), "--output", out, "--keys", str(broken_keys)]
    )
    assert result.exit_code == 1 and f"{broken_keys}: cannot read the keys file" in result.output
    assert not isinstance(result.exception, RecursionError)


def test_a_copy_of_the_counted_file_is_not_a_conflict(ministry):
    copy_path = ministry.folder / "harz-copy.json"
    shutil.copyfile(ministry.authentic[0], copy_path)
    result = ministry.report(copy_path)
    assert result.rejected == []
    assert result.superseded == [f"{copy_path}: the same summary as {ministry.authentic[0]}"]
    assert [a.sequence for a in result.authorities] == [2, 5]


def test_a_conflict_below_the_counted_sequence_is_still_an_error(ministry):
    low = [
        write(
            ministry.folder / f"harz-{mean}.json",
            signing.sign(envelope("harz", mean, sequence=1), KEYS["harz"]),
        )
        for mean in (1.0, 1.5)
    ]
    result = ministry.report(*low)
    assert result.rejected == [
        f"{low[0]} and {low[1]}: different summaries with the same sequence 1 of 'harz'; "
        "none of them counts (was the instance's folder copied, or its key used elsewhere?)"
    ]
    assert figures(result)[0] == figures(ministry.report(name="ohne"))[0]


# -- replay across runs: the report folder remembers what it counted -----------------------


def _signed(folder: Path, name: str, slug: str, mean: float, sequence: int) -> Path:
    return write(folder / name, signing.sign(envelope(slug, mean, sequence=sequence), KEYS[slug]))


def test_an_old_summary_sent_again_after_a_newer_one_was_counted_is_rejected(ministry):
    first = ministry.report()
    assert [a.sequence for a in first.authorities] == [2, 5]
    newer = _signed(ministry.folder, "harz-3.json", "harz", 3.5, 3)
    assert ministry.report(newer).rejected == []
    # Next quarter the attacker replaces harz's newest file by the older, authentic one.
    replay = ministry.report()
    assert replay.rejected == [
        f"{ministry.authentic[0]}: sequence 2 of 'harz' is older than sequence 3 counted on "
        f"{date.today().isoformat()}: an old summary sent again does not count"
    ]
    assert [a.slug for a in replay.authorities] == ["stendal"]


def test_a_different_file_with_a_sequence_counted_before_is_rejected(ministry):
    ministry.report()
    twin = _signed(ministry.folder, "harz-twin.json", "harz", 1.0, 2)
    result = build_report(
        [twin, ministry.authentic[1]], ministry.folder / "bericht", keys_file=ministry.keys_file
    )
    assert (
        len(result.rejected) == 1
        and "a different summary with sequence 2 of 'harz'" in (result.rejected[0])
    )
    assert ministry.report().rejected == [], "the file counted before still counts"


def test_another_report_folder_and_unverified_runs_remember_nothing(ministry):
    _signed(ministry.folder, "unused.json", "harz", 3.5, 9)
    build_report(
        [_signed(ministry.folder, "harz-9.json", "harz", 3.5, 9)], ministry.folder / "bericht"
    )  # without --keys
    assert ministry.report().rejected == []
    assert not (ministry.folder / "bericht" / "sequences.json").read_text().count('"sequence": 9')
    assert ministry.report(name="anderer-ordner").rejected == []


def report_command(ministry: Ministry) -> Any:
    """``willkommen land report`` of the authentic files with ``--keys`` into ``bericht``."""
    files = [str(p) for p in ministry.authentic]
    output = str(ministry.folder / "bericht")
    return CliRunner().invoke(
        cli, ["land", "report", *files, "--keys", str(ministry.keys_file), "--output", output]
    )


def test_a_damaged_memory_of_sequences_stops_the_report_with_its_name(ministry):
    ministry.report()
    memory = ministry.folder / "bericht" / "sequences.json"
    memory.write_text("{kaputt", encoding="utf-8")
    result = report_command(ministry)
    assert result.exit_code == 1 and f"{memory}: cannot read" in result.output


def test_a_keys_file_naming_an_authority_twice_is_refused(ministry):
    text = ministry.keys_file.read_text(encoding="utf-8")
    entries = json.loads(text)["authorities"]
    doubled = (
        '{"schema": "willkommen.keys/1", "authorities": {'
        f'"harz": {json.dumps(entries["harz"])}, "stendal": {json.dumps(entries["stendal"])}, '
        f'"harz": {json.dumps({"public_key": public(INTRUDER)})}'
        "}}"
    )
    ministry.keys_file.write_text(doubled, encoding="utf-8")
    result = report_command(ministry)
    assert result.exit_code == 1
    assert f"{ministry.keys_file}" in result.output and "'harz' appears more than once" in (
        result.output
    )


# -- random single-field mutations ---------------------------------------------------------

SIGNED = signing.sign(envelope("harz", 3.0, sequence=2), KEYS["harz"])
HARZ_KEYS = {"harz": public(KEYS["harz"]), "stendal": public(KEYS["stendal"])}


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every member of the document, at any depth (the document itself excluded)."""
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _paths(value, (*prefix, i))
    return found


PATHS = _paths(SIGNED)
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=5,
)


def _get(doc: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        doc = doc[step]
    return doc


@st.composite
def mutations(draw: st.DrawFn) -> dict[str, Any]:
    """The signed envelope with one member replaced, removed, or one member added."""
    doc = copy.deepcopy(SIGNED)
    kind = draw(st.sampled_from(["replace", "remove", "add"]))
    if kind == "add":
        containers = [()] + [p for p in PATHS if isinstance(_get(doc, p), dict)]
        target = _get(doc, draw(st.sampled_from(containers)))
        name = draw(st.text(min_size=1, max_size=8).filter(lambda k: k not in target))
        target[name] = draw(JSON_VALUES)
        return doc
    path = draw(st.sampled_from(PATHS))
    parent = _get(doc, path[:-1])
    if kind == "remove":
        del parent[path[-1]]
        return doc
    old = parent[path[-1]]
    new = draw(JSON_VALUES.filter(lambda v: signing.canonical(v) != signing.canonical(old)))
    parent[path[-1]] = new
    return doc


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=mutations())
def test_any_single_change_to_a_signed_summary_is_rejected(tmp_path_factory, doc):
    folder = tmp_path_factory.mktemp("mutated")
    path = write(folder / "harz.json", doc)
    keys_file = write(
        folder / "keys.json",
        {
            "schema": "willkommen.keys/1",
            "authorities": {s: {"public_key": k} for s, k in HARZ_KEYS.items()},
        },
    )
    result = build_report([path], folder / "bericht", keys_file=keys_file)
    assert result.authorities == [] and result.accepted == []
    assert len(result.rejected) == 1 and result.rejected[0].startswith(f"{path}: ")
    assert "harz," not in result.csv_path.read_text(encoding="utf-8")


def test_the_unchanged_signed_summary_is_accepted(tmp_path):
    keys_file = write(
        tmp_path / "keys.json",
        {"schema": "willkommen.keys/1", "authorities": {"harz": {"public_key": HARZ_KEYS["harz"]}}},
    )
    result = build_report([write(tmp_path / "h.json", SIGNED)], tmp_path / "r", keys_file=keys_file)
    assert result.rejected == [] and [a.slug for a in result.authorities] == ["harz"]


# -- without --keys --------------------------------------------------------------------------


def test_without_keys_every_page_says_that_nothing_was_verified(ministry):
    result = build_report(ministry.authentic, ministry.folder / "ungeprueft")
    html = result.html_path.read_text(encoding="utf-8")
    assert not result.verified
    assert "<title>Nicht geprüft – " in html  # browsers print the title on every page
    assert '<p class="unverified" role="note"><strong>Nicht geprüft:</strong>' in html
    assert '@top-center { content: "NICHT GEPRÜFT: kein Absender' in html  # each page's margin
    rows = result.csv_path.read_text(encoding="utf-8").splitlines()[1:]
    assert rows and all("nicht geprüft" in row for row in rows)
    verified = ministry.report()
    checked = verified.html_path.read_text(encoding="utf-8")
    assert verified.verified and "unverified" not in checked and "@top-center" not in checked
    assert "nicht geprüft" not in verified.csv_path.read_text(encoding="utf-8")


def test_without_keys_the_cli_warns(ministry):
    result = CliRunner().invoke(
        cli,
        ["land", "report", *map(str, ministry.authentic), "--output", str(ministry.folder / "o")],
    )
    assert result.exit_code == 0
    assert "warning: without --keys no sender was verified" in result.output


# -- the sequence in the instance ------------------------------------------------------------


def _export(instance: Any, out: Path) -> dict[str, Any]:
    result = CliRunner().invoke(
        cli, ["--instance", str(instance.root), "summary", "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert f"summary {doc['sequence']}," in result.output
    return doc


def test_each_export_gets_a_higher_number_recorded_in_the_instance(make_sqlite_instance, tmp_path):
    instance = make_sqlite_instance(["partner"])
    signing.ensure_key(instance.root)
    first = _export(instance, tmp_path / "a.json")
    second = _export(instance, tmp_path / "b.json")
    assert second["sequence"] > first["sequence"] > 0
    claim = instance.root / signing.SEQUENCE_DIR / str(second["sequence"])
    digest = hashlib.sha256((tmp_path / "b.json").read_bytes()).hexdigest()
    assert claim.read_text() == f"{digest}  b.json\n"
    # The ministry counts the newer one; the older is listed as superseded.
    slug = instance.settings.authority.slug
    keys_file = write(
        tmp_path / "keys.json",
        {
            "schema": "willkommen.keys/1",
            "authorities": {slug: {"public_key": signing.public_key(instance.root)}},
        },
    )
    result = build_report(
        [tmp_path / "b.json", tmp_path / "a.json"], tmp_path / "r", keys_file=keys_file
    )
    assert result.accepted == [str(tmp_path / "b.json")] and result.rejected == []
    assert len(result.superseded) == 1 and result.superseded[0].startswith(str(tmp_path / "a.json"))


def test_concurrent_exports_never_get_the_same_number(tmp_path, monkeypatch):
    # A frozen clock makes every thread compute the same first candidate.
    monkeypatch.setattr(signing.time, "time_ns", lambda: 1_700_000_000_000_000_000)
    start = threading.Barrier(8)

    def claim(_: int) -> int:
        start.wait()
        return signing.next_sequence(tmp_path)

    with ThreadPoolExecutor(8) as pool:
        numbers = list(pool.map(claim, range(8)))
    assert len(set(numbers)) == 8
    assert sorted(numbers) == list(range(1_700_000_000_000, 1_700_000_000_008))


def test_the_number_keeps_growing_after_a_restore_and_after_an_old_folder_copy(
    make_sqlite_instance, tmp_path
):
    instance = make_sqlite_instance(["partner"])
    signing.ensure_key(instance.root)
    runner = CliRunner()
    backup = tmp_path / "backup.zip"
    root = ["--instance", str(instance.root)]
    assert runner.invoke(cli, [*root, "backup", str(backup)]).exit_code == 0
    sent = [_export(instance, tmp_path / "1.json")["sequence"]]
    restored = runner.invoke(cli, [*root, "restore", str(backup), "--yes"])
    assert restored.exit_code == 0, restored.output
    sent.append(_export(instance, tmp_path / "2.json")["sequence"])
    # The instance folder put back from a copy older than both exports (or a new machine).
    shutil.rmtree(instance.root / signing.SEQUENCE_DIR)
    sent.append(_export(instance, tmp_path / "3.json")["sequence"])
    assert sent == sorted(set(sent))


def test_other_files_in_the_claim_folder_are_ignored(tmp_path):
    (tmp_path / signing.SEQUENCE_DIR).mkdir(parents=True)
    (tmp_path / signing.SEQUENCE_DIR / "README").write_text("not a number")
    assert signing.next_sequence(tmp_path) > 1_700_000_000_000
