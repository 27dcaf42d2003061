"""``gruss``: a whole module with the SDK, as the docs show it (tests/test_sdk.py)."""

from pydantic import BaseModel

from willkommen_core.sdk import Module


class GrussSettings(BaseModel):
    greeting: str = "Guten Tag"
    editors: list[str] = ["leitung"]
    public_help: bool = True


module = Module(
    "gruss",
    __name__,
    title="Gruß",
    nav_path="/gruss/",
    nav_roles=("leitung",),
    settings=GrussSettings,
)
module.provide_hooks(globals())
