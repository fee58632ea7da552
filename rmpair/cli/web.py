"""``rmpair web``: open the journal's app in your browser, on this computer only."""

from __future__ import annotations

from typing import Annotated

import typer

from rmpair.i18n import _

app = typer.Typer(add_completion=False)


@app.command()
def web(
    port: Annotated[
        int,
        typer.Option(
            "--port",
            min=0,
            max=65535,
            help=_("The port to listen on (default: any free one)."),
        ),
    ] = 0,
    no_browser: Annotated[
        bool,
        typer.Option("--no-browser", help=_("Print the address, do not open a browser.")),
    ] = False,
) -> None:
    """Open the app in your browser: same screens, same journal, on this computer only.

    The address holds a secret for this start; keep it to yourself. Ctrl-C stops it.
    """
    import importlib.util

    from rmpair.cli._common import fail, options

    if importlib.util.find_spec("textual_serve") is None:
        fail(_("'rmpair web' needs textual-serve: pip install \"rmpair[web]\"."))
    if options.serve_web is None:
        fail(_("The app is not available here; run a command, e.g. 'rmpair --help'."))

    journal = options.journal.expanduser().absolute() if options.journal else None
    if journal is not None and not journal.is_dir():
        fail(_("There is no folder {folder}.").format(folder=journal))

    def ready(url: str) -> None:
        typer.echo(_("rmpair is open at {url}").format(url=url))
        typer.echo(
            _("Only this computer can reach it, and only with that address. Ctrl-C stops it.")
        )
        if not no_browser:
            import webbrowser

            webbrowser.open(url)

    try:
        options.serve_web(journal, port, ready)
    except OSError as exc:
        fail(_("Cannot listen on port {port}: {reason}").format(port=port, reason=exc.strerror))
    typer.echo(_("rmpair web stopped."))
