"""Write README.md from nbs/index.ipynb without Quarto (what `nbdev_readme` does with it).

    python tools/build_readme.py            # (re)write README.md
    python tools/build_readme.py --check    # exit 1 if README.md is not what index.ipynb gives

The notebook goes through nbdev's doc processors (frontmatter, doc links, hidden cells dropped, show_doc
run), the Quarto directives are mapped as for the docs site (tools/build_docs.py), and nbconvert writes
markdown: code in fenced blocks, outputs as text. Image outputs cannot live in a README as data; they are
left out with a note on stderr (the docs site shows them).

Links are made absolute so that they work on the forge and in the package description (PyPI) alike:
a page of the site (`uncertainty.html#...`) goes to the published docs (settings.ini `doc_host` +
`doc_baseurl`), an image under nbs/ (`images/x.png`) to its raw file on the forge (`git_url`, `branch`),
any other relative path to the file on the forge.
"""
from __future__ import annotations

import argparse, re, sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import build_docs as bd  # noqa: E402  (also puts the repo root on sys.path)

HEADER = '<!-- WARNING: generated from nbs/{nb} by tools/build_readme.py; edit the notebook, not this file. -->\n\n'

def render_readme() -> str:
    "README.md's text from the settings' `readme_nb` (nbs/index.ipynb)."
    import os
    os.chdir(bd.ROOT)
    import nbformat
    from nbconvert import MarkdownExporter
    from traitlets.config import Config
    from nbdev.config import get_config
    cfg = get_config()
    name = cfg.get('readme_nb', 'index.ipynb')
    src = Path(cfg.nbs_path) / name
    if not src.exists(): raise bd.DocsError(f'no {src} to make the README from')
    nb = bd.prepare_notebook(bd.nbdev_process(src), 'index.html', links=None)
    dropped = 0
    for c in nb['cells']:
        for o in c.get('outputs', []):
            data = o.get('data', {})
            for k in [k for k in data if k.startswith('image/')]: data.pop(k); dropped += 1
            if _src(data.get('text/html', '')).lstrip().startswith(('<img', '<figure')): data.clear(); dropped += 1
            if 'text/html' in data and 'text/plain' in data: data.pop('text/html')   # plain text reads better on PyPI
    if dropped: print(f'readme: left out {dropped} image output(s); see the docs site', file=sys.stderr)
    c = Config()
    c.TagRemovePreprocessor.enabled = True
    c.TagRemovePreprocessor.remove_input_tags = {'remove_input'}
    md, _ = MarkdownExporter(config=c).from_notebook_node(nbformat.from_dict(nb))
    md = '\n'.join(l.rstrip() for l in md.splitlines())
    while '\n\n\n' in md: md = md.replace('\n\n\n', '\n\n')
    return HEADER.format(nb=name) + absolute_links(md.strip(), cfg) + '\n'

def _src(x) -> str: return ''.join(x) if isinstance(x, list) else (x or '')

_re_md_link = re.compile(r'(!?\[[^\]]*\])\((?![a-zA-Z][\w+.-]*:|#|/)([^)\s]+)\)')

def absolute_links(md: str, cfg) -> str:
    "Relative markdown links and images made absolute: site pages to the docs, nbs/ files to the forge."
    docs = (cfg.get('doc_host', '') + cfg.get('doc_baseurl', '')).rstrip('/')
    git, branch = cfg.get('git_url', '').rstrip('/'), cfg.get('branch', 'main')
    raw = git.replace('https://github.com/', 'https://raw.githubusercontent.com/') + f'/{branch}/'
    nbs = Path(cfg.nbs_path).name
    def sub(m):
        text, target = m.group(1), m.group(2)
        path = target.split('#')[0]
        if path.endswith('.html'): return f'{text}({docs}/{target})'
        if text.startswith('!'): return f'{text}({raw}{nbs}/{target})'
        return f'{text}({git}/blob/{branch}/{nbs}/{target})'
    return _re_md_link.sub(sub, md)

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--check', action='store_true', help='only check that README.md is up to date')
    a = ap.parse_args(argv)
    try: text = render_readme()
    except bd.DocsError as e:
        print(f'readme: FAILED: {e}', file=sys.stderr); return 1
    readme = bd.ROOT / 'README.md'
    if a.check:
        ok = readme.exists() and readme.read_text(encoding='utf-8') == text
        print('readme: README.md is up to date' if ok else 'readme: README.md is stale; run python tools/build_readme.py')
        return 0 if ok else 1
    readme.write_text(text, encoding='utf-8')
    print(f'readme: wrote {readme.relative_to(bd.ROOT)} ({len(text.splitlines())} lines) from nbs/index.ipynb')
    return 0

if __name__ == '__main__': bd._exit(main())
