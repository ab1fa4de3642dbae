"""``report.html``: the class report an instructor opens in a browser.

Score histogram, pass rate per function, the most common failure messages per function and
every submission's score, in one file: the plots are PNGs embedded as base64. Plots carry
numbers and function names only; their captions are HTML, so any language displays.
"""

from __future__ import annotations

import base64
import html
import io
import re
import statistics
from collections import Counter, defaultdict
from pathlib import Path

from grader.classroom.store import write_atomic
from grader.contract import FUNCTIONS
from grader.i18n import _, language
from grader.report.details import is_failure, points
from grader.report.model import Report

TOP_MESSAGES = 3
_NUMBER = re.compile(r"[-+]?\d+(\.\d+)?([eE][-+]?\d+)?")


def write(path: Path, reports: list[Report]) -> None:
    """Write the class report of ``reports`` (graded or not) to ``path``."""
    write_atomic(path, render(reports))


def render(reports: list[Report]) -> str:
    """The whole HTML document."""
    reports = sorted(reports, key=lambda r: r.submission)
    graded = [r for r in reports if r.status == "graded"]
    scores = [r.score for r in graded]
    seeds = sorted({r.seed for r in reports})
    parts = [f"<h1>{_e(_('Class report'))}</h1>", _summary(reports, scores, seeds)]
    if graded:
        parts += [f"<h2>{_e(_('Score histogram'))}</h2>",
                  _figure(_histogram(scores),
                          _("Scores (horizontal) and number of submissions (vertical)")),
                  f"<h2>{_e(_('Pass rate per function'))}</h2>",
                  _figure(_pass_rates(graded),
                          _("Share of graded submissions with full points in each function")),
                  f"<h2>{_e(_('Most common failure messages'))}</h2>", _failures(graded)]
    parts += [f"<h2>{_e(_('Submissions'))}</h2>", _submissions(reports)]
    return _PAGE.format(lang=language(), title=_e(_("Class report")), body="\n".join(parts))


def _summary(reports: list[Report], scores: list[float], seeds: list[int]) -> str:
    items = [(_("Submissions"), str(len(reports))), (_("Graded"), str(len(scores))),
             (_("Could not be graded"), str(len(reports) - len(scores))),
             (_("Seed"), ", ".join(map(str, seeds)))]
    if scores:
        items += [(_("Mean score"), points(statistics.fmean(scores))),
                  (_("Median score"), points(statistics.median(scores))),
                  (_("Lowest / highest"), f"{points(min(scores))} / {points(max(scores))}")]
    rows = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in items)
    return f"<table class='summary'>{rows}</table>"


def _figure(png: bytes, caption: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return (f"<figure><img alt='{_e(caption)}' src='data:image/png;base64,{data}'>"
            f"<figcaption>{_e(caption)}</figcaption></figure>")


def _png(figure) -> bytes:
    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png", dpi=100)
    _pyplot().close(figure)
    return buffer.getvalue()


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _histogram(scores: list[float]) -> bytes:
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(7, 3.2))
    axes.hist(scores, bins=[i * 5 for i in range(21)], range=(0, 100), color="#4878a8",
              edgecolor="white")
    axes.set_xlim(0, 100)
    axes.yaxis.get_major_locator().set_params(integer=True)
    return _png(figure)


def _pass_rates(graded: list[Report]) -> bytes:
    rates = _rates(graded)
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(7, 0.28 * len(rates) + 0.8))
    names = list(rates)[::-1]
    axes.barh(names, [100 * rates[n] for n in names], color="#59a14f")
    axes.set_xlim(0, 100)
    axes.tick_params(axis="y", labelsize=8)
    axes.xaxis.set_major_formatter("{x:.0f}%")
    return _png(figure)


def _rates(graded: list[Report]) -> dict[str, float]:
    """Per function, the share of submissions that got all its points (no test failed)."""
    full: Counter = Counter()
    for report in graded:
        failed = {test.function for test in report.tests if is_failure(test)}
        full.update(f for f in report.function_scores() if f not in failed)
    return {f: full[f] / len(graded) for f in FUNCTIONS}


def _failures(graded: list[Report]) -> str:
    """Per function, its most common failure messages (numbers ignored when grouping)."""
    groups: dict[str, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
    for report in graded:
        for test in report.tests:
            if is_failure(test):
                message = test.message.strip().splitlines()[0] if test.message.strip() else ""
                groups[test.function][_NUMBER.sub("#", message)][message] += 1
    rows = []
    for function in FUNCTIONS:
        common = sorted(groups[function].values(), key=lambda c: -sum(c.values()))
        for variants in common[:TOP_MESSAGES]:
            example, _count = variants.most_common(1)[0]
            rows.append(f"<tr><td><code>{_e(function)}</code></td>"
                        f"<td class='n'>{sum(variants.values())}</td><td>{_e(example)}</td></tr>")
    if not rows:
        return f"<p>{_e(_('No test failed.'))}</p>"
    head = (f"<tr><th>{_e(_('Function'))}</th><th>{_e(_('Failures'))}</th>"
            f"<th>{_e(_('Message (one example)'))}</th></tr>")
    return f"<table>{head}{''.join(rows)}</table>"


def _submissions(reports: list[Report]) -> str:
    head = (f"<tr><th>{_e(_('Submission'))}</th><th>{_e(_('Score'))}</th>"
            f"<th>{_e(_('Status'))}</th></tr>")
    rows = []
    for report in reports:
        status = _("graded") if report.status == "graded" else (
            _("error") + (f": {report.notes[0]}" if report.notes else ""))
        rows.append(f"<tr><td>{_e(report.submission)}</td><td class='n'>"
                    f"{points(report.score)}</td><td>{_e(status)}</td></tr>")
    return f"<table>{head}{''.join(rows)}</table>"


def _e(text: str) -> str:
    return html.escape(str(text), quote=True)


_PAGE = """<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }}
table {{ border-collapse: collapse; margin: 1rem 0; }}
th, td {{ border-bottom: 1px solid #ddd; padding: .3rem .6rem; text-align: left; vertical-align: top; }}
td.n {{ text-align: right; font-variant-numeric: tabular-nums; }}
figure {{ margin: 1rem 0; }} img {{ max-width: 100%; }} figcaption {{ color: #555; font-size: .9rem; }}
</style></head>
<body>
{body}
</body></html>
"""
