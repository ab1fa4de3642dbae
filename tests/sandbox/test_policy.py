"""The static check of the from-scratch functions' source (grader/sandbox/policy.py)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from grader.contract import MODULES
from grader.sandbox.policy import REACHING, _walk_computing, static_uses

ROOT = Path(__file__).resolve().parents[2]
HONEST = ROOT / "tests" / "adversarial" / "_honest"


def folder(path: Path, **replaced: str) -> tuple[list[dict], list[dict]]:
    units, helpers = [], []
    for file in sorted(path.glob("*.py")):
        source = replaced.pop(file.stem, None) or file.read_text()
        if file.stem in MODULES:
            units.append({"kind": "module", "module": file.stem, "source": source,
                          "name": file.name})
        elif file.stem != "__init__":
            helpers.append({"name": file.stem, "source": source})
    helpers += [{"name": name, "source": source} for name, source in replaced.items()]
    return units, helpers


def activations(extra: str, **helpers: str) -> dict[str, list[str]]:
    return static_uses(*folder(HONEST, activations=(HONEST / "activations.py").read_text()
                               + extra, **helpers), "folder")


@pytest.mark.parametrize("where", ["solutions", "exercises", "tests/adversarial/_honest"])
def test_honest_sources_are_not_flagged(where: str) -> None:
    assert static_uses(*folder(ROOT / where), "folder") == {}


@pytest.mark.parametrize("extra, use", [
    ("import torch\ndef relu(x):\n    return list(map(torch.relu, x))\n", "torch.relu"),
    ("from torch import relu as r\ndef relu(x):\n    return r(x)\n", "torch.relu"),
    ("import torch.nn.functional as F\nrelu = F.relu\n", "torch.nn.functional.relu"),
    ("def relu(x):\n    return __import__('torch').relu(x)\n", "torch.relu"),
    ("import importlib\ndef relu(x):\n    return importlib.import_module('torch').relu(x)\n",
     "torch.relu"),
    ("import sys\ndef relu(x):\n    return sys.modules['torch'].relu(x)\n", "torch.relu"),
    ("import torch as t\ndef relu(x):\n    return getattr(t, 'relu')(x)\n", "torch.relu"),
    ("import torch\ndef relu(x):\n    return vars(torch)['relu'](x)\n", "torch.relu"),
    ("import torch\nglobals()['relu'] = torch.relu\n", "torch.relu"),
    ("def relu(x):\n    from scipy.special import expit\n    return expit(x)\n",
     "scipy.special.expit"),
    ("import torch\ndef _h(x):\n    return torch.relu(x)\ndef relu(x):\n    return _h(x)\n",
     "torch.relu"),
])
def test_forbidden_uses_are_found(extra: str, use: str) -> None:
    assert activations("\n" + extra) == {"activations.relu": [use]}


def test_through_a_helper_module() -> None:
    found = activations("\nfrom mytools import fast\ndef relu(x):\n    return fast(x)\n",
                        mytools="import torch\ndef fast(x):\n    return torch.relu(x)\n")
    assert found == {"activations.relu": ["torch.relu"]}


def test_later_definitions_win() -> None:
    assert activations("\nimport torch\nrelu = torch.relu\ndef relu(x):\n"
                       "    return np.maximum(x, 0)\n") == {}


def test_a_parameter_shadows_a_module_level_name() -> None:
    assert activations("\nimport torch\ndef relu(torch):\n    return np.maximum(torch, 0)\n") \
        == {}


def test_annotations_compute_nothing() -> None:
    assert activations("\nimport torch\ndef relu(x: torch.Tensor) -> torch.Tensor:\n"
                       "    y: torch.Tensor = np.maximum(x, 0)\n    return y\n") == {}


def test_a_function_is_read_in_ast_walk_order_without_its_annotations() -> None:
    """The first use found is the first in ``ast.walk``'s order, annotations left out."""
    source = (ROOT / "grader" / "sandbox" / "policy.py").read_text() \
        + (HONEST / "mlp.py").read_text() + "\nasync def f(a: int = g(1), *b: h, **c: i) -> j:\n" \
        + "    k: l = m\n    lambda n: o\n    def p(q: r): s\n"
    tree = ast.parse(source)
    for root in [tree, *(n for n in ast.walk(tree) if isinstance(n, ast.AsyncFunctionDef))]:
        annotations = [getattr(n, field) for n in ast.walk(root) for field in ("annotation",
                       "returns") if getattr(n, field, None) is not None]
        skipped = {id(inner) for annotation in annotations for inner in ast.walk(annotation)}
        assert skipped
        # (contexts and operators are shared: one Load() for every name, in or out of them)
        assert [id(n) for n in _walk_computing(root) if isinstance(n, REACHING)] == \
            [id(n) for n in ast.walk(root) if id(n) not in skipped and isinstance(n, REACHING)]


def test_a_callee_contract_function_is_judged_on_its_own() -> None:
    """mlp calls the student's relu, which uses torch: only relu is charged."""
    units, helpers = folder(HONEST, activations=(HONEST / "activations.py").read_text()
                            + "\nimport torch\nrelu = torch.relu\n")
    assert static_uses(units, helpers, "folder") == {"activations.relu": ["torch.relu"]}


def test_torch_api_may_use_torch_in_one_namespace() -> None:
    """A single file (or notebook) holds every module: torch_api's functions use torch."""
    source = "\n".join((HONEST / f"{m}.py").read_text() for m in MODULES)
    unit = {"kind": "namespace", "module": None, "source": source, "name": "all.py"}
    assert static_uses([unit], [], "module") == {}
    unit["source"] += "\ndef tanh(x):\n    return torch.tanh(torch.from_numpy(x)).numpy()\n"
    assert static_uses([unit], [], "module") == {"activations.tanh": ["torch.tanh"]}


def test_unparsable_and_absurd_sources_are_left_to_the_loader() -> None:
    assert activations("\ndef relu(x:\n") == {}
    assert activations("\nimport torch\ndef relu(x):\n    return " + "(" * 150 + "x"
                       + ")" * 150 + "\n") == {}
