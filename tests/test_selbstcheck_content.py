"""The questionnaire: shipped content, local changes, other plugins' items, versions."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest
from selbstcheck_support import open_round

from willkommen_core.domain import CORNERSTONE_IDS
from willkommen_core.hookspecs import hookimpl
from willkommen_core.types import AssessmentItem, ModuleInfo
from willkommen_plugins.selbstcheck import questionnaire as qmod
from willkommen_plugins.selbstcheck import store
from willkommen_plugins.selbstcheck.settings import DEFAULT_WORK_AREAS

SEED_WORKING_GROUPS = {
    "personalentwicklung",
    "oeffentlichkeitsarbeit",
    "raeume",
    "wegweiser",
    "externe_akteure",
}


@pytest.fixture
def instance(make_sqlite_instance):
    return make_sqlite_instance(["selbstcheck"])


def test_shipped_questionnaire_covers_the_five_cornerstones_with_six_items_each(instance):
    q, problems = qmod.assemble(instance)
    assert problems == []
    assert [c.id for c in q.cornerstones] == list(CORNERSTONE_IDS)
    for c in q.cornerstones:
        assert len(c.items) >= 6, c.id
        assert c.title["de"] and c.title["en"]
        for item in c.items:
            assert item.text["de"] and item.text["en"], item.id
            assert item.explanation["de"] and item.explanation["en"], item.id
            assert item.text["de"] != item.text["en"]


def test_every_cornerstone_names_its_caf_2020_sub_criteria(instance):
    q = qmod.current(instance)
    for c in q.cornerstones:
        assert c.caf, c.id
        for sub in c.caf:
            assert sub["id"][0] in "12345" and sub["de"] and sub["en"]


def test_the_seeds_working_groups_are_all_covered_by_items(instance):
    q = qmod.current(instance)
    covered = {i.working_group for i in q.items.values() if i.working_group}
    assert covered == SEED_WORKING_GROUPS
    assert set(q.working_groups) == SEED_WORKING_GROUPS


def test_work_areas_default_to_magdeburgs_five(instance):
    assert qmod.current(instance).work_areas == tuple(DEFAULT_WORK_AREAS)
    assert len(DEFAULT_WORK_AREAS) == 5


def test_version_is_stable_and_changes_with_local_additions_and_hidden_items(instance):
    before = qmod.assemble(instance)[0].version
    assert before == qmod.assemble(instance)[0].version
    assert before.startswith("2025.1-")
    local = instance.root / "content" / "selbstcheck"
    local.mkdir(parents=True)
    (local / "local.toml").write_text(
        'hide = ["eb_schreiben"]\n'
        "[[items]]\n"
        'id = "lokal_parkplaetze"\n'
        'cornerstone = "binnenorganisation"\n'
        'text = { de = "Es gibt genug Parkplätze.", en = "There is enough parking." }\n'
        'explanation = { de = "Auch für Menschen mit Behinderung.", en = "Also for disabled people." }\n',
        encoding="utf-8",
    )
    q, problems = qmod.assemble(instance)
    assert problems == []
    assert "lokal_parkplaetze" in q.items and q.items["lokal_parkplaetze"].source == "local"
    assert "eb_schreiben" not in q.items
    assert q.version != before
    assert qmod.current(instance).version == q.version  # the cache notices the file


def test_an_instance_can_replace_the_whole_questionnaire(instance):
    shipped = qmod.current(instance)
    local = instance.root / "content" / "selbstcheck"
    local.mkdir(parents=True)
    text = Path(instance.content_path("selbstcheck", "questionnaire.toml")).read_text("utf-8")
    (local / "questionnaire.toml").write_text(
        text.replace('version = "2025.1"', 'version = "2026.1"'), encoding="utf-8"
    )
    q, problems = qmod.assemble(instance)
    assert problems == []
    assert q.version.startswith("2026.1-") and set(q.items) == set(shipped.items)


@pytest.mark.parametrize(
    ("content", "key", "reason"),
    [
        (
            '[[items]]\nid = "x1"\ncornerstone = "nirgends"\n',
            "items[0].cornerstone",
            "must be one of",
        ),
        (
            '[[items]]\nid = "x1"\ncornerstone = "verankerung"\ntext = { de = "Nur deutsch" }\n'
            'explanation = { de = "a", en = "b" }\n',
            "items[0][x1].text.en",
            "missing",
        ),
        ('hide = ["gibt_es_nicht"]\n', "hide", "unknown item id"),
        ("unbekannt = 1\n", "unbekannt", "unknown key"),
        ("[[items]\n", "", "invalid TOML"),
    ],
)
def test_content_errors_name_file_key_and_reason(instance, content, key, reason):
    local = instance.root / "content" / "selbstcheck"
    local.mkdir(parents=True)
    (local / "local.toml").write_text(content, encoding="utf-8")
    problems = instance.check(database=False)
    assert any(
        p.file == "content/selbstcheck/local.toml" and p.key == key and reason in p.reason
        for p in problems
    ), problems


def _contributing_plugin() -> types.ModuleType:
    module = types.ModuleType("willkommen_test_beitrag")

    @hookimpl
    def module_info():
        return ModuleInfo(title="Beitrag", cornerstones=("kompetenzen",))

    @hookimpl
    def selfassessment_items(instance):
        return [
            AssessmentItem(
                "beitrag_sprachkurse",
                "kompetenzen",
                "Es gibt Sprachkurse für Mitarbeitende.",
                "Zum Beispiel Englisch.",
            )
        ]

    module.module_info = module_info  # type: ignore[attr-defined]
    module.selfassessment_items = selfassessment_items  # type: ignore[attr-defined]
    sys.modules[module.__name__] = module
    return module


def test_other_plugins_contribute_items_and_a_round_freezes_its_version(make_sqlite_instance):
    plugin = _contributing_plugin()
    with_it = make_sqlite_instance(["selbstcheck"], extra_plugins=(("beitrag", plugin),))
    q = qmod.current(with_it)
    item = q.items["beitrag_sprachkurse"]
    assert item.cornerstone == "kompetenzen" and item.source == "plugin:beitrag"
    assert item.text["de"] == "Es gibt Sprachkurse für Mitarbeitende."
    without = make_sqlite_instance(["selbstcheck"], name="without")
    assert "beitrag_sprachkurse" not in qmod.current(without).items
    assert qmod.current(without).version != q.version

    rnd = open_round(with_it)
    # Later content changes never reach a round that has started.
    local = with_it.root / "content" / "selbstcheck"
    local.mkdir(parents=True)
    (local / "local.toml").write_text('hide = ["bo_termine"]\n', encoding="utf-8")
    assert "bo_termine" not in qmod.current(with_it).items
    frozen = store.questionnaire_of(with_it.db, store.get_round(with_it.db, rnd.id))
    assert frozen.version == rnd.questionnaire_version == q.version
    assert "bo_termine" in frozen.items and "beitrag_sprachkurse" in frozen.items


def test_settings_section_rejects_unknown_keys_and_bad_values(make_sqlite_instance):
    from willkommen_core.instance import Instance

    instance = make_sqlite_instance(["selbstcheck"])
    path = instance.root / "willkommen.toml"
    text = path.read_text("utf-8")
    path.write_text(text + "\n[selbstcheck]\nmax_coment_length = 10\nmax_tokens = 0\n", "utf-8")
    problems = Instance(instance.root).problems
    keys = {p.key: p.reason for p in problems}
    assert keys.get("selbstcheck.max_coment_length") == "unknown key"
    assert keys.get("selbstcheck.max_tokens") == "must be >= 1"
