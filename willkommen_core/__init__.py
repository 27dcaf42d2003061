"""Willkommen core: the plugin host every toolkit module stands on.

The core knows no toolkit module by name; modules are pluggy plugins
(see :mod:`willkommen_core.hookspecs`).
"""

__version__ = "0.2.0"
