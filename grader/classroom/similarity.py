"""Pairs of submissions that share code: copydetect's winnowed fingerprints (MOSS style).

Each submission's code is what the grader loads (its modules, a file, a notebook's code
cells, a zip's contents, read by grader.submission), joined into one text; the released stubs
are boilerplate, so the given signatures and docstrings never count. A pair is listed when
the share of either submission's fingerprinted code found in the other reaches the
threshold. The code is only tokenised here, never run; entries larger than
``MAX_ENTRY_BYTES`` or files reached through links are left out, and so is an entry whose code
cannot be read or tokenised (whatever it raises): the class still gets its report. Tokenising
is linear in the code, which is cut to ``MAX_CHARS``.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

from grader.classroom.stubs import exercise_sources
from grader.i18n import LANGUAGES

#: copydetect's defaults: matches shorter than NOISE tokens are ignored, matches of
#: GUARANTEE tokens or more are always found.
NOISE, GUARANTEE = 25, 30
MAX_ENTRY_BYTES = 8 * 1024**2
#: Characters of one submission's code that are compared.
MAX_CHARS = 400_000


@dataclass(frozen=True)
class Pair:
    """Two submissions and how much of each is found in the other."""

    first: str
    second: str
    shares: tuple[float, float]                        # of first's code, of second's code
    codes: tuple[str, str]
    spans: tuple[list[tuple[int, int]], list[tuple[int, int]]]   # matched character ranges

    @property
    def share(self) -> float:
        return max(self.shares)


def similar_pairs(entries: dict[str, Path], threshold: float) -> list[Pair]:
    """The pairs of ``entries`` (name -> path) at least ``threshold`` similar, most similar
    first."""
    from copydetect.detector import CodeFingerprint, compare_files

    def fingerprint(code: str, boilerplate: list[int] | None = None) -> CodeFingerprint:
        return CodeFingerprint("submission.py", NOISE, GUARANTEE - NOISE + 1, boilerplate,
                               language="python", fp=io.StringIO(code))

    stubs = fingerprint("\n\n".join(source for lang in LANGUAGES        # as released
                                      for source in exercise_sources(lang).values()))
    boilerplate = list(stubs.hashes)
    prints = {}
    for name, path in sorted(entries.items()):
        code = code_of(path)
        try:
            if code.strip():
                prints[name] = fingerprint(code, boilerplate)
        except Exception:  # noqa: BLE001 - one entry's code that cannot be tokenised is left out
            continue
    pairs = []
    for (first, a), (second, b) in combinations(prints.items(), 2):
        try:
            _tokens, shares, slices = compare_files(a, b)
        except Exception:  # noqa: BLE001 - a pair that cannot be compared is not listed
            continue
        if max(shares) >= threshold:
            pairs.append(Pair(first, second, (float(shares[0]), float(shares[1])),
                              (a.raw_code, b.raw_code), (_spans(slices[0]), _spans(slices[1]))))
    return sorted(pairs, key=lambda p: (-p.share, p.first, p.second))


def code_of(path: Path) -> str:
    """The code the grader would load from ``path``, "" if it cannot be read safely."""
    from grader.submission import load
    from grader.submission.archive import discard

    try:
        if path.is_symlink() or _size(path) > MAX_ENTRY_BYTES:
            return ""
        submission = load(path)
    except Exception:  # noqa: BLE001 - a load error, memory, recursion: the entry's own
        return ""
    try:
        root = path.resolve() if path.is_dir() else submission.root
        units = [u for u in submission.units + submission.helpers
                 if Path(u.path).resolve().is_relative_to(root)]
        return "\n\n".join(u.source for u in units)[:MAX_CHARS]
    finally:
        discard(submission)


def _size(path: Path) -> int:
    """Bytes of the regular files under ``path`` (links not followed)."""
    if not path.is_dir():
        return path.lstat().st_size
    total = 0
    for parent, _folders, names in os.walk(path):
        for name in names:
            total += os.lstat(os.path.join(parent, name)).st_size
            if total > MAX_ENTRY_BYTES:
                return total
    return total


def _spans(slices) -> list[tuple[int, int]]:
    """copydetect's 2×N array of slice starts and ends as ``(start, end)`` pairs."""
    if len(slices) != 2 or len(slices[0]) == 0:
        return []
    return [(int(s), int(e)) for s, e in zip(slices[0], slices[1])]
