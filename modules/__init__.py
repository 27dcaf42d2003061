"""The toolkit's content, one folder per module: the Magdeburg model as data.

Installed as the package ``willkommen_modules``; an instance overrides any
file by placing one of the same path under its ``content/`` folder.
"""
