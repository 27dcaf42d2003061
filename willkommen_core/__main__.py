"""``python -m willkommen_core`` runs the ``willkommen`` command."""

from .cli import main

main()
