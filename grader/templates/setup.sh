#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image: it makes a venv
# in $AUTOGRADER_ROOT/venv with CPU PyTorch and the grader's dependencies. The grader and
# solutions stay in this folder (run_autograder puts it on PYTHONPATH): installing them into
# the venv would leave a copy of the solutions that the sandbox does not hide.
set -euo pipefail
SOURCE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="${AUTOGRADER_ROOT:-/autograder}"

if ! python3 -m venv "$ROOT/venv"; then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        python3 python3-pip python3-venv
    rm -rf "$ROOT/venv"
    python3 -m venv "$ROOT/venv"
fi
PIP=("$ROOT/venv/bin/python" -m pip install --no-cache-dir)
"${PIP[@]}" --upgrade pip
"${PIP[@]}" "torch==@TORCH_VERSION@" --index-url @TORCH_CPU_INDEX@
"${PIP[@]}" -r "$SOURCE/requirements.txt"
