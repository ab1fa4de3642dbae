"""The class report: mistakes grouped and counted in students, standings, heatmap, each
student's section, hostile text inert."""

from __future__ import annotations

import base64
import re
from html.parser import HTMLParser

import pytest

from grader.checks import CHECK, CHECKS
from grader.classroom import analysis, html_report
from grader.classroom.analysis import FULL, NOT_ATTEMPTED, UNGRADABLE, WRONG
from grader.classroom.batch import error_report
from grader.classroom.identities import Identity
from grader.classroom.store import Record
from grader.contract import FUNCTIONS
from grader.i18n import set_language
from grader.report import model
from tests.classroom.class_fixtures import SEED, mistakes_class, record


class Rows(HTMLParser):
    """The rows of the tables of class ``mistakes``, under the function heading before each."""

    def __init__(self):
        super().__init__()
        self.function = ""
        self.rows: list[tuple[str, list[str], list[str]]] = []   # function, cells, links
        self.ids: list[str] = []
        self._heading = self._cell = False
        self._in_mistakes = False
        self._text = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "h3" and attrs.get("id", "").startswith("mistakes-"):
            self.function = attrs["id"][len("mistakes-"):]
        if tag == "table":
            self._in_mistakes = attrs.get("class") == "mistakes"
        if self._in_mistakes and tag == "tr":
            self.rows.append((self.function, [], []))
        if self._in_mistakes and tag == "td":
            self._cell, self._text = True, ""
        if self._in_mistakes and tag == "a" and self.rows:
            self.rows[-1][2].append(attrs["href"])

    def handle_endtag(self, tag):
        if tag == "td" and self._cell:
            self.rows[-1][1].append(self._text.strip())
            self._cell = False

    def handle_data(self, data):
        if self._cell:
            self._text += data


@pytest.fixture(scope="module")
def klass() -> tuple[list, dict, str]:
    """The class of declared mistakes, its expected groups, and its report."""
    records, expected = mistakes_class()
    return records, expected, html_report.render(records)


def parse(page: str) -> Rows:
    rows = Rows()
    rows.feed(page)
    return rows


def test_a_class_of_declared_mistakes_yields_exactly_those_groups_and_counts():
    records, expected = mistakes_class()
    found = analysis.analyse(records)
    groups = {(g.function, g.diagnosis): len(g.students)
              for function in FUNCTIONS for g in found.groups[function]}
    assert groups == expected
    assert sum(len(c.mistakes) for c in CHECKS) == len(expected) > 40
    for function in FUNCTIONS:
        assert found.count(function, NOT_ATTEMPTED) == 3
        makers = sum(n for (f, _d), n in expected.items() if f == function)
        assert found.count(function, WRONG) == makers
        assert found.count(function, FULL) == len(records) - 3 - makers


def test_the_report_lists_each_group_with_its_students_share_and_hint(klass):
    records, expected, page = klass
    rows = parse(page)
    ids = {r.name: f"student-{n}" for n, r in
           enumerate(sorted(records, key=lambda r: r.name), start=1)}
    shown = {}
    for function, cells, links in rows.rows:
        if not cells:
            continue    # the header row
        count, share, what = int(cells[0]), cells[1], cells[2]
        kind = re.search(r"(mistake:\S+:\d+)", what)
        if kind is None:
            continue    # the "not attempted" row of the function
        shown[function, kind.group(1)] = count
        assert share == f"{100 * count / len(records):.0f}%"
        index = int(kind.group(1).rsplit(":", 1)[1])
        hint = analysis.mistake_text(kind.group(1))
        assert hint and hint[:30] in what
        assert what.startswith(analysis.title(kind.group(1)))   # the identifier after
        assert "{" not in hint, "size placeholders are shown as their names"
        makers = sorted(f"{function}-{index}-{k}" for k in range(count))
        assert links == [f"#{ids[m]}-{function}" for m in makers]
        assert CHECK[function].mistakes[index]
    assert shown == expected
    assert set(f"{ids[r.name]}-{f}" for r in records for f in FUNCTIONS) <= set(rows.ids)


def test_not_attempted_and_ungradable_are_not_wrong():
    broken = record("broken")
    for test in broken.report.tests:
        if test.function.startswith("losses."):
            test.points, test.status = 0.0, "error"
            test.diagnosis, test.message = "outcome:load-error", "losses.py could not be loaded"
    records = [record("absent", absent=("losses.mse",)), broken,
               Record("crashed", error_report("crashed", SEED, "the grader failed"))]
    found = analysis.analyse(records)
    assert found.standings["absent", "losses.mse"] == NOT_ATTEMPTED
    assert found.standings["broken", "losses.mse"] == UNGRADABLE
    assert found.standings["crashed", "activations.relu"] == UNGRADABLE
    assert not any(found.groups.values())
    assert found.attempted("losses.mse") == []


def test_a_failure_without_identifier_is_grouped_by_its_hint_without_numbers():
    one, two = record("one"), record("two")
    for rec, (expected, got) in ((one, (12, -12)), (two, (3.5, -3.5))):
        test = next(t for t in rec.report.tests if t.function == "losses.mse")
        test.points, test.status = 0.0, "failed"
        test.message = f"in result[1]: expected {expected}, got {got}\nEvery value has the opposite sign"
    found = analysis.analyse([one, two])
    assert [(g.diagnosis, g.students) for g in found.groups["losses.mse"]] == [
        ("message:Every value has the opposite sign", ["one", "two"])]


def test_heatmap_cells_link_to_the_students_function(klass):
    records, _expected, page = klass
    cells = re.findall(r"<td class='cell (\S+)' data-value='([-\d.]+)'[^>]*>"
                       r"<a href='#(student-\d+)-([\w.]+)'>", page)
    assert len(cells) == len(records) * len(FUNCTIONS)
    assert {kind for kind, *_rest in cells} == {FULL, WRONG, NOT_ATTEMPTED}
    assert all(value == "-1" for kind, value, *_r in cells if kind == NOT_ATTEMPTED)


def test_student_sections_hold_grade_runs_report_and_link_to_the_result(klass):
    records, _expected, page = klass
    assert page.count("<article id='student-") == len(records)
    assert "href='results/full-0.json'" in page
    assert "Student 0 (full-0)" in page
    assert "Score: 100 / 100" in page


def test_the_report_stands_alone_and_plots_have_labelled_axes(klass):
    records, _expected, page = klass
    assert not re.search(r"(src|href)=['\"](?!data:|#|results/)", page)
    assert "<script>" in page and "<script src" not in page
    images = re.findall(r"src='data:image/svg\+xml;base64,([^']+)'", page)
    assert len(images) == 3
    svgs = [base64.b64decode(i).decode("utf-8") for i in images]
    assert "Students" in svgs[0] and "Score (points out of 100)" in svgs[0]
    assert "Function" in svgs[1] and "nobody attempted" not in svgs[1]
    assert "Test" in svgs[2] and ">losses.mse: (N, D) arrays<" in svgs[2].replace("&lt;", "<")


def test_a_function_nobody_attempted_is_not_failed():
    records = [record(n, absent=("losses.mse",)) for n in ("a", "b")]
    page = html_report.render(records)
    images = re.findall(r"src='data:image/svg\+xml;base64,([^']+)'", page)
    assert "nobody attempted" in base64.b64decode(images[1]).decode("utf-8")
    row = re.search(r"<tr><td><a href='#mistakes-losses.mse'>.*?</tr>", page).group()
    assert "nobody attempted" in row and "0%" not in row


def test_hostile_names_messages_and_output_are_inert():
    evil = "<script>alert(1)</script>\x1b]0;x\x07\u202e"
    rec = record("evil'\"<b>", student=evil, wrong={"losses.mse": "sign"})
    rec.identity = Identity(student=evil, email=evil, login=evil)
    test = next(t for t in rec.report.tests if t.function == "losses.mse" and t.diagnosis)
    test.message = evil
    test.output = evil
    page = html_report.render([rec, record("other")])
    body = page.split("<script>")[0] + page.split("</script>")[-1]
    assert "<script>alert" not in body and "<b>" not in body
    assert "\x1b" not in page and "\u202e" not in page


def test_korean_report(monkeypatch):
    set_language("ko")
    try:
        records, _expected = mistakes_class()
        page = html_report.render(records)
    finally:
        set_language(None)
    assert "<html lang=\"ko\">" in page and "반 전체 보고서" in page
    assert "Students" not in re.sub(r"<script>.*?</script>", "", page, flags=re.S)


def test_internal_errors_are_not_charged():
    rec = record("a")
    rec.report.tests[0] = model.TestResult(rec.report.tests[0].function, "x", 1.0, 1.0, "internal")
    assert analysis.standing(rec.report, rec.report.tests[0].function) == FULL


def test_one_denominator_and_the_ungraded_listed_once():
    records = [record(f"s{n}", wrong={"losses.mse": "sign:@"}) for n in range(3)]
    records += [Record(name, error_report(name, SEED, "the grader failed"))
                for name in ("crashed-1", "crashed-2")]
    records.append(record("idle", absent=FUNCTIONS))
    page = html_report.render(records)
    mistakes = page.split("<section id='mistakes'>")[1].split("</section>")[0]
    assert "Shares are of the 4 graded students (of 6 submissions)." in mistakes
    assert "Share of the 4 graded students" in mistakes
    assert mistakes.count(">crashed-1<") == 1 and mistakes.count(">idle<") == 1
    row = re.search(r"<tr class='mistake'>(.*?)</tr>", mistakes, re.S).group(1)
    assert "<td class='n'>75%</td>" in row                      # 3 of the 4 graded
    assert row.index("Wrong sign") < row.index("sign:@")        # the title, then the id


def test_heatmap_shows_the_weak_spots_first_and_cells_land_on_the_failure():
    records = [record("good"), record("weak", wrong={"losses.mse": "sign:@",
                                                     "mlp.mlp_forward": "sign:@"})]
    records.append(record("weaker", wrong={"losses.mse": "sign:@"},
                          absent=("mlp.mlp_backward",)))
    page = html_report.render(records)
    heatmap = page.split("id='heatmap-table'")[1].split("</table>")[0]
    columns = re.findall(r"<th class='fn'[^>]*title='([\w.]+)'", heatmap)
    assert columns[0] == "losses.mse" and sorted(columns) == sorted(FUNCTIONS)
    students = re.findall(r"<tr><th data-value='([^']+)'", heatmap)
    assert students[-1] == "good"                               # the weakest first
    assert ">100</a>" not in heatmap and ">✓</a>" in heatmap
    ids = {r.name: f"student-{n}" for n, r in
           enumerate(sorted(records, key=lambda r: r.name), start=1)}
    anchor = f"id='{ids['weak']}-losses.mse'>"
    target = page.split(anchor)[1].split("</span>")[0]
    assert target.startswith("losses.mse: ")                    # the failure's details
