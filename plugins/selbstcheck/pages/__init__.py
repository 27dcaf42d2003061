"""The self-assessment's pages, one module per job; ``web.py`` imports them all."""
