"""The command line: ``app.py`` is the root Typer app that loads one module per noun on
demand; the helpers those modules share live in ``_common.py``, below them."""
