#!/usr/bin/env bash
# Install aql_nb with its dev extras into the active Python, then run the whole test suite:
# every notebook through nbdev's own test machinery (cells flagged by settings.ini's `tst_flags`
# are skipped; `AQL_TEST_FLAGS="slow"` runs them too), README.md's Python blocks in a fresh kernel,
# plus the plain tests in tests/. The summary lists every skipped test with its reason (`-rs`).
set -euo pipefail
cd "$(dirname "$0")/.."
if python -c "import torch" 2>/dev/null; then
  echo "test.sh: keeping the installed torch $(python -c 'import torch; print(torch.__version__)')"
else
  # The CPU build, as PyTorch's install page gives it. Offline (download.pytorch.org out of reach, a torch
  # wheel on local disk as on this project's CI machines) pip takes the local wheel, or the second command does.
  echo "test.sh: installing torch (CPU build)"
  python -m pip install -q torch --index-url https://download.pytorch.org/whl/cpu --retries 0 --timeout 15 2>/dev/null \
    || { echo "test.sh: download.pytorch.org unreachable: pip install torch==2.13.0 (a local wheel, if one is on disk)"
         python -m pip install -q torch==2.13.0; }
fi
# Whatever else installs must keep that torch (a package asking for torch could otherwise pull a CUDA build).
keep=$(mktemp)
trap 'rm -f "$keep"' EXIT
python -c "import torch; print('torch==' + torch.__version__)" > "$keep"
python -m pip install -q -c "$keep" -c tools/constraints.txt -e ".[dev]"
python -m pip install -q -c "$keep" -c tools/constraints.txt --no-deps -r tools/reference-requirements.txt
python -m pytest -v -rs -p no:cacheprovider --durations=5 tests "$@"
