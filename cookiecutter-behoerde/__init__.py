"""The instance template (``cookiecutter-behoerde/`` in the repository).

Installed as the package ``willkommen_cookiecutter`` so that ``willkommen new``
and ``willkommen rollout`` find it from any working directory.
"""

from pathlib import Path

TEMPLATE_DIR = Path(__file__).resolve().parent
"""The folder with ``cookiecutter.json``: pass it to cookiecutter as the template."""
