"""Local number formats (settings.FORMAT_MODULE_PATH): only what differs from Django's own."""
