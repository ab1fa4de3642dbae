"""JUnit XML: one ``testcase`` per test (classname ``module.function``), failures with the message."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from grader.i18n import _
from grader.report.details import summary, test_details
from grader.report.model import ERROR, FAILED, Report

#: Characters XML 1.0 cannot hold (student output may contain any of them).
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def render(report: Report) -> str:
    """The JUnit document, with an XML declaration."""
    failures = sum(t.status == FAILED for t in report.tests)
    errors = sum(t.status == ERROR for t in report.tests)
    counts = {"tests": str(len(report.tests)), "failures": str(failures),
              "errors": str(errors), "time": f"{report.seconds:.3f}"}
    root = ET.Element("testsuites", name="grade", **counts)
    suite = ET.SubElement(root, "testsuite", name=_clean(report.submission), **counts)
    properties = ET.SubElement(suite, "properties")
    for name, value in (("seed", report.seed), ("score", report.score),
                        ("max_score", report.max_score), ("oracle", report.oracle),
                        ("selected", ",".join(report.selected))):
        ET.SubElement(properties, "property", name=name, value=str(value))
    for test in report.tests:
        case = ET.SubElement(suite, "testcase", classname=test.function,
                             name=_clean(test.label), time="0")
        if test.status in (FAILED, ERROR):
            tag = "failure" if test.status == FAILED else "error"
            problem = ET.SubElement(case, tag, message=_clean(test.message or _(tag)),
                                    type=test.status)
            problem.text = _clean(test_details(test))
        elif test.message or test.output:
            ET.SubElement(case, "system-out").text = _clean(test_details(test))
    ET.SubElement(suite, "system-out").text = _clean(summary(report))
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
