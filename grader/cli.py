"""The ``grade`` command: ``run``, ``watch``, ``batch``, ``merge``, ``release`` and
``gradescope``.

Exit codes: 0 grading completed (whatever the score), 1 score under ``--fail-under``,
2 bad usage or input (one line on stderr: what is wrong and what to do), 3 the grader itself
failed (one line; ``GRADER_DEBUG=1`` shows the traceback), 130 interrupted (after saving what
is done; ``grade watch`` ends with 0 on Ctrl-C, its normal end). Machine formats put nothing
but the report on stdout.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import importlib.util
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator

import click

from grader import __version__
from grader.edition import student_bundle
from grader.i18n import LANGUAGES, N_, _, bundle_default, set_language, translate_click
from grader.report import FORMATS
from grader.report.details import points
from grader.submission import LoadError

if TYPE_CHECKING:
    from grader.grading import Options
    from grader.selection import Selection

EXIT_OK, EXIT_FAIL_UNDER, EXIT_USAGE, EXIT_GRADER, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
translate_click()
#: Fixed prefixes of the lines on stderr, so scripts can find them in any language.
ERROR, WARNING = "grade: error: ", "grade: warning: "


def _set_language(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    set_language(value)
    return value


#: ``--lang``'s help, by the default language (a student bundle's is its own).
LANG_HELP = {"en": N_("Language of messages and headers (default: $GRADER_LANG, else en)."),
             "ko": N_("Language of messages and headers (default: $GRADER_LANG, else ko).")}


def grading_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options that decide how submissions are graded (shared by run and batch)."""
    decorators = [
        click.option("--seed", type=click.IntRange(min=0),
                     help=N_("Seed of the random inputs; the report prints it, so a run "
                            "can be repeated exactly. Default: a fresh one.")),
        click.option("--lang", type=click.Choice(LANGUAGES), envvar="GRADER_LANG",
                     callback=_set_language, expose_value=False, is_eager=True,
                     help=LANG_HELP[bundle_default()]),
        click.option("--hide-inputs", is_flag=True,
                     help=N_("Do not show the inputs of failing cases.")),
        click.option("--no-solutions", is_flag=True, hidden=student_bundle(),
                     help=N_("Grade against PyTorch alone, without the reference solutions.")),
        click.option("--timeout", type=click.FloatRange(min=0, min_open=True),
                     help=N_("Seconds one call of a function may take.")),
        click.option("--memory", type=click.IntRange(min=1),
                     help=N_("Megabytes of memory a submission may use.")),
        click.option("--total-timeout", type=click.FloatRange(min=0, min_open=True),
                     help=N_("Seconds a whole submission may take.")),
        click.option("--processes", type=click.IntRange(min=1),
                     help=N_("Processes and threads a submission may start.")),
        click.option("--output-chars", type=click.IntRange(min=0),
                     help=N_("Characters of a submission's printed output kept per test.")),
    ]
    for decorator in reversed(decorators):
        command = decorator(command)
    return command


def _selection(_ctx: click.Context, _param: click.Parameter, value: str | None) -> Any:
    from grader.selection import SelectionError, select

    try:
        return select(value)
    except SelectionError as error:
        raise click.BadParameter(str(error)) from None


def only_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--only NAMES``: grade only these modules or functions (run, watch, batch, release,
    gradescope)."""
    return click.option(
        "--only", "selection", metavar="NAMES", callback=_selection,
        help=N_("Grade only these modules or functions, separated by commas (for example "
               "activations or activations.relu,losses); the score is out of their "
               "points."))(command)


def semester_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--adjustments``, ``--deadline``, ``--extensions``, ``--commits``, ``--late-penalty``."""
    decorators = [
        click.option("--adjustments", type=click.Path(exists=True, dir_okay=False),
                     help=N_("CSV file student,target,points,reason of the instructor's "
                            "adjustments (target total or module.function, signed points); "
                            "kept in OUT and applied on every rerun and merge.")),
        click.option("--deadline", metavar="ISO-8601",
                     help=N_("Grade each git repository at its last commit dated at or before "
                            "this time (for example 2026-12-01T23:59:00+09:00).")),
        click.option("--extensions", type=click.Path(exists=True, dir_okay=False),
                     help=N_("CSV file student,deadline: a later deadline for these students "
                            "(with --deadline).")),
        click.option("--commits", type=click.Path(exists=True, dir_okay=False),
                     help=N_("CSV file of the commits to grade as the platform recorded them "
                            "(repository or login, commit, optional time received): overrides "
                            "the dates students gave their commits (with --deadline).")),
        click.option("--late-penalty", metavar="PER_DAY[,CAP]",
                     help=N_("Grade each repository's newest commit and take PER_DAY percent "
                            "of the points per started day after the deadline, at most CAP "
                            "percent (for example 10,50; with --deadline).")),
    ]
    for decorator in reversed(decorators):
        command = decorator(command)
    return command


def _deadlines(deadline: str | None, extensions: str | None, commits: str | None,
               late_penalty: str | None) -> Any:
    """The Deadlines of the options (None without ``--deadline``); one line if wrong."""
    from grader.classroom import deadline as deadlines

    if deadline is None:
        if extensions or commits or late_penalty:
            raise click.UsageError(_("--extensions, --commits and --late-penalty need "
                                     "--deadline"))
        return None
    try:
        return deadlines.Deadlines(
            deadlines.parse_time(deadline, "--deadline"),
            deadlines.read_extensions(Path(extensions)) if extensions else [],
            deadlines.read_commits(Path(commits)) if commits else [],
            deadlines.LatePolicy.parse(late_penalty) if late_penalty else None)
    except deadlines.DeadlineError as error:
        raise click.UsageError(str(error)) from None


def make_options(seed: int | None, hide_inputs: bool, no_solutions: bool,
                 timeout: float | None, memory: int | None, total_timeout: float | None = None,
                 processes: int | None = None, output_chars: int | None = None) -> Options:
    """The grader's Options from the command-line values."""
    from grader.grading import Options, new_seed
    from grader.sandbox import Limits

    given = {"call_seconds": timeout, "submission_seconds": total_timeout,
             "memory_bytes": memory * 1024**2 if memory is not None else None,
             "processes": processes, "output_chars": output_chars}
    limits = replace(Limits(), **{k: v for k, v in given.items() if v is not None})
    return Options(seed=new_seed() if seed is None else seed, limits=limits,
                   hide_inputs=hide_inputs, use_solutions=not no_solutions)


def instructor_only(command: Callable[..., Any]) -> Callable[..., Any]:
    """Refuse, in one line (exit 2), where the reference solutions are not installed: the
    student bundle's grader."""
    @functools.wraps(command)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        import importlib.util

        if importlib.util.find_spec("solutions") is None:
            ctx = click.get_current_context()
            raise click.ClickException(_(
                "{command} is an instructor command: it needs the reference solutions, which "
                "are not installed here (the student bundle grades with grade run and grade "
                "watch)").format(command=ctx.command_path))
        return command(*args, **kwargs)
    return guarded


@contextlib.contextmanager
def _translated_help(command: click.Command, ctx: click.Context) -> Iterator[None]:
    """The help texts of ``command``, its options and subcommands in the language in force
    (they are declared with ``N_()`` and translated when shown)."""
    objects = [command, *command.get_params(ctx),
               *getattr(command, "commands", {}).values()]
    saved = [(obj, obj.help) for obj in objects]
    for obj, text in saved:
        if text:
            obj.help = _(text)
    try:
        yield
    finally:
        for obj, text in saved:
            obj.help = text


class TranslatedCommand(click.Command):
    """A command whose ``--help`` follows ``--lang``."""

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with _translated_help(self, ctx):
            super().format_help(ctx, formatter)


class TranslatedGroup(click.Group):
    """The ``grade`` group: its help and its commands' follow ``--lang``."""

    command_class = TranslatedCommand

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with _translated_help(self, ctx):
            super().format_help(ctx, formatter)


def warn(message: str) -> None:
    """One warning line on stderr."""
    click.echo(f"{WARNING}{message}", err=True)


@click.group(cls=TranslatedGroup, context_settings={"help_option_names": ["-h", "--help"]},
             help=N_("Check your Deep Learning Basics exercises against PyTorch.")
             if student_bundle() else
             N_("Grade Deep Learning Basics submissions against the reference solutions "
                "and PyTorch."))
@click.version_option(__version__, prog_name="grade")
def cli() -> None:
    """The command group."""


#: Formats a CI reads: they get a result even when the submission cannot be graded.
MACHINE_FORMATS = ("json", "gradescope", "junit", "github")


class VisibilityRule(click.ParamType):
    """``PATTERN=LEVEL``: Gradescope shows the tests whose name matches the glob at LEVEL."""

    name = "PATTERN=LEVEL"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> tuple[str, str]:
        from grader.report.gradescope import VISIBILITY

        if isinstance(value, tuple):
            return value
        pattern, _sep, level = str(value).rpartition("=")
        if not pattern or level not in VISIBILITY:
            self.fail(_("{value!r} is not PATTERN=LEVEL with LEVEL one of {levels} (for "
                        "example '*±1e4*=after_due_date')").format(
                value=value, levels=", ".join(VISIBILITY)), param, ctx)
        return pattern, level


def visibility_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--visibility PATTERN=LEVEL`` (repeatable): per-test visibility on Gradescope."""
    return click.option(
        "--visibility", "visibility", multiple=True, type=VisibilityRule(),
        help=N_("Gradescope visibility of the tests whose name matches the glob PATTERN: "
               "hidden, after_due_date, after_published or visible (the default); the last "
               "matching rule wins. Repeatable."))(command)


@cli.command(help=N_("Grade one SUBMISSION: a folder of modules, a .py file, a notebook or "
                    "a .zip."))
@click.argument("submission")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help=N_("Report format."))
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help=N_("Write the report to this file instead of standard output."))
@click.option("--fail-under", type=float,
              help=N_("Exit with status 1 when the score is below this."))
@click.option("--seed-from", type=click.Path(dir_okay=False), metavar="METADATA.json",
              help=N_("Derive the seed from the id in this Gradescope "
                      "submission_metadata.json (from the submission's content when it has "
                      "none), so a regrade draws the same inputs."))
@only_option
@visibility_option
@grading_options
def run(submission: str, fmt: str, output: str | None, fail_under: float | None,
        seed_from: str | None, selection: Selection, visibility: tuple[tuple[str, str], ...],
        **grading: Any) -> int:
    """grade run: grade one submission and print its report."""
    from grader.submission import load

    if seed_from is not None and grading.get("seed") is not None:
        raise click.UsageError(_("give --seed or --seed-from, not both"))

    def emit(report: Any) -> None:
        _emit(report, fmt, output, visibility)

    try:
        loaded = load(submission)   # a bad path fails here, before torch is imported
    except LoadError as error:
        if fmt in MACHINE_FORMATS:  # CI still gets a result: 0 points, and why
            emit(_ungradable(submission, grading.get("seed"), str(error)))
        raise
    except Exception as error:      # the grader's failure: CI still gets a result
        if fmt in MACHINE_FORMATS:
            emit(_ungradable(submission, grading.get("seed"), _grader_failed(error)))
        raise
    selection = _scoped(selection, loaded)
    if seed_from is not None:
        from grader.classroom.regrade import seed_of
        grading["seed"] = seed_of(Path(seed_from), loaded)
    if output is not None:
        _prepare_output(Path(output))
    _prepare_grading()
    from grader.grading import Grader

    options = make_options(**grading)
    try:
        with Grader(options) as grader:
            for message in grader.warnings:
                warn(message)
            report = grader.grade(loaded, selection)
            closed = grader.close_meanwhile()
    except Exception as error:
        if fmt in MACHINE_FORMATS:
            emit(_ungradable(submission, options.seed, _grader_failed(error)))
        raise
    try:
        emit(report)
    finally:
        closed()
    if fail_under is not None and report.score < fail_under:
        warn(_("score {score} is below --fail-under {limit}").format(
            score=points(report.score), limit=points(fail_under)))
        return EXIT_FAIL_UNDER
    return EXIT_OK


def _prepare_grading() -> None:
    """For a command that grades one submission, once it is loaded: a sandbox server
    launched (the ``grade`` command launched it already), torch imported meanwhile before
    the grader's modules (which import numpy), then the grader; and the collector, if the
    command paused it, back on with all of that frozen."""
    from grader.sandbox import launch

    launch.ahead()
    launch.single_threaded_libraries()
    import grader.grading  # noqa: F401
    launch.resume_collection()


def _scoped(selection: Selection, submission: Any) -> Selection:
    """``selection``, or, when nothing was selected: the modules the submission is for when
    it is for some only (a notebook named after its module), as its ``check()`` cell does;
    else, in an assignment's bundle, that assignment."""
    from grader.edition import assignment
    from grader.selection import select

    if selection.names:
        return selection
    if submission.scope:
        return select(",".join(submission.scope))
    return select(assignment()) if assignment() else selection


@cli.command(help=N_("Grade SUBMISSION, then again on every save, showing what changed "
                    "(Ctrl-C stops)."))
@click.argument("submission")
@only_option
@grading_options
def watch(submission: str, selection: Selection, **grading: Any) -> int:
    """grade watch: regrade on every save in one warm sandbox."""
    from grader.submission import load

    selection = _scoped(selection, load(submission))   # a bad path fails here, in one line
    _prepare_grading()
    from grader.watch import watch as watch_submission

    color = sys.stdout.isatty()
    try:
        watch_submission(Path(submission), selection, make_options(**grading), click.echo,
                         warn, color=color)
    except KeyboardInterrupt:
        click.echo("grade: " + _("stopped watching"), err=True)
    return EXIT_OK


def _grader_failed(error: Exception) -> str:
    """What a machine-format result says when the grader itself failed."""
    return _("the grader itself failed ({error}); this is not a mistake in your code: "
             "tell your instructor").format(error=type(error).__name__)


def _emit(report: Any, fmt: str, output: str | None,
          visibility: tuple[tuple[str, str], ...]) -> None:
    """Write ``report`` in ``fmt`` to ``output`` (else stdout); in Actions, also the step
    summary and the step's outputs (and the log shows the terminal report alone)."""
    from grader.report import github, render

    color = fmt == "text" and output is None and sys.stdout.isatty()
    text = render(report, fmt, color=color, visibility=visibility)
    if fmt == "github" and output is None and os.environ.get("GITHUB_OUTPUT"):
        text = github.log(report)   # in Actions the results go to $GITHUB_OUTPUT, not the log
    if output is None:
        click.echo(text, nl=False)
    else:
        _prepare_output(Path(output))
        _write(Path(output), text)
    if fmt == "github":
        github.append_step_summary(report)
        github.write_outputs(report)


def _ungradable(submission: str, seed: int | None, reason: str) -> Any:
    """The report of a submission that could not be graded (named as given, never by an
    absolute path of this machine)."""
    from grader.i18n import language
    from grader.report.model import Report

    return Report(submission=Path(submission).name or submission, seed=seed or 0,
                  status="error", notes=[reason], lang=language())


class ShardType(click.ParamType):
    """``K/N``: the K-th of N slices, 1 <= K <= N."""

    name = "K/N"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> tuple[int, int]:
        if isinstance(value, tuple):
            return value
        try:
            k, n = (int(part) for part in str(value).split("/"))
        except ValueError:
            k = n = 0
        if not 1 <= k <= n:
            self.fail(_("{value!r} is not K/N with 1 <= K <= N (for example 2/4)").format(
                value=value), param, ctx)
        return k, n


@cli.command(help=N_("Grade every submission in the folder SUBMISSIONS (one entry per "
                    "student) into OUT."))
@click.argument("submissions", type=click.Path(exists=True, file_okay=False))
@click.option("-o", "--out", required=True, type=click.Path(file_okay=False),
              help=N_("Output folder: gradebook.csv, results/, report.html."))
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=os.cpu_count() or 1,
              show_default=_("all cores"), help=N_("Submissions graded in parallel."))
@click.option("--shard", type=ShardType(),
              help=N_("Grade only slice K of N (for a CI matrix); combine with grade merge."))
@click.option("--similarity", is_flag=True,
              help=N_("List pairs of similar submissions in the class report (copydetect; "
                     "the released stubs do not count)."))
@click.option("--similarity-threshold", type=click.FloatRange(0, 1), default=0.5,
              show_default=True,
              help=N_("Share of a submission's code found in another from which the pair "
                     "is listed."))
@only_option
@semester_options
@click.option("--scheduler", metavar="ADDRESS",
              help=N_("Grade on the Dask cluster of this scheduler (tcp://HOST:PORT, or "
                     "tls://HOST:PORT with Dask's security settings) instead of local "
                     "processes."))
@grading_options
def batch(submissions: str, out: str, jobs: int, shard: tuple[int, int] | None,
          similarity: bool, similarity_threshold: float, seed: int | None,
          selection: Selection, adjustments: str | None, deadline: str | None,
          extensions: str | None, commits: str | None, late_penalty: str | None,
          scheduler: str | None, **grading: Any) -> int:
    """grade batch: gradebook, results and class report of a folder of submissions."""
    from grader.classroom.batch import Outcome, run_batch
    from grader.classroom.store import Store

    if similarity and importlib.util.find_spec("copydetect") is None:
        raise click.UsageError(_("--similarity needs copydetect: install it with "
                                 "pip install 'dlgrade[similarity]'"))
    if scheduler is not None:
        if importlib.util.find_spec("distributed") is None:
            raise click.UsageError(_("--scheduler needs dask.distributed: install it with "
                                     "pip install 'dlgrade[dask]'"))
        from grader.classroom.dask_batch import transport_warning

        if (message := transport_warning(scheduler)) is not None:
            warn(message)

    out_path = Path(out)
    seed = seed if seed is not None else Store(out_path).seed()
    if shard is not None and seed is None:
        raise click.UsageError(_("--shard needs --seed, so that every shard draws the same "
                                 "inputs"))
    options = replace(make_options(seed=seed, **grading), selection=selection)
    deadlines = _deadlines(deadline, extensions, commits, late_penalty)
    try:
        outcome: Outcome = run_batch(Path(submissions), out_path, options, jobs=jobs,
                                     shard=shard, progress=sys.stderr.isatty(),
                                     similarity=similarity_threshold if similarity else None,
                                     adjustments=Path(adjustments) if adjustments else None,
                                     deadlines=deadlines, scheduler=scheduler)
    except KeyboardInterrupt:
        click.echo("grade: " + _("interrupted; what was graded is saved in {path}; run the "
                                 "same command again to continue").format(
            path=out_path / "gradebook.csv"), err=True)
        return EXIT_INTERRUPTED
    for message in outcome.warnings:
        warn(message)
    from grader.report import neutral
    for name in outcome.skipped:
        warn(_("skipped {name}: not a folder, .py, .ipynb or .zip").format(
            name=neutral.terminal(name)))
    for name in outcome.outputs:
        warn(_("skipped {name}: the output folder of an earlier grade batch").format(
            name=neutral.terminal(name)))
    for name in outcome.hidden:
        warn(_("skipped {name}: a hidden or system entry, not a submission").format(
            name=neutral.terminal(name)))
    click.echo(_("{total} submissions ({graded} graded now, {reused} unchanged, {errors} "
                 "errors) -> {path}; seed {seed}").format(
        total=len(outcome.records), graded=outcome.graded, reused=outcome.reused,
        errors=outcome.errors, path=out_path / "gradebook.csv", seed=options.seed), err=True)
    return EXIT_OK


@cli.command(help=N_("Combine the OUTPUTS of several grade batch --shard runs into one."))
@click.argument("outputs", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False))
@click.option("-o", "--out", required=True, type=click.Path(file_okay=False),
              help=N_("Folder for the merged gradebook, results and report."))
@click.option("--adjustments", type=click.Path(exists=True, dir_okay=False),
              help=N_("CSV file student,target,points,reason: replaces the adjustments the "
                     "outputs hold."))
@instructor_only
def merge(outputs: tuple[str, ...], out: str, adjustments: str | None) -> int:
    """grade merge: one gradebook and report from shard outputs."""
    from grader.classroom.merge import merge as merge_outputs

    records = merge_outputs([Path(o) for o in outputs], Path(out),
                            Path(adjustments) if adjustments else None)
    click.echo(_("{total} submissions -> {path}").format(
        total=len(records), path=Path(out) / "gradebook.csv"), err=True)
    return EXIT_OK


@cli.command(help=N_("Write the student bundle (stubs, notebooks, README, classroom "
                    "workflow) to OUT."))
@click.argument("out", type=click.Path(file_okay=False))
@click.option("--lang", type=click.Choice(LANGUAGES), default="ko", show_default=True,
              help=N_("Language of the bundle: its stubs' docstrings and messages, its "
                      "notebooks' explanations, its README, its CI's feedback and its "
                      "grader's default (and of this command's messages)."))
@only_option
@instructor_only
def release(out: str, lang: str, selection: Selection) -> int:
    """grade release: the student bundle."""
    from grader.classroom.release import build_release

    set_language(lang)
    _build(lambda target: build_release(target, lang, selection=selection), Path(out))
    return EXIT_OK


@cli.command(help=N_("Write the Gradescope autograder bundle (setup.sh, run_autograder, "
                    "grader) to OUT.zip."))
@click.argument("out_zip", metavar="OUT.zip", type=click.Path(dir_okay=False))
@click.option("--lang", type=click.Choice(LANGUAGES), default="ko", show_default=True,
              help=N_("Language of the students' feedback on Gradescope (and of this "
                      "command's messages)."))
@instructor_only
@visibility_option
@only_option
def gradescope(out_zip: str, lang: str, visibility: tuple[tuple[str, str], ...],
               selection: Selection) -> int:
    """grade gradescope: the Gradescope autograder bundle."""
    from grader.classroom.gradescope import build_bundle

    set_language(lang)
    _build(lambda target: build_bundle(target, visibility, lang, selection=selection),
           Path(out_zip))
    return EXIT_OK


@cli.command(help=N_("Write the final scores of the grade batch output OUT in the grade "
                    "import layout of Canvas or Moodle."))
@click.argument("out", type=click.Path(exists=True, file_okay=False))
@click.option("--to", "system", required=True, type=click.Choice(("canvas", "moodle")),
              help=N_("The learning management system that imports the file."))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help=N_("The CSV file to write."))
@click.option("--assignment", metavar="NAME",
              help=N_("The assignment's column name (default: dlgrade and what was graded)."))
@instructor_only
def export(out: str, system: str, output: str, assignment: str | None) -> int:
    """grade export: the gradebook for an LMS."""
    from grader.classroom.export import export as export_scores

    text, warnings = export_scores(Path(out), system, assignment)
    for message in warnings:
        warn(message)
    _prepare_output(Path(output))
    _write(Path(output), text)
    click.echo(_("wrote {path}").format(path=output), err=True)
    return EXIT_OK


@cli.command(help=N_("Commit each student's feedback from the grade batch output OUT into "
                    "their clone as FEEDBACK.md (nothing is pushed)."))
@click.argument("out", type=click.Path(exists=True, file_okay=False))
@click.option("--clones", required=True, type=click.Path(exists=True, file_okay=False),
              help=N_("The folder of the students' git clones that grade batch graded."))
@instructor_only
def publish(out: str, clones: str) -> int:
    """grade publish: feedback back to the students' repositories."""
    from grader.classroom.publish import publish as publish_feedback

    done = publish_feedback(Path(out), Path(clones))
    for line in done.skipped:
        warn(_("not published: {reason}").format(reason=line))
    click.echo(_("{committed} clones got a FEEDBACK.md commit, {unchanged} already had it, "
                 "{skipped} skipped; review, then push each clone").format(
        committed=len(done.committed), unchanged=len(done.unchanged),
        skipped=len(done.skipped)), err=True)
    return EXIT_OK if done.committed or done.unchanged or not done.skipped else EXIT_USAGE


#: The instructors' commands: a student bundle's ``--help`` does not list them (they say
#: what they need when called there).
INSTRUCTOR_COMMANDS = (batch, merge, release, gradescope, export, publish)
for _command in INSTRUCTOR_COMMANDS:
    _command.hidden = student_bundle()


def _build(builder: Callable[[Path], None], target: Path) -> None:
    try:
        builder(target)
    except OSError as error:
        raise click.FileError(str(target), error.strerror or str(error)) from None
    click.echo(_("wrote {path}").format(path=target), err=True)


def _write(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise click.FileError(str(path), error.strerror or str(error)) from None


def _prepare_output(path: Path) -> None:
    """Make sure the report can be written before spending time on grading."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_dir() or not os.access(path.parent, os.W_OK):
            raise PermissionError(13, _("not a writable file"))
    except OSError as error:
        raise click.FileError(str(path), error.strerror or str(error)) from None


def main(argv: list[str] | None = None, prog_name: str = "grade") -> None:
    """Entry point: run ``cli`` and turn every failure into one line and an exit code."""
    _early_language(sys.argv[1:] if argv is None else argv)
    try:
        code = cli.main(args=argv, prog_name=prog_name, standalone_mode=False)
    except click.exceptions.Abort:
        click.echo(f"grade: {_('interrupted')}", err=True)
        code = EXIT_INTERRUPTED
    except click.exceptions.NoArgsIsHelpError as error:
        click.echo(error.ctx.get_help() if error.ctx else "", err=True)
        code = EXIT_USAGE
    except click.ClickException as error:
        code = _fail(error.format_message(), _usage_hint(error))
    except LoadError as error:
        code = _fail(str(error))
    except Exception as error:  # the grader's own failure: one line, never a traceback
        if _refusal(error):
            code = _fail(str(error))
        elif os.environ.get("GRADER_DEBUG"):
            raise
        else:
            click.echo(f"{ERROR}" + _("the grader failed: {error} (set GRADER_DEBUG=1 to see "
                                      "where)").format(error=f"{type(error).__name__}: {error}"),
                       err=True)
            code = EXIT_GRADER
    if argv is None:   # the process is ours (console script, python -m grader)
        _end_process(code or EXIT_OK)
    set_language(None)  # called in-process: --lang does not outlive the command
    sys.exit(code or EXIT_OK)


def _refusal(error: Exception) -> bool:
    """Whether ``error`` is ``grade batch``'s or ``grade merge``'s one-line refusal (their
    modules imported only now: ``grade run`` needs neither, and starts sooner without)."""
    from grader.classroom.merge import MergeError
    from grader.classroom.store import BatchError
    return isinstance(error, (BatchError, MergeError))


def _early_language(argv: list[str]) -> None:
    """Take ``--lang`` from the command line before click parses it, so that click's usage
    errors, found while parsing, are already in that language."""
    for index, arg in enumerate(argv):
        value = argv[index + 1] if arg == "--lang" and index + 1 < len(argv) else \
            arg.partition("=")[2] if arg.startswith("--lang=") else None
        if value in LANGUAGES:
            set_language(value)


def _end_process(code: int) -> None:
    """Exit now, skipping the interpreter's teardown of torch (a quarter of a second, more
    than grading one module takes). By now every report is written and every sandbox
    closed; the exit handlers (unpacked archives) still run and the streams are flushed."""
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)


def _usage_hint(error: click.ClickException) -> str:
    ctx = getattr(error, "ctx", None)
    if isinstance(error, click.UsageError) and ctx is not None:
        return _("see '{command} --help'").format(command=ctx.command_path)
    return ""


def _fail(message: str, hint: str = "") -> int:
    line = " ".join(message.split())
    click.echo(f"{ERROR}{line}" + (f" ({hint})" if hint else ""), err=True)
    return EXIT_USAGE
