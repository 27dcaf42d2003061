"""Serving with uvicorn, with one or several worker processes."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..instance import Instance
    from .reloading import InstanceApp

INSTANCE_ENV = "WILLKOMMEN_INSTANCE"


def app_from_env() -> InstanceApp:
    """App factory for uvicorn workers: each process opens the instance itself."""
    from .reloading import InstanceApp

    return InstanceApp(os.environ[INSTANCE_ENV])


def serve(
    instance: Instance, *, host: str, port: int, workers: int, access_log: bool = False
) -> None:
    import uvicorn

    from .app import create_app

    # Fail here, in the calling process, with the user's message rather than in a worker.
    create_app(instance)
    # Worker processes find the instance through the environment; restore it
    # afterwards so an embedding process is left as it was.
    previous = os.environ.get(INSTANCE_ENV)
    os.environ[INSTANCE_ENV] = str(instance.root)
    try:
        uvicorn.run(
            "willkommen_core.web.serve:app_from_env",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            proxy_headers=True,
            log_level="info",
            # Off by default: client addresses with timestamps could de-anonymise answers.
            access_log=access_log,
        )
    finally:
        if previous is None:
            os.environ.pop(INSTANCE_ENV, None)
        else:
            os.environ[INSTANCE_ENV] = previous
