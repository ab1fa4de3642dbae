"""What the student release and the Gradescope bundle share: templates, package copies, pins."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import shutil
from pathlib import Path

import grader
from grader.i18n import _

#: The PyTorch release bundles install, always as the CPU build (a bare ``torch`` pulls CUDA).
TORCH_VERSION = "2.13.0"
TORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"
#: The Python that GitHub Actions sets up for the classroom workflow.
PYTHON_VERSION = "3.11"
#: The distribution whose metadata gives the grader's dependencies.
DISTRIBUTION = "dlgrade"

TEMPLATES = Path(grader.__file__).parent / "templates"
_IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", "*.pyo")


def template(template_name: str, **values: str) -> str:
    """``grader/templates/<template_name>`` with each ``@KEY@`` replaced by ``values[key]``."""
    text = (TEMPLATES / template_name).read_text(encoding="utf-8")
    values = {"torch_version": TORCH_VERSION, "torch_cpu_index": TORCH_CPU_INDEX,
              "python_version": PYTHON_VERSION, **values}
    for key, value in values.items():
        text = text.replace(f"@{key.upper()}@", value)
    return text


def write_template(dest: Path, template_name: str, executable: bool = False,
                   **values: str) -> None:
    """Render template ``template_name`` into the file ``dest``."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(template(template_name, **values), encoding="utf-8")
    if executable:
        dest.chmod(0o755)


def copy_package(name: str, dest: Path) -> None:
    """Copy package ``name``'s source tree (found without importing it) to ``dest``."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(_("package {name} is not installed here").format(name=name))
    source = Path(list(spec.submodule_search_locations)[0])
    shutil.copytree(source, dest, ignore=_IGNORED)


def dependencies() -> list[str]:
    """The grader's runtime requirements (extras left out), as installed here."""
    requirements = importlib.metadata.requires(DISTRIBUTION) or []
    return [r for r in requirements if "extra ==" not in r]

