"""The web shell: Starlette app factory, layout, auth, CSRF, i18n, static files."""
