"""Authoring aid: turn a percent-format script into a notebook (or back).

    python tools/py2nb.py draft.py nbs/01_uncertainty.ipynb     # script -> notebook
    python tools/py2nb.py nbs/01_uncertainty.ipynb draft.py     # notebook -> script

Cells are separated by lines `# %%` (code) and `# %% [markdown]` (markdown; each line of the
markdown cell is written with a leading `# `). The notebook, not the script, is the source of
truth: run `nbdev_export` and `nbdev_clean` after converting. Every cell gets an id here (nbdev_export
writes the ids into the library's `# %%` lines; a notebook without them gets new random ones on every run).
"""
import json, secrets, sys
from pathlib import Path


def py2nb(src: str) -> dict:
    cells, kind, buf = [], None, []

    def flush():
        if kind is None: return
        lines = buf[:]
        while lines and not lines[-1].strip(): lines.pop()
        while lines and not lines[0].strip(): lines.pop(0)
        if kind == 'markdown': lines = [l[2:] if l.startswith('# ') else l.lstrip('#') for l in lines]
        text = '\n'.join(lines)
        cell = {'cell_type': kind, 'id': secrets.token_hex(4), 'metadata': {}, 'source': text.splitlines(keepends=True)}
        if kind == 'code': cell.update(execution_count=None, outputs=[])
        cells.append(cell)

    for line in src.splitlines():
        if line.startswith('# %%'):
            flush(); buf = []
            kind = 'markdown' if '[markdown]' in line else 'code'
        else:
            buf.append(line)
    flush()
    return {'cells': cells, 'metadata': {'kernelspec': {'display_name': 'python3', 'language': 'python', 'name': 'python3'}},
            'nbformat': 4, 'nbformat_minor': 5}


def nb2py(nb: dict) -> str:
    out = []
    for c in nb['cells']:
        src = c['source'] if isinstance(c['source'], str) else ''.join(c['source'])
        if c['cell_type'] == 'markdown':
            out.append('# %% [markdown]\n' + '\n'.join('# ' + l if l else '#' for l in src.splitlines()))
        else:
            out.append('# %%\n' + src)
    return '\n\n'.join(out) + '\n'


if __name__ == '__main__':
    a, b = map(Path, sys.argv[1:3])
    if a.suffix == '.py': b.write_text(json.dumps(py2nb(a.read_text()), indent=1, ensure_ascii=False) + '\n')
    else: b.write_text(nb2py(json.loads(a.read_text())))
