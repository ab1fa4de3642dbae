"""The package metadata: what pip and setuptools read."""

from __future__ import annotations

import tomllib
from pathlib import Path

PYPROJECT = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())


def test_the_license_is_an_spdx_expression():
    """A table (``{text = ...}``) makes setuptools warn on every install."""
    assert PYPROJECT["project"]["license"] == "MIT"
    assert "setuptools>=77" in PYPROJECT["build-system"]["requires"]  # reads SPDX strings


def test_torch_is_a_range_the_cpu_wheel_satisfies():
    torch = [d for d in PYPROJECT["project"]["dependencies"] if d.startswith("torch")]
    assert torch == ["torch>=2.2"]
