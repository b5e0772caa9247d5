#!/usr/bin/env bash
# Set up a fresh machine for dlexam: a virtualenv in .venv with the package and its
# dependencies (PyTorch's CPU wheel, pinned), plus the system packages that isolate
# student code. Idempotent; `make practice` and `make test` call it.
set -euo pipefail
cd "$(dirname "$0")/.."

extras="${1:-}"   # "test" adds the test dependencies
python=$(command -v python3.11 || command -v python3)
"$python" -c 'import sys; assert sys.version_info[:2] == (3, 11), "dlexam needs Python 3.11"'

if [ ! -x .venv/bin/python ]; then
    "$python" -m venv .venv
fi
stamp=".venv/.installed${extras:+-$extras}"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    # torch==2.13.0 is pinned in pyproject.toml: pip takes the local CPU wheel; a looser
    # range would pull several GB of CUDA packages. compat mode keeps start-up fast.
    .venv/bin/pip install --quiet --disable-pip-version-check \
        -e ".${extras:+[$extras]}" --config-settings editable_mode=compat
    touch "$stamp"
fi
if [ -x scripts/install-system-deps.sh ]; then
    scripts/install-system-deps.sh
fi
