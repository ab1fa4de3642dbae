"""``python -m grader``: the ``grade`` command where ``grade`` is not on PATH (a Jupyter
kernel started outside the venv, ``!python -m grader run ...``)."""

from grader.command import main

if __name__ == "__main__":
    main(prog_name="python -m grader")
