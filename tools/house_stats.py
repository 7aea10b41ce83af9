"""How the house reads, in numbers: lines per module, exported-cell lengths per notebook, longest functions.

    python tools/house_stats.py                 # this checkout
    python tools/house_stats.py --rev <commit>  # the same for a commit (read with `git show`)

Exported-cell length counts the lines of each `#| export` / `#| exporti` cell without the directive.
"""
import argparse, ast, json, statistics, subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _files(rev, folder, suffix):
    if rev is None: return {p.name: p.read_text() for p in sorted((ROOT / folder).glob(f'*{suffix}'))}
    names = subprocess.run(['git', 'ls-tree', '--name-only', f'{rev}:{folder}'], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    return {n: subprocess.run(['git', 'show', f'{rev}:{folder}/{n}'], cwd=ROOT, capture_output=True, text=True, check=True).stdout
            for n in names if n.endswith(suffix)}


def exported_cell_lengths(nb_text):
    out = []
    for c in json.loads(nb_text)['cells']:
        src = ''.join(c['source']) if isinstance(c['source'], list) else c['source']
        if c['cell_type'] == 'code' and src.lstrip().startswith('#| export'):
            out.append(len([l for l in src.splitlines()[1:]]))
    return out


def long_functions(py_text, limit):
    tree = ast.parse(py_text)
    return sorted(((n.end_lineno - n.lineno + 1, n.name) for n in ast.walk(tree)
                   if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.end_lineno - n.lineno + 1 > limit), reverse=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--rev', default=None, help='a git commit (default: the working tree)')
    ap.add_argument('--limit', type=int, default=30, help='report functions longer than this many lines')
    a = ap.parse_args()
    print(f"{'module':<18}{'lines':>7}{'code':>7}  functions > {a.limit} lines")
    for name, src in _files(a.rev, 'aql_nb', '.py').items():
        if name.startswith('_'): continue
        code = sum(1 for l in src.splitlines() if l.strip() and not l.strip().startswith('#'))
        longs = ', '.join(f'{n} ({k})' for k, n in long_functions(src, a.limit)) or '-'
        print(f"{name[:-3]:<18}{len(src.splitlines()):>7}{code:>7}  {longs}")
    print(f"\n{'notebook':<26}{'exported cells':>15}{'median lines':>14}{'longest':>9}")
    for name, src in _files(a.rev, 'nbs', '.ipynb').items():
        lens = exported_cell_lengths(src)
        if lens: print(f"{name:<26}{len(lens):>15}{statistics.median(lens):>14}{max(lens):>9}")


if __name__ == '__main__': main()
