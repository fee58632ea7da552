"""``rmpair web``: the same Textual app, served to the browser of the person who
started it (``server.py``), on this computer only, behind a secret in the URL."""
