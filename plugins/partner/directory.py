"""The partner list as other modules see it (hook ``network_directory``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from willkommen_core.types import NetworkContact

from . import store

if TYPE_CHECKING:
    from willkommen_core.instance import Instance


def directory(instance: Instance, language: str | None, public_only: bool) -> list[NetworkContact]:
    found = store.search(
        instance.db,
        store.Filters(language=language or "", public_only=public_only),
        search_notes=False,
    )
    return [
        NetworkContact(
            id=p.id,
            name=p.name,
            street=p.street,
            postcode=p.postcode,
            city=p.city,
            phone=p.phone,
            website=p.website,
            languages=tuple(p.languages),
            public=p.public,
        )
        for p in found
    ]
