"""Progress of long work (rollout, backup, restore, sign builds) on the command line.

On a terminal a bar with counts (``click.progressbar``); in a log or a pipe
a few plain lines with counts, one per tenth of the work and one at the end,
so a cron mail or a CI log shows how far it got without drowning in lines;
with ``quiet`` nothing at all. Progress goes to standard error, so a
command's own output on standard output stays clean for scripts.

A command uses it in one line around the loop that does the work::

    from willkommen_core.progress import Progress

    with Progress("signs", total=len(signs), quiet=quiet) as bar:
        for sign in signs:
            build(sign)
            bar.advance(sign.name)

A library function that does long work takes ``progress: Progress | None =
None`` and reports through :meth:`Progress.start` once it knows how much
there is (``Progress.of(progress)`` stands in for ``None``), so its callers
decide how (and whether) progress is shown::

    def build_all(..., progress: Progress | None = None) -> ...:
        bar = Progress.of(progress)
        bar.start(len(signs))
        for sign in signs:
            ...
            bar.advance(sign.name)
"""

from __future__ import annotations

import sys
from types import TracebackType
from typing import Any, TextIO

import click

LINES = 10
"""Plain lines per run when not on a terminal (plus the first and the last)."""


def _shown(item: str | None) -> str | None:
    return item


class Progress:
    """Counts of one long piece of work, shown as a bar, as lines, or not at all.

    ``total`` may be given later with :meth:`start` (when the work itself
    finds out how much there is). ``tty`` forces the terminal form on or off
    (default: whether ``file`` is a terminal).
    """

    def __init__(
        self,
        label: str,
        *,
        total: int | None = None,
        quiet: bool = False,
        file: TextIO | None = None,
        tty: bool | None = None,
    ) -> None:
        self.label = label
        self.quiet = quiet
        self.file = file
        self.tty = tty
        self.total: int | None = None
        self.done = 0
        self._bar: Any = None
        self._last_tenth = -1
        if total is not None:
            self.start(total)

    @classmethod
    def of(cls, progress: Progress | None) -> Progress:
        """``progress`` itself, or a silent one for callers that did not ask for any."""
        return progress if progress is not None else cls("", quiet=True)

    def _stream(self) -> TextIO:
        return self.file if self.file is not None else sys.stderr

    def _on_terminal(self) -> bool:
        if self.tty is not None:
            return self.tty
        return bool(getattr(self._stream(), "isatty", lambda: False)())

    def start(self, total: int) -> None:
        """Announce how many steps the work has (once; later calls change the total)."""
        self.total = max(0, total)
        if self.quiet:
            return
        if self._on_terminal():
            if self._bar is None:
                self._bar = click.progressbar(
                    length=self.total,
                    label=self.label,
                    file=self._stream(),
                    show_pos=True,
                    show_eta=True,
                    item_show_func=_shown,
                )
                if self.tty:
                    # Forced: click would print only the label to a stream that is no terminal.
                    self._bar._is_atty = True
                self._bar.__enter__()
            else:
                self._bar.length = self.total
        elif self._last_tenth < 0:
            self._line("")

    def advance(self, item: str = "", steps: int = 1) -> None:
        """Count ``steps`` more steps done; ``item`` names the last one (shown in lines)."""
        self.done += steps
        if self.quiet:
            return
        if self._bar is not None:
            self._bar.update(steps, current_item=item or None)
            return
        if self.total is None:
            self._line(item)
            return
        tenth = self.done * LINES // max(self.total, 1)
        if tenth != self._last_tenth or self.done >= self.total:
            self._line(item)

    def _line(self, item: str) -> None:
        total = "?" if self.total is None else str(self.total)
        self._last_tenth = 0 if self.total is None else self.done * LINES // max(self.total, 1)
        text = f"{self.label}: {self.done}/{total}"
        if item:
            text += f" {item}"
        click.echo(text, file=self._stream())

    def finish(self) -> None:
        """End the bar (a new line on a terminal); called when the ``with`` block ends."""
        if self._bar is not None:
            bar, self._bar = self._bar, None
            bar.__exit__(None, None, None)

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.finish()
