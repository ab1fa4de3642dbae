"""``report.html``: the class report an instructor opens in a browser, and acts on.

It answers, in one self-contained file (plots are SVG data URIs, the sorting script is
inline, nothing is fetched): which functions the class struggled with (a students ×
functions heatmap, pass rates per function and per test, in students), why (failures
grouped by mistake per function, counted in students, with the hint and links to the
students), and what one student did (a section per student with the report ``grade run``
prints and a link to ``results/<name>.json``). With ``grade batch --similarity``, the pairs
of similar submissions, side by side. Every string a submission controls (names, messages,
printed output, code) goes through ``neutral.html``.
"""

from __future__ import annotations

import base64
import statistics
from collections.abc import Sequence
from pathlib import Path

from grader.classroom import analysis, plots
from grader.classroom.analysis import FULL, NOT_ATTEMPTED, UNGRADABLE, WRONG, ClassAnalysis
from grader.classroom.assignment import describe, selection_of
from grader.classroom.semester import Final, finals
from grader.classroom.store import Record, file_name, write_atomic
from grader.i18n import _, language
from grader.report import neutral, text
from grader.report.details import points

#: Pairs of similar submissions shown side by side at the most (the most similar).
MAX_PAIRS = 50
#: Tests shown in the per-test chart (the weakest).
MAX_TESTS = 30
#: Characters of a failure message shown as a group's example.
EXAMPLE_CHARS = 600


def write(path: Path, records: list[Record], pairs: list | None = None) -> None:
    """Write the class report of ``records`` (graded or not) to ``path``; ``pairs`` are
    grader.classroom.similarity pairs (None: similarity was not checked). The final scores
    apply the adjustments and lateness ``path``'s folder holds."""
    write_atomic(path, render(records, pairs, finals(path.parent, records)))


def render(records: list[Record], pairs: list | None = None,
           final: dict[str, Final] | None = None) -> str:
    """The whole HTML document."""
    records = sorted(records, key=lambda r: r.name)
    ids = {r.name: f"student-{n}" for n, r in enumerate(records, start=1)}
    selection = selection_of(records)
    functions = selection.functions
    found = analysis.analyse(records, functions)
    graded = [r for r in records if r.report.status == "graded"]
    parts = [f"<h1>{_e(_('Class report'))}</h1>", _contents(pairs is not None),
             _summary(records, graded, describe(selection))]
    if graded:
        scores = [r.report.score for r in graded]
        parts += [_section("scores", _("Score histogram"),
                           _figure(plots.histogram(scores), _("Students per score band of 5 "
                                                              "points"))),
                  _section("functions", _("Functions"), _functions(found, graded, functions)),
                  _section("mistakes", _("Mistakes per function"),
                           _mistakes(found, records, ids, len(graded), functions)),
                  _section("tests", _("Pass rate per test"), _tests(found, functions))]
    parts += [_section("heatmap", _("Students × functions"),
                       _heatmap(records, found, ids, functions)),
              _section("students", _("All students"), _students(records, ids, final or {}))]
    if pairs is not None:
        parts.append(_section("similarity", _("Similar submissions"),
                              _similarity(pairs, ids)))
    parts.append(_section("reports", _("Each student's report"),
                          "\n".join(_student(r, ids[r.name], functions) for r in records)))
    return _PAGE.format(lang=language(), title=_e(_("Class report")), body="\n".join(parts),
                        script=_SCRIPT)


def _e(value: object) -> str:
    return neutral.html(str(value))


def _section(anchor: str, title: str, body: str) -> str:
    return f"<section id='{anchor}'><h2>{_e(title)}</h2>\n{body}\n</section>"


def _contents(similarity: bool) -> str:
    items = [("scores", _("Score histogram")), ("functions", _("Functions")),
             ("mistakes", _("Mistakes per function")), ("tests", _("Pass rate per test")),
             ("heatmap", _("Students × functions")), ("students", _("All students"))]
    if similarity:
        items.append(("similarity", _("Similar submissions")))
    items.append(("reports", _("Each student's report")))
    links = " · ".join(f"<a href='#{a}'>{_e(t)}</a>" for a, t in items)
    return f"<nav>{links}</nav>"


def _summary(records: list[Record], graded: list[Record], what: str) -> str:
    scores = [r.report.score for r in graded]
    seeds = sorted({r.report.seed for r in records})
    items = [(_("What was graded"), what),
             (_("Submissions"), str(len(records))), (_("Graded"), str(len(graded))),
             (_("Could not be graded"), str(len(records) - len(graded))),
             (_("Seed"), ", ".join(map(str, seeds)))]
    if scores:
        items += [(_("Mean score"), points(statistics.fmean(scores))),
                  (_("Median score"), points(statistics.median(scores))),
                  (_("Lowest / highest"), f"{points(min(scores))} / {points(max(scores))}")]
    rows = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in items)
    return f"<table class='summary'>{rows}</table>"


def _figure(svg: str, caption: str) -> str:
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return (f"<figure><img alt='{_e(caption)}' src='data:image/svg+xml;base64,{data}'>"
            f"<figcaption>{_e(caption)}</figcaption></figure>")


def _standing_labels() -> dict[str, str]:
    return {FULL: _("full points"), WRONG: _("wrong"), NOT_ATTEMPTED: _("not attempted"),
            UNGRADABLE: _("could not be graded")}


def _functions(found: ClassAnalysis, graded: list[Record], functions: Sequence[str]) -> str:
    """Students per standing in each function: a stacked bar chart and a table."""
    labels = _standing_labels()
    counts = [(f, {k: found.count(f, k) for k in labels}) for f in functions]
    figure = _figure(plots.standings(counts, labels),
                     _("Students per function: full points, wrong, not attempted (absent "
                       "or still the stub), could not be graded; at the end, the pass rate "
                       "of those who attempted it"))
    head = "".join(f"<th>{_e(t)}</th>" for t in
                   [_("Function")] + list(labels.values()) + [_("Pass rate of those who "
                                                                "attempted it")])
    rows = []
    for function, count in counts:
        attempted = count[FULL] + count[WRONG]
        rate = (f"{count[FULL]}/{attempted} ({100 * count[FULL] / attempted:.0f}%)"
                if attempted else _("nobody attempted"))
        cells = "".join(f"<td class='n'>{count[k]}</td>" for k in labels)
        rows.append(f"<tr><td><a href='#mistakes-{function}'><code>{_e(function)}</code></a>"
                    f"</td>{cells}<td class='n'>{_e(rate)}</td></tr>")
    return figure + f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _mistakes(found: ClassAnalysis, records: list[Record], ids: dict[str, str],
              graded: int, functions: Sequence[str]) -> str:
    """Per function that has mistakes: each mistake (a human title, its identifier small)
    with how many students made it, their share of the graded students (the one
    denominator, stated), the hint and who; then who did not attempt it. The students who
    could not be graded at all, or attempted nothing, are listed once, above."""
    labels = {r.name: _label(r) for r in records}
    ungraded = [r.name for r in records if r.report.status != "graded"]
    idle = [n for n in found.names if n not in ungraded and functions
            and all(found.standings[n, f] == NOT_ATTEMPTED for f in functions)]
    once = set(ungraded) | set(idle)
    denominator = _("Shares are of the {graded} graded students (of {total} "
                    "submissions).").format(graded=graded, total=len(records))
    blocks = [f"<p class='denominator'>{_e(denominator)}</p>"]
    for kind, names in ((_("Could not be graded at all"), ungraded),
                        (_("Attempted none of the functions"), idle)):
        if names:
            who = ", ".join(f"<a href='#{ids[n]}'>{_e(labels[n])}</a>" for n in names)
            blocks.append(f"<p class='once'><strong>{_e(kind)} ({len(names)}):</strong> {who}</p>")
    share = _("Share of the {graded} graded students").format(graded=graded)
    for function in functions:
        groups = found.groups.get(function, [])
        if not groups:
            continue
        rows = []
        for group in groups:
            who = ", ".join(f"<a href='#{ids[n]}-{function}'>{_e(labels[n])}</a>"
                            for n in group.students)
            hint = analysis.mistake_text(group.diagnosis) or group.example
            rows.append(f"<tr class='mistake'><td class='n'>{len(group.students)}</td>"
                        f"<td class='n'>{_percent(len(group.students), graded)}</td>"
                        f"<td><strong class='title'>{_e(analysis.title(group.diagnosis))}"
                        f"</strong> {_diagnosis_code(group.diagnosis)}"
                        f"<div class='hint'>{_e(_clip(hint))}</div></td><td>{who}</td></tr>")
        names = [n for n in found.names if found.standings[n, function] == NOT_ATTEMPTED
                 and n not in once]
        if names:
            who = ", ".join(f"<a href='#{ids[n]}-{function}'>{_e(labels[n])}</a>"
                            for n in names)
            rows.append(f"<tr class='{NOT_ATTEMPTED}'><td class='n'>{len(names)}</td>"
                        f"<td class='n'>{_percent(len(names), graded)}</td><td><em>"
                        f"{_e(_standing_labels()[NOT_ATTEMPTED])}</em></td><td>{who}</td></tr>")
        head = "".join(f"<th>{_e(t)}</th>" for t in (
            _("Students"), share, _("Mistake and hint"), _("Who")))
        blocks.append(f"<h3 id='mistakes-{function}'><code>{_e(function)}</code></h3>"
                      f"<table class='mistakes'><thead><tr>{head}</tr></thead>"
                      f"<tbody>{''.join(rows)}</tbody></table>")
    if not any(found.groups.get(f) for f in functions):
        blocks.append(f"<p>{_e(_('No test failed.'))}</p>")
    return "\n".join(blocks)


def _percent(count: int, total: int) -> str:
    return f"{100 * count / total:.0f}%" if total else "–"


def _diagnosis_code(kind: str) -> str:
    """The identifier of a mistake, shown small (none for a message standing in for one)."""
    if kind.startswith("message:"):
        return ""
    return f"<code class='diagnosis'>{_e(kind)}</code>"


def _clip(message: str) -> str:
    return message if len(message) <= EXAMPLE_CHARS else message[:EXAMPLE_CHARS] + " …"


def _tests(found: ClassAnalysis, functions: Sequence[str]) -> str:
    """The tests some student failed, weakest first (at most ``MAX_TESTS``)."""
    rows = []
    for function in functions:
        attempted = set(found.attempted(function))
        for label in found.tests.get(function, []):
            done = found.passed.get((function, label), set()) & attempted
            rows.append((f"{function}: {label}", len(done), len(attempted)))
    weak = sorted((r for r in rows if r[2] and r[1] < r[2]), key=lambda r: (r[1] / r[2], r[0]))
    if not weak:
        return f"<p>{_e(_('Every test was passed by everyone who attempted its function.'))}</p>"
    more = len(weak) - MAX_TESTS
    hidden = _("{count} more tests some student failed are not shown.").format(count=more)
    note = f"<p>{_e(hidden)}</p>" if more > 0 else ""
    return _figure(plots.test_passes(weak[:MAX_TESTS]),
                   _("The tests some student failed, weakest first: per test, the students "
                     "who passed it, of those who attempted its function")) + note


def _heatmap(records: list[Record], found: ClassAnalysis, ids: dict[str, str],
             functions: Sequence[str]) -> str:
    """Students × functions, weakest function first and weakest student first, each cell the
    share of the function's points, linking to the student's failure in it; the headers sort
    the rows, the buttons order the columns."""
    head = [f"<th data-sort='text'>{_e(_('Student'))}</th>",
            f"<th data-sort='number'>{_e(_('Score'))}</th>"]
    means = {}
    for function in functions:
        shares = [analysis.share_of_points(r.report, function) for r in records
                  if found.standings[r.name, function] in (FULL, WRONG)]
        means[function] = statistics.fmean(s for s in shares if s is not None) \
            if shares else -1.0
    position = {f: n for n, f in enumerate(functions)}
    ordered = sorted(functions, key=lambda f: (means[f] < 0, means[f], position[f]))
    for function in ordered:
        head.append(f"<th class='fn' data-sort='number' data-mean='{means[function]:.4f}' "
                    f"data-position='{position[function]}' title='{_e(function)}'>"
                    f"<span>{_e(function.split('.')[1])}</span></th>")
    rows = []
    for record in sorted(records, key=lambda r: (r.report.status == "graded",
                                                 r.report.score, r.name)):
        sid = ids[record.name]
        cells = [f"<th data-value='{_e(_label(record))}'><a href='#{sid}'>"
                 f"{_e(_label(record))}</a></th>",
                 f"<td class='n' data-value='{record.report.score:.4f}'>"
                 f"{points(record.report.score)}</td>"]
        for function in ordered:
            cells.append(_cell(record, function, found.standings[record.name, function], sid))
        rows.append(f"<tr>{''.join(cells)}</tr>")
    legend = " ".join(f"<span class='key {k}'>{_e(t)}</span>" for k, t in (
        (FULL, _("✓ full points")), (WRONG, _("% of the points (red: none, green: most)")),
        (NOT_ATTEMPTED, _("– not attempted")), (UNGRADABLE, _("× could not be graded"))))
    buttons = (f"<p class='order'>{_e(_('Order the functions:'))} "
               f"<button type='button' data-order='contract'>{_e(_('as in the assignment'))}"
               f"</button> <button type='button' data-order='mean'>"
               f"{_e(_('hardest first'))}</button></p>")
    note = _("Hardest functions first, weakest students first. Each cell is the share of the "
             "function's points; click it for the student's failure. Click a header to sort "
             "the students.")
    return (f"<p>{_e(note)}</p><p>{legend}</p>{buttons}<div class='scroll'>"
            f"<table id='heatmap-table' class='sortable heatmap'><thead><tr>{''.join(head)}</tr>"
            f"</thead><tbody>{''.join(rows)}</tbody></table></div>")


def _cell(record: Record, function: str, standing: str, sid: str) -> str:
    share = analysis.share_of_points(record.report, function)
    title = _e(f"{_label(record)} · {function}")
    if standing in (NOT_ATTEMPTED, UNGRADABLE) or share is None:
        mark = "–" if standing == NOT_ATTEMPTED else "×"
        return (f"<td class='cell {standing}' data-value='-1' title='{title}'>"
                f"<a href='#{sid}-{function}'>{mark}</a></td>")
    if standing == FULL:
        return (f"<td class='cell {standing}' data-value='{share:.4f}' title='{title}'>"
                f"<a href='#{sid}-{function}'>✓</a></td>")
    hue = round(100 * share)   # red (0) to yellow-green (100); full points is green
    return (f"<td class='cell {standing}' data-value='{share:.4f}' title='{title}' "
            f"style='background:hsl({hue},70%,70%)'>"
            f"<a href='#{sid}-{function}'>{100 * share:.0f}</a></td>")


def _label(record: Record) -> str:
    """The student's name from the export, else the submission's name."""
    student = record.identity.student
    return f"{student} ({record.name})" if student else record.name


def _students(records: list[Record], ids: dict[str, str], final: dict[str, Final]) -> str:
    head = "".join(f"<th data-sort='{kind}'>{_e(title)}</th>" for title, kind in (
        (_("Submission"), "text"), (_("Student"), "text"), (_("Email"), "text"),
        (_("Login / ID"), "text"), (_("Score"), "number"), (_("Adjustments"), "number"),
        (_("Days late"), "number"), (_("Penalty"), "number"), (_("Final"), "number"),
        (_("Status"), "text"), (_("Result"), "text")))
    rows = []
    for record in records:
        identity = record.identity
        report = record.report
        status = _("graded") if report.status == "graded" else (
            _("error") + (f": {report.notes[0]}" if report.notes else ""))
        result = "results/" + file_name(record.name)
        rows.append(
            f"<tr><td><a href='#{ids[record.name]}'>{_e(record.name)}</a></td>"
            f"<td>{_e(identity.student)}</td><td>{_e(identity.email)}</td>"
            f"<td>{_e(' '.join(filter(None, (identity.login, identity.sid))))}</td>"
            f"<td class='n' data-value='{report.score:.4f}'>{points(report.score)}</td>"
            f"{_final_cells(final.get(record.name), report.score)}"
            f"<td>{_e(status)}</td><td><a href='{_e(_href(result))}'>{_e(result)}</a></td></tr>")
    return (f"<table id='students-table' class='sortable'><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>")


def _final_cells(final: Final | None, score: float) -> str:
    """Adjustments, days late, penalty and final score (the graded score without them)."""
    if final is None:
        return "<td></td><td></td><td></td>" + \
            f"<td class='n' data-value='{score:.4f}'>{points(score)}</td>"
    adjusted = points(final.adjusted) if final.adjustments else ""
    reasons = "; ".join(f"{a.target} {a.points:+g}: {a.reason}" for a in final.adjustments)
    late = str(final.late_days) if final.submitted is not None else ""
    return (f"<td class='n' data-value='{final.adjusted:.4f}' title='{_e(reasons)}'>"
            f"{adjusted}</td><td class='n' data-value='{final.late_days}'>{late}</td>"
            f"<td class='n' data-value='{final.penalty:.4f}'>"
            f"{points(final.penalty) if final.penalty else ''}</td>"
            f"<td class='n' data-value='{final.final:.4f}'>{points(final.final)}</td>")


def _href(path: str) -> str:
    """A relative link to ``path``, its characters percent-encoded."""
    from urllib.parse import quote

    return quote(path)


def _student(record: Record, sid: str, functions: Sequence[str]) -> str:
    """The student's section: who, score, link to the result, and the text report."""
    result = "results/" + file_name(record.name)
    identity = ", ".join(filter(None, (record.identity.email, record.identity.login,
                                       record.identity.sid)))
    return (f"<article id='{sid}' class='student'><h3>{_e(_label(record))}</h3>"
            f"<p>{_e(identity)}{' · ' if identity else ''}"
            f"<a href='{_e(_href(result))}'>{_e(result)}</a> · <a href='#heatmap'>"
            f"{_e(_('back to the heatmap'))}</a></p>"
            f"<pre>{_text_report(record, sid, functions)}</pre></article>")


def _text_report(record: Record, sid: str, functions: Sequence[str]) -> str:
    """``grade run``'s report, escaped, with an anchor per function (what a heatmap cell
    links to): on its first failure's details when it has some, else on its row."""
    lines = (record.text or text.render(record.report)).splitlines()
    target: dict[str, int] = {}
    for number, line in enumerate(lines):       # a failure's details: "fn: test" at the start
        function = line.split(":", 1)[0] if ":" in line and not line.startswith(" ") else ""
        if function in functions and function not in target:
            target[function] = number
    for number, line in enumerate(lines):       # else the function's row of the table
        words = line.split()
        function = words[0] if words and line.startswith(" ") else ""
        if function in functions and function not in target:
            target[function] = number
    at = {number: function for function, number in target.items()}
    out = []
    for number, line in enumerate(lines):
        escaped = _e(line)
        if number in at:
            escaped = f"<span class='fn' id='{sid}-{at[number]}'>{escaped}</span>"
        out.append(escaped)
    missing = "".join(f"<span id='{sid}-{f}'></span>" for f in functions if f not in target)
    return missing + "\n".join(out)


def _similarity(pairs: list, ids: dict[str, str]) -> str:
    """The pairs above the threshold, each with its two codes side by side."""
    if not pairs:
        return f"<p>{_e(_('No pair of submissions reaches the similarity threshold.'))}</p>"
    head = "".join(f"<th>{_e(t)}</th>" for t in (
        _("Submission"), _("Submission"), _("Share of the first in the second"),
        _("Share of the second in the first")))
    rows, views = [], []
    for n, pair in enumerate(pairs[:MAX_PAIRS], start=1):
        rows.append(f"<tr><td><a href='#{ids.get(pair.first, '')}'>{_e(pair.first)}</a></td>"
                    f"<td><a href='#{ids.get(pair.second, '')}'>{_e(pair.second)}</a></td>"
                    f"<td class='n'>{100 * pair.shares[0]:.0f}%</td>"
                    f"<td class='n'>{100 * pair.shares[1]:.0f}%</td>"
                    f"<td><a href='#pair-{n}'>{_e(_('side by side'))}</a></td></tr>")
        sides = "".join(f"<div><h4>{_e(name)}</h4><pre>{_marked(code, spans)}</pre></div>"
                        for name, code, spans in zip((pair.first, pair.second), pair.codes,
                                                     pair.spans))
        views.append(f"<details id='pair-{n}'><summary>{_e(pair.first)} · {_e(pair.second)}"
                     f"</summary><div class='side'>{sides}</div></details>")
    more = ""
    if len(pairs) > MAX_PAIRS:
        more = f"<p>{_e(_('{count} more pairs are not shown.').format(count=len(pairs) - MAX_PAIRS))}</p>"
    note = _("Highlighted: code found in both submissions, the released stubs left out.")
    return (f"<p>{_e(note)}</p><table><thead><tr>{head}<th></th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>{more}{''.join(views)}")


def _marked(code: str, spans: list[tuple[int, int]]) -> str:
    """``code`` escaped, the ranges ``spans`` in ``<mark>``."""
    out, at = [], 0
    for start, end in sorted(spans):
        start = max(start, at)
        if end <= start:
            continue
        out += [_e(code[at:start]), "<mark>", _e(code[start:end]), "</mark>"]
        at = end
    out.append(_e(code[at:]))
    return "".join(out)


_PAGE = """<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 80rem; margin: 2rem auto; padding: 0 1rem; }}
nav {{ margin: 1rem 0; }}
table {{ border-collapse: collapse; margin: 1rem 0; }}
th, td {{ border-bottom: 1px solid #ddd; padding: .3rem .6rem; text-align: left; vertical-align: top; }}
td.n {{ text-align: right; font-variant-numeric: tabular-nums; }}
th[data-sort] {{ cursor: pointer; user-select: none; }}
th[aria-sort=ascending]::after {{ content: " ▲"; }} th[aria-sort=descending]::after {{ content: " ▼"; }}
figure {{ margin: 1rem 0; }} img {{ max-width: 100%; height: auto; }}
figcaption {{ color: #555; font-size: .9rem; }}
.scroll {{ overflow-x: auto; }}
table.heatmap th, table.heatmap td {{ padding: .15rem .25rem; border: 1px solid #fff; }}
table.heatmap th.fn {{ vertical-align: bottom; }}
table.heatmap th.fn span {{ writing-mode: vertical-rl; transform: rotate(180deg); font-size: .8rem; }}
td.cell {{ text-align: center; font-size: .8rem; min-width: 1.8rem; }}
td.cell a {{ color: #000; text-decoration: none; display: block; }}
td.not-attempted {{ background: #e4e4e4; }} td.ungradable {{ background: #f3c98b; }}
.key {{ padding: .1rem .4rem; margin-right: .4rem; font-size: .85rem; }}
td.full, .key.full {{ background: hsl(120,60%,60%); }}
.key.wrong {{ background: linear-gradient(to right, hsl(0,70%,70%), hsl(100,70%,70%)); }}
.once {{ margin: .3rem 0; }} strong.title {{ display: block; }}
.key.not-attempted {{ background: #e4e4e4; }} .key.ungradable {{ background: #f3c98b; }}
code.diagnosis {{ color: #555; font-size: .8rem; }} .hint {{ white-space: pre-wrap; }}
tr.not-attempted td, tr.ungradable td {{ color: #555; }}
article.student {{ border-top: 2px solid #ccc; margin-top: 2rem; }}
pre {{ background: #f7f7f7; padding: .6rem; overflow-x: auto; font-size: .8rem; }}
:target {{ background: #fff3b0; outline: 2px solid #e0b000; }}
.side {{ display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; }}
.side pre {{ max-height: 40rem; overflow: auto; }} mark {{ background: #ffd6a0; }}
</style></head>
<body>
{body}
<script>
{script}
</script>
</body></html>
"""

#: Sorting of ``table.sortable`` by a header's column (numbers by ``data-value``), and the
#: heatmap's column order (assignment order, or hardest function first).
_SCRIPT = """
"use strict";
function cellValue(row, index, kind) {
  const cell = row.children[index];
  const raw = cell.dataset.value !== undefined ? cell.dataset.value : cell.textContent;
  return kind === "number" ? parseFloat(raw) : raw.trim().toLowerCase();
}
function sortBy(table, header) {
  const headers = Array.from(header.parentNode.children);
  const index = headers.indexOf(header);
  const kind = header.dataset.sort;
  const ascending = header.getAttribute("aria-sort") !== "ascending";
  headers.forEach(h => h.removeAttribute("aria-sort"));
  header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  const body = table.tBodies[0];
  const rows = Array.from(body.rows);
  rows.sort((a, b) => {
    const x = cellValue(a, index, kind), y = cellValue(b, index, kind);
    const order = kind === "number" ? x - y : x.localeCompare(y);
    return ascending ? order : -order;
  });
  rows.forEach(row => body.appendChild(row));
}
function orderColumns(table, how) {
  const head = table.tHead.rows[0];
  const cells = Array.from(head.children);
  const fixed = cells.filter(c => !c.classList.contains("fn")).length;
  const columns = cells.slice(fixed).map((cell, k) => ({k: k, cell: cell}));
  if (how === "mean") {
    const mean = c => { const m = parseFloat(c.cell.dataset.mean); return m < 0 ? Infinity : m; };
    columns.sort((a, b) => mean(a) - mean(b));   // nobody attempted: last
  } else {
    columns.sort((a, b) => a.cell.dataset.position - b.cell.dataset.position);
  }
  for (const row of [head, ...table.tBodies[0].rows]) {
    const all = Array.from(row.children);
    columns.forEach(c => row.appendChild(all[fixed + c.k]));
  }
}
document.querySelectorAll("table.sortable").forEach(table => {
  table.querySelectorAll("thead th[data-sort]").forEach(header => {
    header.addEventListener("click", () => sortBy(table, header));
  });
});
const heatmap = document.getElementById("heatmap-table");
if (heatmap) {
  document.querySelectorAll("button[data-order]").forEach(button => {
    button.addEventListener("click", () => orderColumns(heatmap, button.dataset.order));
  });
}
"""
