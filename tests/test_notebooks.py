"""Run every notebook in nbs/ through nbdev's own test function, one pytest case per notebook.

Cells carrying a flag from settings.ini's `tst_flags` (notest, slow, cuda) are skipped unless
the flag is named in the environment variable AQL_TEST_FLAGS (space-separated), as
`nbdev_test --flags` does.
"""
import os
from configparser import ConfigParser
from pathlib import Path

import pytest
from nbdev.test import test_nb as run_notebook  # renamed: pytest would collect `test_nb` itself

ROOT = Path(__file__).resolve().parents[1]
NBS = ROOT / 'nbs'
_cfg = ConfigParser(); _cfg.read(ROOT / 'settings.ini')
SKIP_FLAGS = _cfg['DEFAULT'].get('tst_flags', '').split()
FORCE_FLAGS = os.environ.get('AQL_TEST_FLAGS', '').split()


def _notebooks():
    for p in sorted(NBS.rglob('*.ipynb')):
        rel = p.relative_to(NBS).parts
        if any(part.startswith(('_', '.')) for part in rel): continue
        yield p


@pytest.mark.parametrize('nb', list(_notebooks()), ids=lambda p: str(p.relative_to(NBS)))
def test_notebook(nb, capsys):
    ok, seconds = run_notebook(nb, skip_flags=SKIP_FLAGS, force_flags=FORCE_FLAGS, basepath=ROOT)
    assert ok, f'{nb.name} failed (its traceback is above)'
