#!/usr/bin/env bash
# Install aql_nb with its dev extras into the active Python, then run the whole test suite:
# every notebook through nbdev's own test machinery (cells flagged by settings.ini's `tst_flags`
# are skipped; `AQL_TEST_FLAGS="slow"` runs them too) plus the plain tests in tests/.
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install -q torch==2.13.0                    # the CPU wheel first, so nothing pulls a CUDA build
python -m pip install -q -c tools/constraints.txt -e ".[dev]"
python -m pip install -q -c tools/constraints.txt --no-deps -r tools/reference-requirements.txt
python -m pytest -v -p no:cacheprovider --durations=5 tests "$@"
