"""Progress on stderr for the commands that can take a while (demo, import, export,
encrypt), so a long run does not look like a hang.

Only a person at a terminal sees it: when stderr is a pipe, a file or a test runner
nothing extra is printed, and scripts read the same output as before. Rich's progress
is imported only when it is shown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rmpair.cli._output import stderr_is_terminal

# ``step(done, total)``: how far the work is; the commands' libraries call it.
Step = Callable[[int, int], None]


def _quiet(done: int, total: int) -> None:
    """Progress nobody sees (stderr is not a terminal)."""


@contextmanager
def progress(description: str) -> Iterator[Step]:
    """A progress line on stderr while the block runs, cleared when it ends.

    It spins until the first ``step`` call says how much there is, then shows a bar
    with "done/total" and the time elapsed.
    """
    if not stderr_is_terminal():
        yield _quiet
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
        # stdout stays the command's own (an export may be written to it).
        redirect_stdout=False,
        redirect_stderr=False,
    ) as bar:
        task = bar.add_task(description, total=None)

        def step(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield step
