"""Reading the self-assessment's section of a signed summary for the state report
(hook ``read_state_summary``): the counterpart of :func:`.summary.build`."""

from __future__ import annotations

from typing import Any

from willkommen_core.sdk.summaries import section_version
from willkommen_core.types import CornerstoneCell, CornerstoneRound, StateFigures

from .summary import SCHEMA_VERSION

READABLE_VERSIONS = (SCHEMA_VERSION,)


def read(section: Any) -> StateFigures:
    section_version(section, READABLE_VERSIONS, "self-assessment summary")
    rounds = []
    try:
        for r in section.get("rounds", []):
            cells = {
                c["id"]: CornerstoneCell(
                    c.get("n"),
                    None if c.get("suppressed") else c.get("mean"),
                    bool(c.get("suppressed")),
                )
                for c in r["cornerstones"]
            }
            rounds.append(
                CornerstoneRound(
                    str(r.get("title", "")),
                    str(r.get("closed_on") or ""),
                    str(r["questionnaire_version"]),
                    r.get("responses"),
                    cells,
                )
            )
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"self-assessment rounds are malformed ({exc!r})") from exc
    return StateFigures(rounds=sorted(rounds, key=lambda r: r.closed_on))
