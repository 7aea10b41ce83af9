"""Run every notebook in nbs/ through nbdev's own test function, one pytest case per notebook.

Cells carrying a flag from settings.ini's `tst_flags` (notest, slow, cuda) are skipped unless
the flag is named in the environment variable AQL_TEST_FLAGS (space-separated), as
`nbdev_test --flags` does. nbs/index.ipynb is README.md's source: tests/test_readme.py runs its
code as README.md shows it.

What a notebook checks only when optional data is present (Fashion-MNIST, from the Debian
package `dataset-fashion-mnist`; no test downloads anything) is reported as a skipped case with
the reason and how to get the data, so the summary line says what did not run.
"""
import json, os
from configparser import ConfigParser
from pathlib import Path

import pytest
from nbdev.test import test_nb as run_notebook  # renamed: pytest would collect `test_nb` itself

ROOT = Path(__file__).resolve().parents[1]
NBS = ROOT / 'nbs'
_cfg = ConfigParser(); _cfg.read(ROOT / 'settings.ini')
SKIP_FLAGS = _cfg['DEFAULT'].get('tst_flags', '').split()
FORCE_FLAGS = os.environ.get('AQL_TEST_FLAGS', '').split()
README_NB = _cfg['DEFAULT'].get('readme_nb', 'index.ipynb')

# optional data: name -> (folder, files that must be there, how to get it, the name a notebook's test cells check it by)
OPTIONAL_DATA = {
    'Fashion-MNIST': (Path('/usr/share/datasets/fashion-mnist'),
                      ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'],
                      'sudo apt-get install dataset-fashion-mnist (Debian/Ubuntu)', 'FASHION_MNIST_PATH'),
}


def _notebooks():
    for p in sorted(NBS.rglob('*.ipynb')):
        rel = p.relative_to(NBS).parts
        if any(part.startswith(('_', '.')) for part in rel) or p.relative_to(NBS).as_posix() == README_NB: continue
        yield p


@pytest.mark.parametrize('nb', list(_notebooks()), ids=lambda p: str(p.relative_to(NBS)))
def test_notebook(nb, capsys):
    ok, seconds = run_notebook(nb, skip_flags=SKIP_FLAGS, force_flags=FORCE_FLAGS, basepath=ROOT)
    assert ok, f'{nb.name} failed (its traceback is above)'


def _checks_for(marker: str) -> list[str]:
    "Notebooks whose test cells (not exported code) look for the optional data by `marker`."
    out = []
    for p in _notebooks():
        cells = json.loads(p.read_text(encoding='utf-8'))['cells']
        src = [''.join(c['source']) for c in cells if c['cell_type'] == 'code']
        if any(marker in s and not s.lstrip().startswith('#| export') for s in src): out.append(p.name)
    return out


@pytest.mark.parametrize('name', list(OPTIONAL_DATA))
def test_optional_data_present(name):
    folder, files, how, marker = OPTIONAL_DATA[name]
    users = _checks_for(marker)
    missing = [f for f in files if not (folder / f).exists()]
    if missing:
        pytest.skip(f"{name} not found in {folder}: the {name} checks in {', '.join(users) or 'the notebooks'} were "
                    f"skipped; to run them: {how}")
    assert users, f'no notebook uses {name} any more: drop it from OPTIONAL_DATA'
