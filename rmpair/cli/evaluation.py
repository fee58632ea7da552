"""``rmpair checkin`` and ``rmpair evaluate``: how the programme went.

``checkin`` (half-way) and ``evaluate`` (at the end, with the retrospective) take the
same questions; each person answers for themselves and sees both sides' answers.
Without answer flags the commands only show; ``--ask`` asks the questions one by one.
``rmpair assess`` (the mentee's confidence per topic) is in ``assess.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from rmpair.cli._common import console, fail, opened, print_json
from rmpair.cli._prompts import NoMoreAnswers, ask_question, parse_scale
from rmpair.i18n import _

if TYPE_CHECKING:
    from rmpair.journal import Journal
    from rmpair.model.lifecycle import Stage

checkin_app = typer.Typer()
evaluate_app = typer.Typer()

JsonOpt = Annotated[bool, typer.Option("--json", help=_("Print JSON instead of text."))]
AskOpt = Annotated[
    bool, typer.Option("--ask", help=_("Ask the questions one by one (blank keeps an answer)."))
]
SatisfactionOpt = Annotated[
    int | None,
    typer.Option("--satisfaction", metavar="N", help=_("How satisfied you are, 1 (low) to 5.")),
]
LearnedOpt = Annotated[
    str | None, typer.Option("--learned", metavar="TEXT", help=_("What you learned."))
]
SkillsOpt = Annotated[
    str | None, typer.Option("--skills", metavar="TEXT", help=_("Concrete skills you gained."))
]
WorkedOpt = Annotated[
    str | None, typer.Option("--worked", metavar="TEXT", help=_("What worked well."))
]
ChangeOpt = Annotated[
    str | None, typer.Option("--change", metavar="TEXT", help=_("What you would change."))
]
RelationshipOpt = Annotated[
    str | None,
    typer.Option(
        "--relationship",
        metavar="yes|no|unsure",
        help=_("Did a relationship form between you?"),
    ),
]
ContinueOpt = Annotated[
    str | None,
    typer.Option("--continue", metavar="yes|no|unsure", help=_("Do you want to continue?")),
]
GainOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--gain",
        metavar="KEY",
        help=_(
            "Mentor only: what the tandem gave you: visibility, leadership, network, "
            "confidence, voice, sponsor (repeatable, or comma-separated; '' clears)."
        ),
    ),
]
GainOtherOpt = Annotated[
    str | None,
    typer.Option(
        "--gain-other",
        metavar="TEXT",
        help=_("Mentor only: anything else you gained, in your words."),
    ),
]


# -- asking -------------------------------------------------------------------------------


def _ask_answers(journal: Journal, stage: Stage) -> dict[str, Any]:
    """Ask every question of ``stage``, showing my current answers as defaults; when
    the answers run out, the ones already given are kept."""
    answers: dict[str, Any] = {}
    try:
        _fill_answers(journal, stage, answers)
    except NoMoreAnswers:
        if not answers:  # no terminal and nothing piped in: a mistake, not an answer
            fail(_("--ask: the answers ran out before the questions did."))
        typer.echo(_("The answers ran out; the ones given are kept."), err=True)
    return answers


def _fill_answers(journal: Journal, stage: Stage, answers: dict[str, Any]) -> None:
    from rmpair.domain.evaluation import parse_gains, parse_tristate, question
    from rmpair.model.lifecycle import Evaluation
    from rmpair.model.records import Role

    current = journal.evaluation.of(stage, journal.my_role) or Evaluation("")
    value = ask_question(
        question("satisfaction"),
        str(current.satisfaction) if current.satisfaction else "",
        parse_scale("--satisfaction"),
    )
    if value is not None:
        answers["satisfaction"] = value
    for name in ("learned", "skills", "worked", "change"):
        text = ask_question(question(name), getattr(current, name), lambda t: t)
        if text is not None:
            answers[name] = text
    for name, flag in (("relationship", "--relationship"), ("wants_to_continue", "--continue")):

        def tristate(text: str, flag: str = flag) -> str:
            return parse_tristate(text, flag) if text else ""

        choice = ask_question(
            question(name) + " " + _("(yes/no/unsure)"), getattr(current, name), tristate
        )
        if choice is not None:
            answers[name] = choice
    if journal.my_role is Role.MENTOR:
        from rmpair.model.lifecycle import GAIN_KEYS

        gains = ask_question(
            _("What did the tandem give you? ({keys}; comma-separated)").format(
                keys=", ".join(GAIN_KEYS)
            ),
            ", ".join(current.gains),
            lambda t: list(parse_gains([t])),
        )
        if gains is not None:
            answers["gains"] = gains
        other = ask_question(_("Anything else you gained?"), current.gains_other, lambda t: t)
        if other is not None:
            answers["gains_other"] = other


# -- showing ------------------------------------------------------------------------------


def _answers_json(journal: Journal, stage: Stage, changed: bool) -> dict[str, Any]:
    from rmpair.model.lifecycle import Stage

    tandem = journal.tandem()
    midpoint = journal.evaluation.programme_midpoint()
    due = (
        journal.evaluation.checkin_due()
        if stage is Stage.CHECKIN
        else journal.evaluation.closing_due()
    )
    return {
        "stage": stage.value,
        "my_role": journal.my_role.value,
        "changed": changed,
        "due": due,
        "midpoint": midpoint.isoformat() if midpoint else None,
        "end": tandem.end.isoformat() if tandem and tandem.end else None,
        "answers": {
            role.value: (
                answers.to_json(tandem.name_of(role) if tandem else "")
                if answers is not None and answers.answered
                else None
            )
            for role, answers in journal.evaluation.evaluations(stage).items()
        },
    }


def _print_answers(journal: Journal, stage: Stage, data: dict[str, Any]) -> None:
    from rich.text import Text

    from rmpair.domain.evaluation import answer_rows, with_colon
    from rmpair.model.lifecycle import Stage
    from rmpair.model.records import Role

    out = console()
    tandem = journal.tandem()
    if stage is Stage.CHECKIN:
        title = _("Mid-point check-in")
        if data["midpoint"]:
            title += "  " + _("(half-way point: {day})").format(day=data["midpoint"])
    else:
        title = _("Closing evaluation")
        if data["end"]:
            title += "  " + _("(programme end: {day})").format(day=data["end"])
    out.print(Text(title, style="bold"))
    for role, answers in journal.evaluation.evaluations(stage).items():
        name = tandem.name_of(role) if tandem else ""
        header = _("{name} ({role})").format(name=name, role=_(role.value))
        if role is journal.my_role:
            header += "  " + _("(yours)")
        out.print()
        out.print(Text(header, style="bold"))
        rows = answer_rows(answers) if answers is not None else []
        if not rows:
            out.print(Text("  " + _("Not answered yet."), style="dim"))
        for question_text, answer in rows:
            out.print(Text(f"  {with_colon(question_text)} ", style="dim") + Text(answer))
    if data["due"]:
        command = "checkin" if stage is Stage.CHECKIN else "evaluate"
        out.print()
        out.print(
            _("Your answers are due: 'rmpair {command} --ask', or give them as flags.").format(
                command=command
            )
        )
    elif stage is Stage.CLOSING and all(data["answers"][role.value] is not None for role in Role):
        out.print()
        out.print(_("Both of you have answered. 'rmpair report' puts the programme together."))


def _answers_command(
    stage: Stage,
    *,
    ask: bool,
    as_json: bool,
    satisfaction: int | None,
    learned: str | None,
    skills: str | None,
    worked: str | None,
    change: str | None,
    relationship: str | None,
    wants_to_continue: str | None,
    gain: list[str] | None,
    gain_other: str | None,
) -> None:
    given: dict[str, Any] = {
        name: value
        for name, value in (
            ("satisfaction", satisfaction),
            ("learned", learned),
            ("skills", skills),
            ("worked", worked),
            ("change", change),
            ("relationship", relationship),
            ("wants_to_continue", wants_to_continue),
            ("gains", gain),
            ("gains_other", gain_other),
        )
        if value is not None
    }
    with opened(write=bool(given) or ask) as journal:
        changed = False
        with journal.batch():
            if given:
                changed = journal.evaluation.record_evaluation(stage, **given)
            if ask:
                asked = _ask_answers(journal, stage)
                if asked:
                    changed = journal.evaluation.record_evaluation(stage, **asked) or changed
        data = _answers_json(journal, stage, changed)
        if as_json:
            print_json(data)
            return
        if given or ask:
            typer.echo(_("Your answers are saved.") if changed else _("Nothing changed."), err=True)
        _print_answers(journal, stage, data)


@checkin_app.command()
def checkin(
    satisfaction: SatisfactionOpt = None,
    learned: LearnedOpt = None,
    skills: SkillsOpt = None,
    worked: WorkedOpt = None,
    change: ChangeOpt = None,
    relationship: RelationshipOpt = None,
    wants_to_continue: ContinueOpt = None,
    gain: GainOpt = None,
    gain_other: GainOtherOpt = None,
    ask: AskOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """The mid-point check-in: how it is going for each of you, half-way through.

    With answer flags (or --ask) your own answers are saved; both sides' answers are
    shown either way. Each of you can only change your own.
    """
    from rmpair.model.lifecycle import Stage

    _answers_command(
        Stage.CHECKIN,
        ask=ask,
        as_json=as_json,
        satisfaction=satisfaction,
        learned=learned,
        skills=skills,
        worked=worked,
        change=change,
        relationship=relationship,
        wants_to_continue=wants_to_continue,
        gain=gain,
        gain_other=gain_other,
    )


@evaluate_app.command()
def evaluate(
    satisfaction: SatisfactionOpt = None,
    learned: LearnedOpt = None,
    skills: SkillsOpt = None,
    worked: WorkedOpt = None,
    change: ChangeOpt = None,
    relationship: RelationshipOpt = None,
    wants_to_continue: ContinueOpt = None,
    gain: GainOpt = None,
    gain_other: GainOtherOpt = None,
    ask: AskOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """The closing evaluation, with the retrospective: feedback from both sides.

    Satisfaction, what you learned, the skills you gained, what worked, what you would
    change, whether a relationship formed and whether you want to go on. The mentor
    also notes what the tandem gave them (--gain). Both sides' answers are shown.
    """
    from rmpair.model.lifecycle import Stage

    _answers_command(
        Stage.CLOSING,
        ask=ask,
        as_json=as_json,
        satisfaction=satisfaction,
        learned=learned,
        skills=skills,
        worked=worked,
        change=change,
        relationship=relationship,
        wants_to_continue=wants_to_continue,
        gain=gain,
        gain_other=gain_other,
    )
