"""JUnit XML: one ``testcase`` per test (classname ``module.function``), failures with the message.

Text is neutralised for XML; a submission that cannot be graded gets every test as an error
(``ungraded.complete``). Size: the document stays under ``BUDGET`` bytes: passed tests carry
no output; a failing test's details are cut to the longest length that fits.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from grader.i18n import _
from grader.report import bound, neutral
from grader.report.details import message_lines, summary, test_details
from grader.report.model import ERROR, FAILED, Report
from grader.report.ungraded import complete


#: The whole document stays under this many bytes.
BUDGET = 1024 * 1024


def render(report: Report) -> str:
    """The JUnit document, with an XML declaration, within ``BUDGET``."""
    report = complete(bound.report(report))
    return bound.within_budget(lambda cap: _render(report, cap),
                               lambda text: len(text.encode("utf-8")), BUDGET)


def _render(report: Report, cap: int | None) -> str:
    failures = sum(t.status == FAILED for t in report.tests)
    errors = sum(t.status == ERROR for t in report.tests)
    counts = {"tests": str(len(report.tests)), "failures": str(failures),
              "errors": str(errors), "time": f"{report.seconds:.3f}"}
    root = ET.Element("testsuites", name="grade", **counts)
    suite = ET.SubElement(root, "testsuite", name=neutral.xml(report.submission), **counts)
    properties = ET.SubElement(suite, "properties")
    for name, value in (("seed", report.seed), ("score", report.score),
                        ("max_score", report.max_score), ("oracle", report.oracle),
                        ("selected", ",".join(report.selected))):
        ET.SubElement(properties, "property", name=name, value=str(value))
    for test in report.tests:
        case = ET.SubElement(suite, "testcase", classname=test.function,
                             name=neutral.xml(test.label), time="0")
        if test.status in (FAILED, ERROR):
            tag = "failure" if test.status == FAILED else "error"
            first = (message_lines(test.message) or [_(tag)])[0]
            problem = ET.SubElement(case, tag, message=neutral.xml(bound.cut(first, 240)),
                                    type=test.status)
            problem.text = neutral.xml(bound.cut(test_details(test), cap))
    ET.SubElement(suite, "system-out").text = neutral.xml(summary(report))
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
