"""Shared test setup. The fixtures themselves ship with the package:
see :mod:`willkommen_core.testing.fixtures` (pytest plugin ``willkommen``)."""
