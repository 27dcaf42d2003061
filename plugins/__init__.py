"""The toolkit modules, one pluggy plugin each (installed as ``willkommen_plugins``)."""
