"""The plugin SDK: what a module author writes against.

:class:`Module` declares a module and provides its plumbing hooks by
convention; pages are plain functions declared on ``module.pages`` that get a
:class:`PageRequest`; JSON endpoints are declared on ``module.api``. See
``docs/hooks.md`` ("Writing a module with the SDK").
"""

from .module import Module
from .pages import ApiRouter, PageRequest, Router

__all__ = ["ApiRouter", "Module", "PageRequest", "Router"]
