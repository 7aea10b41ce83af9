"""Execute notebooks in place so their committed outputs (plots, tables) are current.

    python tools/run_notebooks.py                 # every notebook in nbs/
    python tools/run_notebooks.py nbs/04_trainer.ipynb ...

Cells flagged `#| cuda` run only where CUDA is available (elsewhere their old outputs are
kept); everything else runs top to bottom in the notebook's folder. Run `nbdev_clean` after.
"""
import sys, time
from pathlib import Path
import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


def has_cuda() -> bool:
    try:
        import torch
        return torch.cuda.is_available()
    except ImportError: return False


def run(path: Path, cuda: bool) -> float:
    nb = nbformat.read(path, as_version=4)
    skipped = {}
    for i, c in enumerate(nb.cells):
        if c.cell_type == 'code' and c.source.lstrip().startswith('#| cuda') and not cuda:
            skipped[i] = (c.source, c.outputs); c.source = '# (skipped: no CUDA here)'
    t = time.time()
    NotebookClient(nb, timeout=900, kernel_name='python3', resources={'metadata': {'path': str(path.parent)}}).execute()
    for i, (src, outs) in skipped.items(): nb.cells[i].source, nb.cells[i].outputs = src, outs
    nbformat.write(nb, path)
    return time.time() - t


if __name__ == '__main__':
    paths = [Path(p) for p in sys.argv[1:]] or sorted((ROOT / 'nbs').glob('*.ipynb'))
    cuda = has_cuda()
    for p in paths: print(f'{p.name}: {run(p, cuda):.0f} s', flush=True)
