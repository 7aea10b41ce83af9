"""README.md as a new user meets it: current with nbs/index.ipynb, and every Python block runs, in order, in a
fresh kernel started in an empty folder (which the blocks must leave empty: the README's code writes no files).

README.md is generated from nbs/index.ipynb (tools/build_readme.py), so these tests also stand for that notebook:
tests/test_notebooks.py does not run it a second time.
"""
import re, sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / 'README.md'


def python_blocks(markdown: str) -> list[str]:
    "The fenced ```python blocks of a markdown text, in order."
    return [m.group(1) for m in re.finditer(r'^```python\n(.*?)^```\s*$', markdown, re.S | re.M)]


def test_python_blocks_are_found():
    blocks = python_blocks('text\n```python\na = 1\n```\n\n```sh\nls\n```\n```python\nprint(a)\n```\n')
    assert blocks == ['a = 1\n', 'print(a)\n']


def test_readme_is_current():
    sys.path.insert(0, str(ROOT / 'tools'))
    try: import build_readme
    finally: sys.path.pop(0)
    assert README.read_text(encoding='utf-8') == build_readme.render_readme(), \
        'README.md is stale: run python tools/build_readme.py (it is generated from nbs/index.ipynb)'


def test_readme_python_blocks_run_in_a_fresh_kernel(tmp_path):
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError
    blocks = python_blocks(README.read_text(encoding='utf-8'))
    assert len(blocks) >= 5, 'README.md has lost its tour'
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(b) for b in blocks])
    client = NotebookClient(nb, timeout=600, kernel_name='python3', resources={'metadata': {'path': str(tmp_path)}})
    try: client.execute()
    except CellExecutionError as e:
        pytest.fail(f'a README block fails when run in order in a fresh kernel:\n{e}')
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob('*'))
    assert written == [], f'the README blocks wrote files into the current folder: {written}'
