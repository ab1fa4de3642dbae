"""What goes back to each student after a batch: ``OUT/feedback/<file>.md`` and ``.html``,
in the batch's language (``grade publish`` commits the Markdown into the student's clone as
``FEEDBACK.md``), and the final score in ``OUT/results/<file>.json``.

A feedback file says the final score and how it was made (graded score, each adjustment with
its reason, the graded commit, lateness and penalty), then what every failing test says.
Text a submission controls is inert: one neutral line or a fenced block in Markdown,
escaped in HTML. The results document gets the final score as its ``score`` and the parts in
``extra_data`` (Gradescope's schema leaves that to the autograder).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Sequence
from pathlib import Path

from grader.classroom.assignment import describe, selection_of
from grader.classroom.semester import Final, finals
from grader.classroom.store import Record, Store, file_name, write_atomic
from grader.i18n import _, language
from grader.report import markdown, neutral
from grader.report.details import example_lines, is_failure, message_lines, points
from grader.report.gradescope import document
from grader.report.ungraded import complete

FOLDER = "feedback"
#: What each record's outputs were last written from (``OUT/.state/.feedback.json``).
DONE = ".feedback.json"


def stem(name: str) -> str:
    """The file name (without extension) of entry ``name``'s feedback and results."""
    return file_name(name).removesuffix(".json")


def finish(store: Store, records: Sequence[Record], reused: Collection[str] = ()) -> None:
    """Write every record's results document with its final score, and its feedback; a
    ``reused`` record (its saved files untouched by this run) whose report, identity and
    final score are those of the last time is skipped."""
    final = finals(store.out, records)
    graded = describe(selection_of(records))
    done_file = store.state / DONE
    try:
        done = json.loads(done_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        done = {}
    done = done if isinstance(done, dict) else {}
    for record in records:
        result = final[record.name]
        mark = _fingerprint(record, result, graded)
        results = store.results / file_name(record.name)
        if record.name in reused and mark is not None and done.get(record.name) == \
                [mark, _sha256_of(results)] \
                and (store.out / FOLDER / f"{stem(record.name)}.md").is_file():
            continue
        text = json.dumps(results_document(record, result), indent=2, ensure_ascii=False) + "\n"
        write_atomic(results, text)
        done[record.name] = [mark, hashlib.sha256(text.encode("utf-8")).hexdigest()]
        folder = store.out / FOLDER
        write_atomic(folder / f"{stem(record.name)}.md", render_markdown(record, result, graded))
        write_atomic(folder / f"{stem(record.name)}.html", render_html(record, result, graded))
    write_atomic(done_file, json.dumps(done, ensure_ascii=False))


def _sha256_of(path: Path) -> str | None:
    """The sha256 of a file written earlier (None if it cannot be read)."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _fingerprint(record: Record, final: Final, graded: str) -> str | None:
    """What decides a record's outputs (None: no digest, so always written)."""
    if record.digest is None:
        return None
    facts = [record.digest, record.key, record.identity.to_dict(), graded,
             final.final, final.adjusted, final.penalty, final.max_score,
             [a.to_dict() for a in final.adjustments],
             final.submitted.to_dict() if final.submitted else None]
    return hashlib.sha256(json.dumps(facts, sort_keys=True, ensure_ascii=False,
                                     default=str).encode("utf-8", "surrogatepass")).hexdigest()


def results_document(record: Record, final: Final) -> dict:
    """The Gradescope document of ``record`` with the final score."""
    data = document(record.report)
    data["score"] = final.final
    data["extra_data"].update({
        "graded_score": final.graded,
        "adjustments": [{"target": a.target, "points": a.points, "reason": a.reason}
                        for a in final.adjustments],
        "late_days": final.late_days, "penalty": final.penalty, "final_score": final.final})
    if final.submitted is not None:
        data["extra_data"].update(commit=final.submitted.commit,
                                  committed_at=final.submitted.committed_at)
    return data


def _facts(final: Final, graded: str) -> list[str]:
    """How the final score was made, one plain line each (neutralise for the output)."""
    lines = [_("Graded: {what}").format(what=graded),
             _("Graded score: {score} / {max_score}").format(
                 score=points(final.graded), max_score=points(final.max_score))]
    for row in final.adjustments:
        target = _("total") if row.target == "total" else row.target
        lines.append(_("Adjustment {points:+g} to {target}: {reason}").format(
            points=row.points, target=target, reason=row.reason or "-"))
    if final.adjustments:
        lines.append(_("Adjustments in all (a function stays within 0 and its points): "
                       "{points}").format(points=points(final.adjusted)))
    if final.submitted is not None:
        lines.append(_("Graded commit {commit} of {date} (deadline {deadline})").format(
            commit=final.submitted.commit[:12], date=final.submitted.committed_at,
            deadline=final.submitted.deadline))
        if final.late_days:
            lines.append(_("{days} days late: {penalty} points off").format(
                days=final.late_days, penalty=points(final.penalty)))
    return lines


def _title(record: Record, final: Final) -> tuple[str, str]:
    return (_("Feedback: {name}").format(name=record.name),
            _("Final score: {score} / {max_score}").format(
                score=points(final.final), max_score=points(final.max_score)))


def render_markdown(record: Record, final: Final, graded: str) -> str:
    """The student's feedback in Markdown."""
    title, score = _title(record, final)
    report = complete(record.report)
    parts = [f"# {neutral.markdown(title)}", f"**{neutral.markdown(score)}**",
             "\n".join(f"- {neutral.markdown(line)}" for line in _facts(final, graded)),
             markdown.render(report).rstrip()]
    failing = [t for t in report.tests if is_failure(t)]
    if failing:
        parts.append(f"## {neutral.markdown(_('Failing tests'))}")
        for test in failing:
            parts += [f"### {neutral.markdown(test.name)}", markdown.test_details(test)]
    return "\n\n".join(p for p in parts if p) + "\n"


def render_html(record: Record, final: Final, graded: str) -> str:
    """The student's feedback as one self-contained HTML page."""
    title, score = _title(record, final)
    report = complete(record.report)
    e = neutral.html
    facts = "".join(f"<li>{e(line)}</li>" for line in _facts(final, graded))
    rows = []
    for function, got in report.function_scores().items():
        tests = [t for t in report.tests if t.function == function]
        full = sum(t.max_points for t in tests)
        mark = "✅" if not any(is_failure(t) for t in tests) else "❌"
        rows.append(f"<tr><td><code>{e(function)}</code></td><td class='n'>"
                    f"{points(got)}/{points(full)}</td><td>{mark}</td></tr>")
    failing = []
    for test in (t for t in report.tests if is_failure(t)):
        lines = message_lines(test.message) if test.message else []
        if test.example is not None:
            lines += example_lines(test.example)
        failing.append(f"<h3>{e(test.name)}</h3><pre>{e(chr(10).join(lines))}</pre>")
    notes = "".join(f"<li>{e(n)}</li>" for n in report.notes)
    head = "".join(f"<th>{e(t)}</th>" for t in (_("Function"), _("Points"), _("Result")))
    body = (f"<h1>{e(title)}</h1><p><strong>{e(score)}</strong></p><ul>{facts}</ul>"
            f"{f'<ul>{notes}</ul>' if notes else ''}"
            f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
            + (f"<h2>{e(_('Failing tests'))}</h2>{''.join(failing)}" if failing else ""))
    return (f"<!DOCTYPE html>\n<html lang='{language()}'><head><meta charset='utf-8'>"
            f"<title>{e(title)}</title><style>body {{ font-family: system-ui, sans-serif; "
            f"max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }} td.n {{ text-align: "
            f"right; }} td, th {{ padding: .2rem .6rem; text-align: left; }} pre {{ "
            f"background: #f7f7f7; padding: .6rem; overflow-x: auto; }}</style></head>"
            f"<body>{body}</body></html>\n")
