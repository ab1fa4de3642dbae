
import gc
import os
import sys

_honest_mlp_forward = mlp_forward


def _findings():
    """What the grader left in reach: a seed, and the names of paths (classmates' folders),
    from the frames this child was forked with and the objects on its heap."""
    seeds, names = [], []

    def look(value, depth=0):
        if isinstance(value, (str, os.PathLike)) and depth:
            text = os.fspath(value)
            if isinstance(text, str) and "/" in text and not text.startswith(sys.prefix):
                names.append(os.path.basename(text.rstrip("/")))
        elif isinstance(value, (list, tuple, set, frozenset)) and depth < 2:
            for item in list(value)[:500]:
                look(item, depth + 1)
        elif isinstance(value, dict) and depth < 2:
            for item in list(value.values())[:500]:
                look(item, depth + 1)
        elif depth < 2 and not isinstance(value, type):
            attributes = getattr(value, "__dict__", None)
            if isinstance(attributes, dict):
                if type(attributes.get("seed")) is int:
                    seeds.append(attributes["seed"])
                look(list(attributes.values()), depth + 1)

    frame = sys._getframe(1)
    while frame is not None:
        look(list(frame.f_locals.values()))
        frame = frame.f_back
    for obj in gc.get_objects():
        if type(obj).__name__ in ("Options", "Plan", "Grader", "Workers"):
            look([obj])
    return seeds, names


#: A classmate's folder is called so in the test (built from halves, so that this source,
#: which the child holds too, never contains it whole).
_CLASSMATE = "zq" + "classmate"


def mlp_forward(x, params, activation="relu"):
    """Wrong (zeros) if the grader's seed or a classmate's name is in reach."""
    seeds, names = _findings()
    print("SEEDS", sorted(set(seeds)))
    print("NAMES", " ".join(sorted(set(n for n in names if n and not n.endswith(".py")))))
    if seeds or any(_CLASSMATE in name for name in names):
        return np.zeros((x.shape[0], params["W2"].shape[1]))
    return _honest_mlp_forward(x, params, activation)
