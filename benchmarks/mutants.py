"""Mutation benchmark: single-point bugs in ``solutions/``, graded by the real grader.

Run ``make mutants`` (or ``.venv/bin/python -m benchmarks.mutants --seeds 1 2 3``). The mutator
walks the AST of the code between ``# BEGIN SOLUTION`` and ``# END SOLUTION`` in
``solutions/*.py`` and applies one operator at one place (see ``OPERATORS``). Every mutant is
written as a submission folder (the mutated module, plus the solution modules it imports) and
all of them are graded in one batch of worker processes (``grader.classroom.workers``).

A mutant is *killed* when its function loses points (a helper such as ``losses._reduce``:
when any function of its module does). Mutants that no correct grader can kill are listed in
``benchmarks/equivalent_mutants.txt`` with a one-line reason; any other survivor is a case
the grader is missing. The run exits 1 when a non-equivalent mutant survives. With several
seeds it also reports how many mutants' scores differ between seeds (stable grades: a
mistake of a declared kind costs the same on every seed).

API (also used by other benchmarks): ``generate(modules=None) -> list[Mutant]`` and
``grade(mutants, seed, jobs=2) -> dict[str, Report]`` (mutant id -> report).
"""

from __future__ import annotations

import argparse
import ast
import copy
import hashlib
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
EQUIVALENTS = Path(__file__).resolve().parent / "equivalent_mutants.txt"
BEGIN, END = "# BEGIN SOLUTION", "# END SOLUTION"
COMPOUND = (ast.For, ast.If, ast.While, ast.With)


@dataclass(frozen=True)
class Mutant:
    """One single-point change of one solution module."""

    id: str            # stable across runs: function, operator and a digest of the change
    module: str        # "losses"
    function: str      # "losses.cross_entropy_loss" (a helper: "losses._reduce")
    operator: str      # "arith", "compare", "constant", ... (see OPERATORS)
    line: int          # 1-based line of the mutated statement in the original module
    description: str   # "z = x - np.max(...) -> z = x"
    source: str        # the full text of the mutated module


# -- where mutations may go --------------------------------------------------------------------

def solution_lines(source: str) -> list[tuple[int, int]]:
    """The 1-based, inclusive line ranges between BEGIN and END SOLUTION markers."""
    ranges, start = [], None
    for number, line in enumerate(source.splitlines(), 1):
        if line.strip() == BEGIN:
            start = number
        elif line.strip() == END and start is not None:
            ranges.append((start + 1, number - 1))
            start = None
    return ranges


def inside(node: ast.AST, ranges: list[tuple[int, int]]) -> bool:
    return any(a <= node.lineno and node.end_lineno <= b for a, b in ranges)


# -- operators: each takes a node and yields (replacement, description) -------------------------

Replacement = tuple[ast.AST | None, str]   # None: drop the statement

ARITH = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult,
         ast.Pow: ast.Mult, ast.MatMult: ast.Mult}
COMPARE = {ast.Lt: (ast.LtE, ast.Gt), ast.LtE: (ast.Lt,), ast.Gt: (ast.GtE, ast.Lt),
           ast.GtE: (ast.Gt,), ast.Eq: (ast.NotEq,), ast.NotEq: (ast.Eq,),
           ast.Is: (ast.IsNot,), ast.IsNot: (ast.Is,), ast.In: (ast.NotIn,), ast.NotIn: (ast.In,)}
NUMPY_SWAPS = {"sum": "mean", "mean": "sum", "max": "min", "min": "max", "exp": "expm1",
               "expm1": "exp", "log": "log1p", "log1p": "log", "maximum": "minimum",
               "minimum": "maximum", "abs": "negative"}
STRING_SWAPS = {"mean": "sum", "sum": "none", "none": "mean", "W1": "W2", "W2": "W1",
                "b1": "b2", "b2": "b1", "relu": "sigmoid", "sigmoid": "tanh", "tanh": "relu"}
COPIES = {"array", "asarray", "copy", "astype"}
#: numpy functions with f(-x) = f(x): negating their argument is no bug.
EVEN = {"abs", "absolute", "square", "cosh"}
#: Calls whose arguments commute: swapping them is no bug.
COMMUTATIVE = {"maximum", "minimum", "logaddexp", "add", "multiply"}
SYMBOL = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**",
          ast.MatMult: "@", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=",
          ast.Eq: "==", ast.NotEq: "!=", ast.Is: "is", ast.IsNot: "is not", ast.In: "in",
          ast.NotIn: "not in"}


def text(node: ast.AST) -> str:
    shown = ast.unparse(node)
    return shown if len(shown) <= 60 else shown[:57] + "..."


def arith(node: ast.AST) -> Iterator[Replacement]:
    """``a + b`` <-> ``a - b``, ``*`` <-> ``/``, ``**`` -> ``*``, ``@`` -> ``*``."""
    if isinstance(node, (ast.BinOp, ast.AugAssign)) and type(node.op) in ARITH:
        new = copy.copy(node)
        new.op = ARITH[type(node.op)]()
        yield new, f"{SYMBOL[type(node.op)]} -> {SYMBOL[type(new.op)]}"


def compare(node: ast.AST) -> Iterator[Replacement]:
    """``<`` <-> ``<=``, ``<`` <-> ``>``, ``==`` <-> ``!=``, ``is`` <-> ``is not``, ``and`` <-> ``or``."""
    if isinstance(node, ast.Compare):
        for index, op in enumerate(node.ops):
            for other in COMPARE.get(type(op), ()):
                new = copy.copy(node)
                new.ops = [*node.ops[:index], other(), *node.ops[index + 1:]]
                yield new, f"{SYMBOL[type(op)]} -> {SYMBOL[other]}"
    if isinstance(node, ast.BoolOp):
        new = copy.copy(node)
        new.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
        yield new, "and <-> or"


def constant(node: ast.AST) -> Iterator[Replacement]:
    """Numbers: 0 <-> 1, 2 -> 1, n -> n ± 1, 0.5 -> 1; True <-> False."""
    if not isinstance(node, ast.Constant):
        return
    value = node.value
    if isinstance(value, bool):
        yield ast.Constant(not value), f"{value} -> {not value}"
        return
    if not isinstance(value, (int, float)):
        return
    kind = type(value)
    if value == 0:
        targets = [1]
    elif value == 1:
        targets = [0, 2]
    elif value == 2:
        targets = [1, 3]
    elif value == 0.5:
        targets = [1]
    else:
        targets = [value + 1, value - 1] if abs(value) >= 1 else [value * 10, value / 10]
    for target in targets:
        yield ast.Constant(kind(target)), f"{value!r} -> {kind(target)!r}"


def sign(node: ast.AST) -> Iterator[Replacement]:
    """``-a`` -> ``a``; ``not a`` -> ``a``."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.Not)):
        yield node.operand, f"{text(node)} -> {text(node.operand)}"


def negate(node: ast.AST) -> Iterator[Replacement]:
    """A returned or assigned value ``v`` -> ``-v`` (each element of a tuple)."""
    if isinstance(node, (ast.Return, ast.Assign)) and node.value is not None:
        values = node.value.elts if isinstance(node.value, ast.Tuple) else [node.value]
        for index, value in enumerate(values):
            if isinstance(value, (ast.Constant, ast.Dict)):
                continue
            new = copy.deepcopy(node)
            negated = ast.UnaryOp(ast.USub(), copy.deepcopy(value))
            if isinstance(node.value, ast.Tuple):
                new.value.elts[index] = negated
            else:
                new.value = negated
            yield new, f"{text(value)} -> -({text(value)})"


def negate_argument(node: ast.AST) -> Iterator[Replacement]:
    """The first argument of a numpy call negated: ``np.exp(x)`` -> ``np.exp(-x)``."""
    if isinstance(node, ast.Call) and _name(node.func).startswith("np.") and node.args \
            and _name(node.func)[3:] not in EVEN and not isinstance(
                node.args[0], (ast.Constant, ast.Starred, ast.Compare, ast.BoolOp, ast.UnaryOp)):
        new = copy.copy(node)
        new.args = [ast.UnaryOp(ast.USub(), node.args[0]), *node.args[1:]]
        yield new, f"{text(node)} -> {text(new)}"


def numpy_call(node: ast.AST) -> Iterator[Replacement]:
    """``np.sum`` <-> ``np.mean``, max <-> min, exp <-> expm1, log <-> log1p,
    maximum <-> minimum (also as methods: ``a.sum()`` <-> ``a.mean()``)."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
            and node.func.attr in NUMPY_SWAPS:
        if node.func.attr == "abs" and _name(node.func.value) != "np":
            return
        new = copy.copy(node)
        new.func = copy.copy(node.func)
        new.func.attr = NUMPY_SWAPS[node.func.attr]
        yield new, f".{node.func.attr} -> .{new.func.attr}"


def axis(node: ast.AST) -> Iterator[Replacement]:
    """``axis=a`` dropped or changed (0 <-> 1, -1, a -> 0); ``keepdims=True`` dropped."""
    if not isinstance(node, ast.Call):
        return
    for index, keyword in enumerate(node.keywords):
        if keyword.arg not in ("axis", "keepdims"):
            continue
        new = copy.copy(node)
        new.keywords = node.keywords[:index] + node.keywords[index + 1:]
        yield new, f"drop {keyword.arg}={text(keyword.value)}"
        if keyword.arg == "axis":
            shown = ast.unparse(keyword.value)
            for other in {"0": ("1", "-1"), "1": ("0",), "-1": ("0",)}.get(shown, ("0", "-1")):
                new = copy.copy(node)
                changed = ast.keyword("axis", ast.parse(other, mode="eval").body)
                new.keywords = [*node.keywords[:index], changed, *node.keywords[index + 1:]]
                yield new, f"axis={shown} -> axis={other}"


def drop(node: ast.AST) -> Iterator[Replacement]:
    """Drop a statement (a stability shift, a restore, a check), an operand (``x - m`` -> ``x``)
    or a copy (``np.array(x, ...)`` / ``x.copy()`` / ``x.astype(...)`` -> ``x``)."""
    if isinstance(node, (ast.Assign, ast.AugAssign, ast.Expr, ast.If, ast.Raise)):
        yield None, f"drop `{text(node).splitlines()[0]}`"
    if isinstance(node, ast.BinOp):
        yield node.left, f"{text(node)} -> {text(node.left)}"
        if not isinstance(node.op, (ast.Sub, ast.Div, ast.Pow)):
            yield node.right, f"{text(node)} -> {text(node.right)}"
    if isinstance(node, ast.Call) and _name(node.func).rsplit(".", 1)[-1] in COPIES:
        if isinstance(node.func, ast.Attribute) and node.func.attr in ("copy", "astype") \
                and _name(node.func.value) != "np":
            yield node.func.value, f"{text(node)} -> {text(node.func.value)}"
        elif node.args:
            yield node.args[0], f"{text(node)} -> {text(node.args[0])}"


def swap_args(node: ast.AST) -> Iterator[Replacement]:
    """Two adjacent positional arguments of a call swapped (not of ``np.maximum`` and the like)."""
    if isinstance(node, ast.Call) and _name(node.func).rsplit(".", 1)[-1] not in COMMUTATIVE:
        for index in range(len(node.args) - 1):
            a, b = node.args[index], node.args[index + 1]
            if ast.dump(a) == ast.dump(b) or isinstance(a, ast.Starred) or isinstance(b, ast.Starred):
                continue
            new = copy.copy(node)
            new.args = [*node.args[:index], b, a, *node.args[index + 2:]]
            yield new, f"swap arguments {text(a)}, {text(b)}"


def swap_keys(node: ast.AST) -> Iterator[Replacement]:
    """Reduction strings and dict keys swapped: "mean" -> "sum" -> "none" -> "mean",
    "W1" <-> "W2", ...; two adjacent entries of a dict literal exchange their values."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in STRING_SWAPS:
        other = STRING_SWAPS[node.value]
        yield ast.Constant(other), f"{node.value!r} -> {other!r}"
    if isinstance(node, ast.Dict):
        for index in range(len(node.values) - 1):
            new = copy.copy(node)
            values = list(node.values)
            values[index], values[index + 1] = values[index + 1], values[index]
            new.values = values
            yield new, f"swap the values of {text(node.keys[index])} and {text(node.keys[index + 1])}"


#: Operator name -> the function that yields its replacements of one node.
OPERATORS: dict[str, Callable[[ast.AST], Iterator[Replacement]]] = {
    "arith": arith, "compare": compare, "constant": constant, "sign": sign, "negate": negate,
    "negate-arg": negate_argument,
    "numpy": numpy_call, "axis": axis, "drop": drop, "swap-args": swap_args, "swap-keys": swap_keys,
}


def _name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_name(node.value)}.{node.attr}"
    return ""


# -- generating mutants ----------------------------------------------------------------------------

def module_names() -> list[str]:
    return sorted(p.stem for p in SOLUTIONS.glob("*.py") if p.stem != "__init__")


def generate(modules: Iterable[str] | None = None) -> list[Mutant]:
    """Every mutant of the given solution modules (default: all), in source order.
    Mutants whose module does not compile, or that equal the original, are left out."""
    mutants = []
    for module in modules or module_names():
        mutants.extend(_mutants_of(module, (SOLUTIONS / f"{module}.py").read_text()))
    return mutants


def _mutants_of(module: str, source: str) -> Iterator[Mutant]:
    ranges = solution_lines(source)
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    seen: Counter[str] = Counter()
    for owner, statement in _statements(tree):
        if not inside(statement, ranges):
            continue
        original = ast.unparse(statement)
        for name, operator in OPERATORS.items():
            for node, path in _nodes(statement):
                for replacement, description in operator(node):
                    mutated = _replaced(statement, path, replacement)
                    changed = "pass" if mutated is None else ast.unparse(mutated)
                    if changed == original:
                        continue
                    new_source = _splice(lines, statement, changed)
                    try:
                        compile(new_source, f"{module}.py", "exec")
                    except SyntaxError:
                        continue
                    function = f"{module}.{owner}"
                    key = f"{function}|{name}|{original}|{changed}"
                    seen[key] += 1
                    digest = hashlib.sha1(f"{key}|{seen[key]}".encode()).hexdigest()[:8]
                    yield Mutant(f"{function}:{name}:{digest}", module, function, name,
                                 statement.lineno, description, new_source)


def _statements(tree: ast.Module) -> Iterator[tuple[str, ast.stmt]]:
    """``(owner, statement)`` for every statement, a compound one before those in its body;
    owner is the enclosing top-level def (or the assigned name)."""
    for top in tree.body:
        if isinstance(top, (ast.Import, ast.ImportFrom)):
            continue
        owner = top.name if isinstance(top, (ast.FunctionDef, ast.ClassDef)) else (
            _name(top.targets[0]) if isinstance(top, ast.Assign) else "<module>")
        body = top.body if isinstance(top, ast.FunctionDef) else [top]
        yield from ((owner, s) for s in _flatten(body))


def _flatten(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    for statement in body:
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
            continue   # a docstring
        if isinstance(statement, (ast.Import, ast.ImportFrom)):
            continue
        yield statement
        for field in ("body", "orelse"):
            if isinstance(statement, COMPOUND):
                yield from _flatten(getattr(statement, field, []))


def _nodes(statement: ast.stmt) -> Iterator[tuple[ast.AST, tuple]]:
    """Every node of the statement except nested statements (they are visited on their own),
    with its path from the statement: ``((field, index), ...)``."""
    def walk(node: ast.AST, path: tuple) -> Iterator[tuple[ast.AST, tuple]]:
        yield node, path
        for field, value in ast.iter_fields(node):
            items = value if isinstance(value, list) else [value]
            for index, item in enumerate(items):
                if isinstance(item, ast.stmt) or not isinstance(item, ast.AST):
                    continue
                if isinstance(item, (ast.expr_context, ast.operator, ast.cmpop, ast.boolop,
                                     ast.unaryop)):
                    continue
                yield from walk(item, path + ((field, index if isinstance(value, list) else None),))
    yield from walk(statement, ())


def _replaced(statement: ast.stmt, path: tuple, replacement: ast.AST | None) -> ast.stmt | None:
    """A copy of ``statement`` with the node at ``path`` replaced (None: no statement)."""
    if replacement is None:
        return None
    if not path:
        return copy.deepcopy(replacement)
    result = copy.deepcopy(statement)
    parent = result
    for field, index in path[:-1]:
        parent = getattr(parent, field) if index is None else getattr(parent, field)[index]
    field, index = path[-1]
    if index is None:
        setattr(parent, field, copy.deepcopy(replacement))
    else:
        getattr(parent, field)[index] = copy.deepcopy(replacement)
    return result


def _splice(lines: list[str], statement: ast.stmt, changed: str) -> str:
    """The module with ``statement``'s lines replaced by ``changed``, at its indentation.
    A compound statement's body is left as it is: only its header lines are replaced."""
    first, last = statement.lineno - 1, statement.end_lineno
    original = lines[first]
    indent = original[:len(original) - len(original.lstrip())]
    compound = isinstance(statement, COMPOUND)
    if compound and changed != "pass":
        last = statement.body[0].lineno - 1
        changed = changed.splitlines()[0]
        if original.lstrip().startswith("elif") and changed.startswith("if"):
            changed = "el" + changed
    new = [indent + line + "\n" for line in changed.splitlines()]
    return "".join(lines[:first] + new + lines[last:])


# -- grading ---------------------------------------------------------------------------------------

def submission(mutant: Mutant, folder: Path) -> Path:
    """A submission folder: the mutated module, plus the solution modules it imports."""
    folder.mkdir(parents=True)
    (folder / f"{mutant.module}.py").write_text(mutant.source)
    for other in module_names():
        if other != mutant.module and _imports(mutant.source, other):
            (folder / f"{other}.py").write_text((SOLUTIONS / f"{other}.py").read_text())
    return folder


def _imports(source: str, module: str) -> bool:
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[-1] == module:
            return True
        if isinstance(node, ast.Import) and any(a.name.split(".")[-1] == module for a in node.names):
            return True
    return False


def grade(mutants: list[Mutant], seed: int, jobs: int = 2) -> dict[str, "Report"]:
    """Grade every mutant in one batch of ``jobs`` worker processes: mutant id -> report.
    A mutant whose grading failed altogether gets a report with status "error"."""
    from grader.classroom.batch import error_report
    from grader.classroom.workers import Workers
    from grader.grading import Options

    reports = {}
    with tempfile.TemporaryDirectory(prefix="mutants-") as tmp, \
            Workers(Options(seed=seed), max(1, min(jobs, len(mutants)))) as workers:
        paths = [submission(m, Path(tmp) / f"m{index:05d}") for index, m in enumerate(mutants)]
        for index, report, reason in workers.grade(paths) if paths else ():
            mutant = mutants[index]
            reports[mutant.id] = report if report is not None else error_report(mutant.id, seed, reason)
    return reports


def original(module: str) -> Mutant:
    """The unmutated module as a control: it must keep every point."""
    return Mutant(f"{module}:original", module, f"{module}.<module>", "none", 0, "the solution",
                  (SOLUTIONS / f"{module}.py").read_text())


def killed(mutant: Mutant, report: "Report") -> bool:
    """Whether the mutant's function lost points (a helper's: any function of its module)."""
    from grader.checks import CHECK

    if report.status != "graded":
        return True
    scores = report.function_scores()
    if mutant.function in CHECK:
        return scores.get(mutant.function, 0.0) < CHECK[mutant.function].points
    return any(scores.get(f, 0.0) < c.points for f, c in CHECK.items()
               if c.function.startswith(mutant.module + "."))


def equivalents(path: Path = EQUIVALENTS) -> dict[str, str]:
    """The known-equivalent mutants: id -> reason ("id  reason" lines, # comments)."""
    known = {}
    if path.exists():
        for line in path.read_text().splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                mutant_id, _, reason = line.partition(" ")
                known[mutant_id] = reason.strip()
    return known


# -- the report ------------------------------------------------------------------------------------

@dataclass
class Tally:
    killed: int = 0
    survived: int = 0
    equivalent: int = 0

    def row(self, name: str) -> str:
        total = self.killed + self.survived + self.equivalent
        return f"  {name:<40} {total:5d} {self.killed:7d} {self.survived:9d} {self.equivalent:11d}"


def summarise(mutants: list[Mutant], reports: dict[str, "Report"], known: dict[str, str]
              ) -> tuple[dict[str, Tally], dict[str, Tally], list[Mutant]]:
    """Tallies per module and per function, and the non-equivalent survivors."""
    modules: dict[str, Tally] = defaultdict(Tally)
    functions: dict[str, Tally] = defaultdict(Tally)
    survivors = []
    for mutant in mutants:
        if mutant.id in known:
            outcome = "equivalent"
        elif killed(mutant, reports[mutant.id]):
            outcome = "killed"
        else:
            outcome = "survived"
            survivors.append(mutant)
        for tally in (modules[mutant.module], functions[mutant.function]):
            setattr(tally, outcome, getattr(tally, outcome) + 1)
    return modules, functions, survivors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--modules", nargs="+", choices=module_names(), default=None)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)

    started = time.perf_counter()
    mutants = generate(args.modules)
    known = equivalents()
    ids = {m.id for m in mutants}
    print(f"{len(mutants)} mutants of {', '.join(args.modules or module_names())} "
          f"({len(ids & set(known))} known equivalent) in {time.perf_counter() - started:.1f} s")
    stale = sorted(set(known) - ids) if args.modules is None else []
    for mutant_id in stale:
        print(f"  note: {mutant_id} is listed as equivalent but no longer generated")
    failed = False
    controls = [original(module) for module in sorted({m.module for m in mutants})]
    scores: dict[str, list[float]] = defaultdict(list)
    for seed in args.seeds:
        started = time.perf_counter()
        reports = grade(controls + mutants, seed, args.jobs)
        for mutant in mutants:
            scores[mutant.id].append(reports[mutant.id].score)
        elapsed = time.perf_counter() - started
        for control in controls:
            if killed(control, reports[control.id]):
                print(f"seed {seed}: the unmutated {control.module} lost points: the grader is broken")
                failed = True
        modules, functions, survivors = summarise(mutants, reports, known)
        print(f"\nseed {seed}: {len(mutants)} mutants (and {len(controls)} unmutated modules) graded "
              f"in {elapsed:.1f} s ({elapsed / len(controls + mutants):.3f} s each)")
        header = f"  {'':<40} {'total':>5} {'killed':>7} {'survived':>9} {'equivalent':>11}"
        print(header)
        for name, tally in modules.items():
            print(tally.row(name))
        print(header.replace(" " * 40, "per function".ljust(40), 1))
        for name, tally in functions.items():
            print(tally.row(name))
        total = Tally(*(sum(getattr(t, f) for t in modules.values())
                        for f in ("killed", "survived", "equivalent")))
        print(total.row("all"))
        for mutant in survivors:
            print(f"  SURVIVED {mutant.id}  line {mutant.line}: {mutant.description}")
        failed |= bool(survivors)
    if len(args.seeds) > 1:
        unstable = unstable_scores(scores)
        print(f"\nstable grades: {len(unstable)} of {len(mutants)} mutants score differently "
              f"between seeds {' '.join(map(str, args.seeds))}")
        for mutant_id, values in unstable.items():
            print(f"  UNSTABLE {mutant_id}: " + ", ".join(f"{v:g}" for v in values))
    return 1 if failed else 0


def unstable_scores(scores: dict[str, list[float]]) -> dict[str, list[float]]:
    """The mutants whose score is not the same on every seed (id -> score per seed)."""
    return {mutant_id: values for mutant_id, values in scores.items()
            if max(values) - min(values) > 1e-9}


if __name__ == "__main__":
    sys.exit(main())
