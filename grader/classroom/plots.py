"""The class report's plots as SVG documents: labelled axes, every bar with its value.

Text stays text in the SVG (``svg.fonttype: none``), so the browser draws it with its own
fonts and Korean labels display; matplotlib only lays it out.
"""

from __future__ import annotations

import io
import warnings

from grader.i18n import _

COLORS = {"full": "#4e9a52", "wrong": "#c8463c", "not-attempted": "#b8b8b8",
          "ungradable": "#e09b3d"}


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"svg.fonttype": "none", "svg.hashsalt": "dlgrade",
                         "font.size": 9})
    return plt


def _svg(figure) -> str:
    """The figure as an SVG document."""
    buffer = io.StringIO()
    with warnings.catch_warnings():   # Hangul is missing from matplotlib's fonts: fine here
        warnings.simplefilter("ignore")
        figure.tight_layout()
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    _pyplot().close(figure)
    return buffer.getvalue()


def histogram(scores: list[float]) -> str:
    """Students per score band of 5 points."""
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(7, 3.2))
    counts, _edges, bars = axes.hist(scores, bins=[i * 5 for i in range(21)], range=(0, 100),
                                     color="#4878a8", edgecolor="white")
    axes.bar_label(bars, labels=[f"{int(c)}" if c else "" for c in counts], fontsize=8)
    axes.set_xlim(0, 100)
    axes.set_ylim(0, max(counts.max(), 1) * 1.15)
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.set_xlabel(_("Score (points out of 100)"))
    axes.set_ylabel(_("Students"))
    return _svg(figure)


def standings(rows: list[tuple[str, dict[str, int]]], labels: dict[str, str]) -> str:
    """Per function, its students stacked by standing, with the pass rate of those who
    attempted it (or "nobody attempted") at the end of the bar."""
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(8, 0.3 * len(rows) + 1.4))
    names = [name for name, _counts in rows][::-1]
    total = max((sum(c.values()) for _n, c in rows), default=1) or 1
    left = [0] * len(names)
    for kind, color in COLORS.items():
        widths = [dict(rows)[name].get(kind, 0) for name in names]
        bars = axes.barh(names, widths, left=left, color=color, label=labels[kind])
        axes.bar_label(bars, labels=[str(w) if w else "" for w in widths],
                       label_type="center", fontsize=7, color="white")
        left = [a + b for a, b in zip(left, widths)]
    for y, name in enumerate(names):
        counts = dict(rows)[name]
        attempted = counts.get("full", 0) + counts.get("wrong", 0)
        text = (_("nobody attempted") if not attempted else
                f"{counts.get('full', 0)}/{attempted} = {100 * counts.get('full', 0) / attempted:.0f}%")
        axes.text(total * 1.01, y, text, va="center", fontsize=7)
    axes.set_xlim(0, total * 1.22)
    axes.set_ylim(-0.6, len(names) - 0.4)
    axes.xaxis.get_major_locator().set_params(integer=True)
    axes.tick_params(axis="y", labelsize=7)
    axes.set_xlabel(_("Students"))
    axes.set_ylabel(_("Function"))
    axes.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=4, fontsize=7,
                frameon=False)
    return _svg(figure)


def test_passes(rows: list[tuple[str, int, int]]) -> str:
    """Per test ``(name, passed, attempted)``: the share of the students who attempted its
    function who passed it, labelled ``passed/attempted``."""
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(9, 0.28 * len(rows) + 1.0))
    names = [name for name, _p, _a in rows][::-1]
    data = {name: (p, a) for name, p, a in rows}
    shares = [100 * data[n][0] / data[n][1] if data[n][1] else 0 for n in names]
    axes.barh(names, shares, color=["#e15759" if s < 50 else "#f28e2b" if s < 80 else "#59a14f"
                                    for s in shares])
    for y, name in enumerate(names):
        done, attempted = data[name]
        axes.text(min(shares[y], 100) + 1, y, f"{done}/{attempted}" if attempted
                  else _("nobody attempted"), va="center", fontsize=6)
    axes.set_xlim(0, 112)
    axes.set_ylim(-0.6, len(names) - 0.4)
    axes.xaxis.set_major_formatter("{x:.0f}%")
    axes.tick_params(axis="y", labelsize=8)
    axes.set_xlabel(_("Students who passed the test, of those who attempted its function"))
    axes.set_ylabel(_("Test"))
    return _svg(figure)
