"""The training plan opens on a year with sessions (issue 14).

Without ``?jahr=`` the plan shows this year when it has sessions, otherwise
the latest year that has some; the demo (Magdeburg 2014/2015) therefore
opens on 2015, a full year in which only April misses the monthly target
(the Huysburg workshop), not on an empty current year of red rows.
"""

from __future__ import annotations

import re
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from willkommen_core.testing import login
from willkommen_plugins.fortbildung import demo, store
from willkommen_plugins.fortbildung.web_plan import default_year

TODAY = date(2026, 11, 26)


def test_this_year_when_it_has_sessions():
    assert default_year([2014, 2026, 2027], TODAY) == 2026


def test_the_latest_year_with_sessions_when_this_year_has_none():
    assert default_year([2014, 2015], TODAY) == 2015  # the demo, or last year's plan
    assert default_year([2025, 2027], TODAY) == 2027  # a plan made ahead


def test_this_year_when_nothing_is_planned_at_all():
    assert default_year([], TODAY) == 2026


@given(st.sets(st.integers(2000, 2100)), st.dates(date(2000, 1, 1), date(2100, 12, 31)))
def test_the_default_is_this_year_or_one_with_sessions(years, today):
    shown = default_year(years, today)
    assert shown == today.year or shown in years
    if years and today.year not in years:
        assert shown == max(years)


def test_the_demo_plan_opens_on_2015_with_its_sessions(make_sqlite_instance, make_client):
    instance = make_sqlite_instance(["fortbildung", "partner"])
    demo.seed(instance)
    assert store.years(instance.db) == [2014, 2015]
    client = make_client(instance)
    login(client, instance, "leitung")
    page = client.get("/fortbildung/plan").text
    assert "<h1>Jahresplan 2015</h1>" in page
    assert "Für dieses Jahr sind keine Termine geplant." not in page
    missed = re.findall(r'<tr class="missed">\s*<th scope="row">([^<]+)</th>', page)
    assert missed == ["April"]
    # An explicit year still wins, also one without sessions.
    assert "<h1>Jahresplan 2014</h1>" in client.get("/fortbildung/plan?jahr=2014").text
    assert "<h1>Jahresplan 2030</h1>" in client.get("/fortbildung/plan?jahr=2030").text
