"""The student bundle's README, in the language in force (``grade release --lang``).

Every sentence is a catalog entry; commands stay as they are typed.
"""

from __future__ import annotations

from collections.abc import Sequence

from grader.classroom.assignment import describe
from grader.classroom.bundle import TORCH_CPU_INDEX, TORCH_VERSION
from grader.contract import MODULES
from grader.i18n import _, language
from grader.selection import EVERYTHING, Selection


def _commented(lines: list[tuple[str, str]]) -> str:
    """Commands with their comments aligned after them."""
    width = max(len(command) for command, _comment in lines) + 2
    return "\n".join(f"{command:<{width}}# {comment}" if comment else command
                     for command, comment in lines)


def student_readme(selection: Selection = EVERYTHING,
                   bundled: Sequence[str] = tuple(MODULES)) -> str:
    """The README of the student repository (of the assignment ``selection``, whose bundle
    holds the modules ``bundled``)."""
    modules = ", ".join(f"`{m}`" for m in bundled)
    only = f" --only {','.join(selection.names)}" if not selection.everything else ""
    torch = f'"torch=={TORCH_VERSION}" --index-url {TORCH_CPU_INDEX}'
    feedback = {"ko": _("Korean"), "en": _("English")}[language()]
    terminal = _commented([
        ("grade run exercises/ --only activations",
         _("one module: the score is out of its points")),
        ("grade run exercises/ --only relu", _("one function")),
        ("grade watch exercises/ --only activations",
         _("grade again on every save; Ctrl-C stops")),
        (f"grade run exercises/{only}", _("this assignment") if only else _("everything")),
        ("grade run notebooks/losses.ipynb", _("a saved notebook")),
        ("python -m grader run exercises/", _("where the grade command is not found")),
    ])
    notebook = _commented([
        ("from grader import check", ""),
        ('check("relu")', _('one function; check("activations") grades the module')),
    ])
    parts = [
        "# " + _("Deep Learning Basics exercises"),
        _("Implement the basics of neural networks from scratch with numpy. Modules: "
          "{modules}.").format(modules=modules),
        *([_("This assignment is graded on: {what}. Functions outside it are not graded "
             "here.").format(what=describe(selection))] if only else []),
        "## " + _("Install (once; Python 3.10 or newer)"),
        _("In a terminal, in this folder:"),
        "```bash\npython -m venv .venv && source .venv/bin/activate\n"
        f"pip install {torch}\npip install ./.grader\n```",
        _("In a notebook (Jupyter, JupyterLab, a shared server), run this in a cell of a "
          "notebook in this repository, then use the grader in any notebook of that kernel. "
          "%pip installs into the kernel's own Python, so check() and python -m grader work "
          "whatever Jupyter was started from:"),
        f"```python\n%pip install {torch}\n%pip install ../.grader\n```",
        _("On Colab, first get your repository (!git clone followed by its URL, then %cd "
          "into its folder); Colab already has PyTorch, so %pip install ./.grader is "
          "enough."),
        "## " + _("Work"),
        _("Work in either place, or some functions in each:"),
        "- " + _("exercises/*.py: replace each function's raise NotImplementedError(...) "
                 "with your code; the docstrings give the formula, the shapes and an "
                 "example."),
        "- " + _("notebooks/*.ipynb: one notebook per module; read the explanations, fill in "
                 "the code cells and run them, then run the last cell to grade the "
                 "notebook."),
        _("Every module except torch_api must use numpy only (torch there scores that "
          "function 0)."),
        "## " + _("Check your work"),
        _("In the terminal:"),
        f"```bash\n{terminal}\n```",
        _("In Jupyter, the last cell of each notebook grades that notebook's functions as the "
          "kernel holds them (run your cells first; there is no need to save). In any cell:"),
        f"```python\n{notebook}\n```",
        _("Feedback is in {language}; --lang en or --lang ko (check(..., lang=\"en\") in a "
          "notebook) chooses another language.").format(language=feedback),
        "## " + _("Submit"),
        _("git push: GitHub Actions grades your work, in exercises/ and in notebooks/, and "
          "reports your score to GitHub Classroom (see the Actions tab). For each function, "
          "the notebook's version is graded when exercises/ still holds the stub; when both "
          "are written, exercises/ wins. Every run draws fresh inputs, so hard-coded answers "
          "cannot pass."),
        _("In the Actions log, the step \"Report to GitHub Classroom\" lists every test; "
          "under a failing test's \"Test code:\" are the command that repeats it on your "
          "machine and what is wrong, with the smallest failing example. The step \"Grade "
          "the exercises and notebooks\" shows the whole report."),
    ]
    return "\n\n".join(parts) + "\n"
