"""The one door: no module reads its answer tables except to feed the disclosure layer."""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from willkommen_core.disclosure import Answers, Headcount, bypasses, reads_answers

MODULES = sorted(ep.name for ep in entry_points(group="willkommen"))


@pytest.mark.parametrize("name", MODULES)
def test_no_installed_module_counts_answers_outside_the_layer(name):
    module = importlib.import_module(entry_points(group="willkommen")[name].value)
    assert bypasses(Path(module.__file__).parent) == []


def test_the_modules_holding_answers_declare_their_answer_tables():
    from willkommen_plugins.fortbildung import tables as fortbildung
    from willkommen_plugins.selbstcheck import tables as selbstcheck

    declared = {
        t.name
        for md in (selbstcheck.metadata, fortbildung.metadata)
        for t in md.tables.values()
        if t.info.get("answers")
    }
    assert declared == {
        "selbstcheck_responses",
        "selbstcheck_answers",
        "selbstcheck_comments",
        "fortbildung_responses",
        "fortbildung_choices",
    }


BYPASSING_MODULE = {
    "tables.py": """
from sqlalchemy import Column, Integer, MetaData, String, Table
metadata = MetaData()
ratings = Table("umfrage_ratings", metadata, Column("id", String(32), primary_key=True),
                Column("value", Integer), info={"answers": True})
rooms = Table("umfrage_rooms", metadata, Column("id", Integer, primary_key=True))
""",
    "store.py": """
from sqlalchemy import func, select, insert
from willkommen_core.disclosure import Answers, reads_answers, writes_answers
from .tables import ratings, rooms

@writes_answers
def store(db, value):
    with db.write() as s:
        s.execute(insert(ratings).values(id="x", value=value))

@reads_answers
def load(db):
    with db.read() as s:
        return [Answers((), {"q": v}) for (v,) in s.execute(select(ratings.c.value))]

def room_count(db):
    with db.read() as s:
        return s.execute(select(func.count()).select_from(rooms)).scalar()
""",
    "web.py": '''
"""Counts umfrage_ratings for a page (docstrings may name tables)."""
from sqlalchemy import func, select, text
from . import tables
from .tables import ratings as r

def results_page(request):
    with request.app.state.instance.db.read() as s:
        mean = s.execute(select(func.avg(r.c.value))).scalar()
        n = s.execute(select(func.count()).select_from(tables.ratings)).scalar()
        raw = s.execute(text("SELECT count(*) FROM umfrage_ratings")).scalar()
    return f"{mean} {n} {raw}"
''',
}


def test_a_module_that_counts_answers_for_a_page_fails_the_check(tmp_path):
    package = tmp_path / "umfrage"
    package.mkdir()
    for name, source in BYPASSING_MODULE.items():
        (package / name).write_text(source, encoding="utf-8")
    found = [str(b) for b in bypasses(package)]
    assert [f.split(":")[0] for f in found] == ["umfrage/web.py"] * 3
    assert {f.split(":")[1] for f in found} == {"9", "10", "11"}
    assert all("outside @reads_answers/@writes_answers" in f for f in found)


def test_an_answer_reader_must_hand_raw_answer_sets_to_the_layer():
    @reads_answers
    def mean_of_everything() -> float:
        return 4.2

    @reads_answers
    def answer_sets() -> list[Answers]:
        return [Answers((), {"q": 3})]

    @reads_answers
    def how_many() -> Headcount:
        return Headcount(3)

    with pytest.raises(TypeError, match="returns float"):
        mean_of_everything()
    assert answer_sets()[0].values == {"q": 3}
    assert how_many() == Headcount(3)


def test_a_single_file_module_cannot_hide_a_count_beside_its_table_definition(tmp_path):
    module = tmp_path / "kurz.py"
    module.write_text(
        BYPASSING_MODULE["tables.py"]
        + "\ndef shown(s):\n    return s.execute(ratings.select()).all()\n",
        encoding="utf-8",
    )
    [found] = bypasses(module)
    assert str(found).startswith("kurz.py:9: uses answer table ratings")


def test_willkommen_check_names_a_plugin_that_bypasses_the_layer(make_sqlite_instance):
    from willkommen_core.instance import Instance

    instance = make_sqlite_instance([])
    plugins = instance.root / "plugins"
    plugins.mkdir(exist_ok=True)
    (plugins / "kurz.py").write_text(
        BYPASSING_MODULE["tables.py"]
        + "\ndef shown(s):\n    return s.execute(ratings.select()).all()\n",
        encoding="utf-8",
    )
    problems = [str(p) for p in Instance(instance.root).check(database=False)]
    assert [p for p in problems if "disclosure" in p] == [
        "plugins/kurz.py: disclosure: line 9 uses answer table ratings outside "
        "@reads_answers/@writes_answers"
    ]
