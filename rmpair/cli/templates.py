"""``rmpair templates``: which templates are in use, and the TOML of one of them.

Users override a built-in template by putting a file of the same name in their
templates folder (``RMPAIR_TEMPLATES``, else ``$RMPAIR_HOME/templates``, else the
platform's config folder). A broken file is reported on stderr, naming the file and
the key, and the built-in is used instead, so a typo never stops a command.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from rmpair.cli._common import fail, options, print_json
from rmpair.i18n import _

if TYPE_CHECKING:
    from rmpair.domain.template_types import TemplateInfo
    from rmpair.domain.templates import TemplateStore

app = typer.Typer(help=_("List and show the templates in use."), no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help=_("Print JSON instead of text."))]
LangOpt = Annotated[
    str | None,
    typer.Option(
        "--lang",
        help=_("Language of the templates: en, de or de_formal (default: the journal's)."),
    ),
]


def report_problems(store: TemplateStore) -> None:
    """One stderr line per problem in the user's template files; the built-in is used."""
    for problem in store.problems:
        typer.echo(
            _("rmpair: warning: {problem} (using the built-in template instead)").format(
                problem=problem
            ),
            err=True,
        )


def _language(lang: str | None) -> str:
    """The language asked for, else the journal's (if one opens: these are the templates
    its agendas and agreement come from), else the person's (RMPAIR_LANG, the locale)."""
    if lang:
        return lang
    from rmpair.errors import UserError
    from rmpair.i18n import content_language, effective_language
    from rmpair.journal import Journal
    from rmpair.store.home import Home

    folder = options.journal or Home().last_journal()
    if folder is not None:
        try:
            journal = Journal.open(folder, write=False, clock=options.clock)
        except UserError:
            journal = None
        if journal is not None:
            try:
                tandem = journal.tandem()
                if tandem is not None:
                    return content_language(tandem.lang)
            finally:
                journal.close()
    return effective_language(None)


def load(lang: str | None) -> TemplateStore:
    from rmpair.domain.templates import TemplateStore

    store = TemplateStore(lang=_language(lang))
    report_problems(store)
    return store


def info_json(info: TemplateInfo) -> dict[str, str]:
    return {
        "name": info.name,
        "kind": info.kind,
        "title": info.title,
        "source": info.source,
        "path": info.path,
        "description": info.description,
    }


def find(store: TemplateStore, name: str) -> TemplateInfo:
    """A template by full name, or by the short name of a programme, session kind or prep."""
    names = {info.name: info for info in store.names()}
    wanted = name.strip().removesuffix(".toml")
    for candidate in (wanted, f"programme-{wanted}", f"session-{wanted}", f"prep-{wanted}"):
        if candidate in names:
            return names[candidate]
    fail(
        _("No template named '{name}'. See them all with 'rmpair templates list'.").format(
            name=name
        )
    )


@app.command("list")
def list_templates(lang: LangOpt = None, as_json: JsonOpt = False) -> None:
    """List every template in use: name, kind, title and whether it is built in or yours."""
    store = load(lang)
    infos = store.names()
    if as_json:
        print_json(
            {
                "lang": store.lang,
                "user_dir": str(store.user_dir),
                "templates": [info_json(i) for i in infos],
                "problems": [
                    {"file": p.path, "key": p.key, "message": p.message} for p in store.problems
                ],
            }
        )
        return
    width = max((len(i.name) for i in infos), default=10)
    kind_width = max((len(i.kind) for i in infos), default=8)
    for info in infos:
        source = _("yours") if info.source == "user" else _("built-in")
        typer.echo(f"{info.name:<{width}}  {info.kind:<{kind_width}}  {source:<8}  {info.title}")
    typer.echo("")
    typer.echo(
        _("Your templates folder: {folder} (a file there with the same name overrides).").format(
            folder=store.user_dir
        )
    )


@app.command("show")
def show_template(
    name: Annotated[
        str, typer.Argument(help=_("The template's name, e.g. invite or engineering-6m."))
    ],
    lang: LangOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Print the TOML of a template exactly as it is used, ready to copy and adapt."""
    store = load(lang)
    info = find(store, name)
    text = store.source_text(info.name)
    if as_json:
        print_json({**info_json(info), "text": text})
        return
    typer.echo(text, nl=not text.endswith("\n"))
