"""``grade watch``: regrade a submission on every save and say what changed.

One ``Grader`` (one warm sandbox; each test's cases computed once for the seed) grades the
submission again whenever one of its files is saved, and prints what changed since the last
good grading (``grader.report.changes``). A save that cannot be loaded (a syntax error, a
notebook half written) gets one line and the watch goes on, measured against the last
grading that loaded.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable, Iterator

import watchfiles

from grader.grading import Grader, Options
from grader.i18n import _
from grader.report import neutral, render
from grader.report.changes import changed_failures, changes, score_change
from grader.report.details import test_details
from grader.report.model import MISSING, UNLOADABLE, Report
from grader.selection import Selection
from grader.submission import LoadError, load

#: Files whose saving regrades (a folder submission's modules and helpers, notebooks).
WATCHED_SUFFIXES = (".py", ".ipynb", ".zip")
#: A student bundle's root is graded from these folders (``grader.submission.combine``).
BUNDLE_FOLDERS = ("exercises", "notebooks")
#: Milliseconds without further events before a burst of them (an editor's save) is acted on.
QUIET_MS = 40
#: Milliseconds after which an idle watch wakes up (the first time: to say it is ready).
READY_MS = 250


def saves(path: Path, ready: Callable[[], None]) -> Iterator[list[Path]]:
    """The files of the submission at ``path`` saved since the last step, burst by burst;
    ``ready()`` is called once the watch is in place (a save from then on is seen).

    A file is watched through its folder: editors save by renaming a new file over the old.
    A folder's ``exercises/`` and ``notebooks/`` are watched too (a student bundle's root).
    """
    folder = (path if path.is_dir() else path.parent).resolve()
    target = None if path.is_dir() else path.resolve()
    folders = [folder] + [folder / inner for inner in BUNDLE_FOLDERS
                          if target is None and (folder / inner).is_dir()]

    def relevant(_change: watchfiles.Change, name: str) -> bool:
        file = Path(name).resolve()
        if target is not None:
            return file == target
        return file.parent in folders and file.suffix.lower() in WATCHED_SUFFIXES \
            and not file.name.startswith(".")

    announced = False
    for batch in watchfiles.watch(*folders, watch_filter=relevant, debounce=1600, step=QUIET_MS,
                                  rust_timeout=READY_MS, yield_on_timeout=True,
                                  recursive=False, raise_interrupt=True):
        if not announced:
            ready()
            announced = True
        if batch:
            yield sorted({Path(name) for _change, name in batch})


def watch(path: Path, selection: Selection, options: Options, echo: Callable[[str], None],
          warn: Callable[[str], None], color: bool = False) -> None:
    """Grade ``path``, then regrade it on every save until interrupted (KeyboardInterrupt).

    ``echo`` prints the results, ``warn`` the grader's warnings.
    """
    with Grader(options) as grader:
        for message in grader.warnings:
            warn(message)
        last = _show(grader, path, selection, None, [], echo, color)

        def ready() -> None:
            echo(_("Watching {path}: save a file to grade again, Ctrl-C to stop.").format(
                path=path))

        for files in saves(path, ready):
            last = _show(grader, path, selection, last, files, echo, color)


def regrade_lines(before: Report, after: Report, saved: str, seconds: float) -> str:
    """What one regrade prints: the save, what changed, new failures' details, the score.

    When the save broke the loading of functions that loaded before, only the load errors.
    """
    lines = [_("[{time}] {files} saved, graded in {seconds:.2f} s").format(
        time=time.strftime("%H:%M:%S"), files=saved, seconds=seconds)]
    lines += ["  " + _("{unit} could not be loaded: {error}; fix it and save again").format(
        unit=unit, error=error) for unit, error in after.unloaded.items()
        if before.unloaded.get(unit) != error or _broken(before, after)]
    if _broken(before, after):
        return neutral.terminal("\n".join(lines))
    phrases = changes(before, after)
    lines += ["  " + phrase for phrase in phrases] or ["  " + _("nothing changed")]
    for test in changed_failures(before, after):
        lines.append("")
        lines.append("  " + test.name)
        lines += ["    " + line for line in test_details(test).splitlines()]
    lines.append("  " + score_change(before, after))
    return neutral.terminal("\n".join(lines))


def _show(grader: Grader, path: Path, selection: Selection, last: Report | None,
          files: list[Path], echo: Callable[[str], None], color: bool) -> Report | None:
    """Grade once and print the result; the report later savings are compared with."""
    started = time.monotonic()
    report = _grade(grader, path, selection, echo)
    if report is None:
        return last
    if last is None:
        echo(render(report, "text", color=color).rstrip("\n"))
        return report
    echo(regrade_lines(last, report, ", ".join(f.name for f in files),
                       time.monotonic() - started))
    return last if _broken(last, report) else report


def _grade(grader: Grader, path: Path, selection: Selection,
           echo: Callable[[str], None]) -> Report | None:
    """The report of the submission as saved now, or None (and one line) if unreadable."""
    try:
        submission = load(path)
    except LoadError as error:
        echo(_("cannot read the submission: {error}; still watching").format(error=error))
        return None
    return grader.grade(submission, selection)


def _broken(before: Report | None, after: Report) -> bool:
    """Whether ``after`` could not load what ``before`` had: a save to fix, not to compare."""
    if not after.unloaded or before is None:
        return False
    had = {t.function for t in before.tests if t.diagnosis not in (MISSING, UNLOADABLE)}
    return any(t.function in had and t.diagnosis in (MISSING, UNLOADABLE) for t in after.tests)
