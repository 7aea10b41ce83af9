"""Build the documentation site into `_docs/` fully offline, without Quarto.

    python tools/build_docs.py              # build _docs/ (open _docs/index.html, or serve it)
    python tools/build_docs.py --keep       # also keep the processed notebooks and mkdocs.yml (path printed)

How it works:
1. every notebook of nbs/ whose path has no part starting with `_` or `.` goes through nbdev's own
   processors (`nbdev.processors.FilterDefaults`, the ones behind `nbdev_proc_nbs`, called directly so
   nothing tries to install Quarto): frontmatter, `show_doc` for exported names, doc links, hidden cells;
2. the Quarto directives nbdev leaves are mapped for mkdocs-jupyter (`#| echo: false` hides the input,
   `#| output: asis` turns the show_doc output into a markdown cell, `#| include: false` and `#| hide`
   drop the cell) and links to the published docs become local links;
3. Material for MkDocs + mkdocs-jupyter render them, with the sidebar from nbs/sidebar.yml (or from the
   notebook list), search served locally (offline plugin + a vendored iframe-worker shim), MathJax 2.7 from
   PyPI `jupyter-server-mathjax` copied into the site, and Google fonts off;
4. the site is checked: a page for every notebook, a search index that lists them, no script, stylesheet,
   image or font loaded from another host. Any problem exits non-zero.

A notebook that nbdev cannot process fails the build (every such notebook is listed). The usual cause: to get
the names show_doc needs, nbdev runs every exported cell and every cell containing an import; a test cell that
mixes an import with code using earlier cells' variables then fails with NameError. Put imports in their own
cell. `--exclude GLOB` leaves notebooks out while iterating locally (the site is then incomplete).
"""
from __future__ import annotations

import argparse, copy, contextlib, fnmatch, html, io, json, os, re, shutil, subprocess, sys, tempfile, time, warnings
from html.parser import HTMLParser
from pathlib import Path

_T0 = time.time()
import yaml

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path: sys.path.insert(0, str(ROOT))   # document this checkout's aql_nb, whatever is installed
DOCS_TOOLS = ROOT / 'tools' / 'docs'
MATHJAX_PLACEHOLDER = 'AQL_LOCAL_MATHJAX'   # replaced per page by tools/docs/hooks.py
CDN_HOSTS = ('cdn', 'unpkg', 'jsdelivr', 'googleapis', 'gstatic', 'cloudflare')

class DocsError(Exception):
    "A problem that must fail the docs build."

# ----------------------------------------------------------------------------- notebooks
def find_notebooks(nbs: Path) -> list[Path]:
    "Every notebook under `nbs` whose relative path has no part starting with `_` or `.`."
    return sorted(p for p in nbs.rglob('*.ipynb')
                  if not any(part.startswith(('_', '.')) for part in p.relative_to(nbs).parts))

def nbdev_process(path: Path) -> dict:
    "Run nbdev's doc processors (those of `nbdev_proc_nbs`) on `path`; return the notebook as a plain dict."
    from execnb.nbio import read_nb, nb2dict
    from nbdev.processors import FilterDefaults
    nb = read_nb(path)
    os.environ['IN_TEST'] = '1'   # as nbdev.serve_drv does: notebooks may shrink work under test
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        try:
            with contextlib.redirect_stdout(io.StringIO()): FilterDefaults()(nb)
        except Exception as e:
            hint = ''
            if any('imports and other code' in str(w.message) for w in caught):
                hint = ('\nhint: to render docs nbdev runs every exported cell and every cell with an import '
                        '(exec_show_docs); a cell that mixes an import with code needing earlier cells fails. '
                        'Put the import in a cell of its own (nbdev FAQ).')
            raise DocsError(f'nbdev could not process {path.name}: {e}\ncause: {e.__cause__!r}{hint}') from e
        finally: os.environ.pop('IN_TEST', None)
    mixed = sum('imports and other code' in str(w.message) for w in caught)
    if mixed: print(f'docs: note: {path.name}: {mixed} cell(s) mix imports with other code; nbdev runs them while '
                    f'rendering docs (slower; keep imports in their own cells)')
    return json.loads(json.dumps(nb2dict(nb), default=str))

def _src(x) -> str: return ''.join(x) if isinstance(x, list) else (x or '')

_re_dirline = re.compile(r'^\s*#\|\s*([\w-]+)\s*:?\s*(.*?)\s*$')

def split_directives(source: str) -> tuple[dict, str]:
    "Quarto/nbdev `#|` directives of a code cell (lower-cased names) and the source without them."
    dirs, body = {}, []
    for line in source.splitlines():
        m = _re_dirline.match(line)
        if m: dirs[m.group(1).lower()] = m.group(2).strip().strip('\'"')
        else: body.append(line)
    return dirs, '\n'.join(body).strip('\n')

def _false(v) -> bool: return str(v).strip().lower() in ('false', 'no', '0')

_re_fm = re.compile(r'^\s*---\s*\n(.*?)\n---\s*$', re.S)

def read_frontmatter(nb: dict) -> dict:
    "The YAML frontmatter that nbdev's FrontmatterProc put in the first raw cell."
    for c in nb['cells']:
        if c['cell_type'] == 'raw':
            m = _re_fm.match(_src(c['source']))
            if m: return yaml.safe_load(m.group(1)) or {}
    return {}

_re_pandoc_link = re.compile(r'\[([^\]\n]*)\]\(([^)\s]+)\)\{([^}\n]*)\}')
_re_attr = re.compile(r'([\w-]+)="([^"]*)"')

def _pandoc_link(m) -> str:
    "`[text](url){target=\"_blank\" style=...}` (pandoc attributes) -> an HTML link mistune can pass through."
    text, url, attrs = m.group(1), m.group(2), m.group(3)
    kv = dict(_re_attr.findall(attrs))
    classes = [t[1:] for t in attrs.split() if t.startswith('.')]
    if text.strip().lower() == 'source': classes.append('nbdev-source-link'); kv.pop('style', None)
    if classes: kv['class'] = ' '.join(classes)
    extra = ''.join(f' {k}="{html.escape(v)}"' for k, v in kv.items())
    return f'<a href="{html.escape(url)}"{extra}>{text}</a>'

_CALLOUTS = {'note': 'note', 'tip': 'tip', 'warning': 'warning', 'caution': 'warning', 'important': 'danger'}
_re_fence_open = re.compile(r'^\s*:::+\s*\{?\s*([^}]*)\}?\s*$')

def _callouts(md: str) -> str:
    "Quarto fenced divs: callouts become Material admonitions, other `:::` fences are dropped."
    out, stack = [], []
    for line in md.splitlines():
        m = _re_fence_open.match(line)
        if not m: out.append(line); continue
        spec = m.group(1).strip()
        if not spec:                                  # a closing fence
            if stack and stack.pop(): out += ['', '</div>', '']
            continue
        kind = re.search(r'\.callout-(\w+)', spec)
        if kind:
            k = kind.group(1).lower()
            title = re.search(r'title="([^"]*)"', spec)
            out += ['', f'<div class="admonition {_CALLOUTS.get(k, "note")}">',
                    f'<p class="admonition-title">{html.escape(title.group(1) if title else k.capitalize())}</p>', '']
            stack.append(True)
        else: stack.append(False)
    return '\n'.join(out)

class LinkMapper:
    "Turns links to the published docs (`doc_host + doc_baseurl`) into relative links inside this site."
    def __init__(self, doc_url: str, pages: set[str]):
        from mkdocs_jupyter.utils import slugify
        self.slugify, self.pages = slugify, pages
        self.re = re.compile(re.escape(doc_url.rstrip('/')) + r'/([\w./-]*?\.html)(#[^)\s"\'<>]*)?')

    def __call__(self, text: str, page: str) -> str:
        def sub(m):
            target, anchor = m.group(1), m.group(2) or ''
            if target not in self.pages: return m.group(0)      # not built here: keep the published link
            rel = os.path.relpath(target, os.path.dirname(page) or '.')
            if anchor: anchor = '#' + self.slugify(anchor[1:])   # the id mkdocs-jupyter gives the heading
            return rel + anchor
        return self.re.sub(sub, text)

def clean_markdown(md: str, page: str, links: LinkMapper | None) -> str:
    md = _callouts(_re_pandoc_link.sub(_pandoc_link, md))
    return links(md, page) if links else md

def _md_cell(src: str) -> dict: return {'cell_type': 'markdown', 'metadata': {}, 'source': src}

def prepare_notebook(nb: dict, page: str, links: LinkMapper | None) -> dict:
    "Map the Quarto directives nbdev leaves to plain notebook cells mkdocs-jupyter / nbconvert understand."
    fm = read_frontmatter(nb)
    cells = []
    title, desc = fm.get('title'), fm.get('description')
    if title:
        head = f'# {title}'
        if desc: head += '\n\n> ' + ' '.join(str(desc).split())
        cells.append(_md_cell(clean_markdown(head, page, links)))
    for c in nb['cells']:
        kind, src = c['cell_type'], _src(c.get('source'))
        if kind == 'raw': continue                               # frontmatter / Quarto-only raw cells
        if kind == 'markdown':
            if not src.strip() or re.fullmatch(r'\s*<!--.*?-->\s*', src, re.S): continue
            md = clean_markdown(src, page, links)
            if md.strip(): cells.append(_md_cell(md))
            continue
        dirs, body = split_directives(src)
        if 'hide' in dirs or _false(dirs.get('include', True)): continue
        outputs = [] if _false(dirs.get('output', True)) else c.get('outputs', [])
        if dirs.get('output', '').lower() == 'asis':            # show_doc: its markdown is the page content
            for o in outputs:
                md = _src(o.get('data', {}).get('text/markdown')) or _src(o.get('text'))
                if md.strip(): cells.append(_md_cell(clean_markdown(md, page, links)))
            continue
        outs = []
        for o in outputs:
            o = copy.deepcopy(o)
            if 'text' in o: o['text'] = _src(o['text'])                  # nbformat wants joined strings
            data = o.get('data', {})
            for k, v in data.items():
                if isinstance(v, list): data[k] = ''.join(v)
            data.pop('application/vnd.jupyter.widget-view+json', None)
            if 'text/markdown' in data: data['text/markdown'] = clean_markdown(_src(data['text/markdown']), page, links)
            if 'text/html' in data and links: data['text/html'] = links(_src(data['text/html']), page)
            outs.append(o)
        echo = not _false(dirs.get('echo', True))
        if not echo and not outs: continue
        if not body.strip() and not outs: continue
        meta = {'tags': ['remove_input']} if not echo or not body.strip() else {}
        cells.append({'cell_type': 'code', 'metadata': meta, 'source': body,
                      'execution_count': c.get('execution_count'), 'outputs': outs})
    for i, c in enumerate(cells): c['id'] = f'c{i:03d}'
    meta = {k: v for k, v in nb.get('metadata', {}).items() if k in ('kernelspec', 'language_info')}
    meta.setdefault('kernelspec', {'display_name': 'Python 3', 'language': 'python', 'name': 'python3'})
    meta.setdefault('language_info', {'name': 'python'})   # nbconvert's markdown fences need the language
    return {'cells': cells, 'metadata': meta, 'nbformat': 4, 'nbformat_minor': 5}

def output_name(nb: dict, src_rel: Path) -> Path:
    "Where Quarto would put the page (`00_config.ipynb` -> `config`), as a notebook path for mkdocs."
    out = read_frontmatter(nb).get('output-file') or re.sub(r'^\d+[a-zA-Z0-9]*_', '', src_rel.name.lower())
    return src_rel.parent / Path(out).with_suffix('.ipynb')

# ----------------------------------------------------------------------------- sidebar / nav
def sidebar_contents(nbs: Path) -> tuple[list, str]:
    "nbs/sidebar.yml's contents if present, else the one nbdev would generate from the notebook list."
    f = nbs / 'sidebar.yml'
    if f.exists():
        return (yaml.safe_load(f.read_text()) or {}).get('website', {}).get('sidebar', {}).get('contents', []), str(f.name)
    from nbdev.quarto import nbdev_sidebar
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf): nbdev_sidebar.__wrapped__(path=str(nbs), printit=True, force=True)
    return (yaml.safe_load(buf.getvalue()) or {})['website']['sidebar']['contents'], 'notebook list'

def build_nav(contents: list, pages: dict[str, tuple[str, str]]) -> tuple[list, set]:
    "mkdocs `nav` from Quarto sidebar contents; `pages` maps source path -> (page path, title)."
    used = set()
    def walk(items):
        nav = []
        for it in items or []:
            if isinstance(it, str): href, text = it, None
            elif isinstance(it, dict) and 'section' in it:
                sub = walk(it.get('contents', []))
                if it.get('href') and str(it['href']) in pages:
                    src = str(it['href']); used.add(src); sub.insert(0, {pages[src][1]: pages[src][0]})
                if sub: nav.append({str(it['section']): sub})
                continue
            elif isinstance(it, dict): href, text = it.get('href') or it.get('file'), it.get('text')
            else: continue
            href = str(href or '')
            if href in pages:
                used.add(href); nav.append({text or ('Home' if href == 'index.ipynb' else pages[href][1]): pages[href][0]})
            elif href.startswith(('http://', 'https://')) and text: nav.append({text: href})
        return nav
    return walk(contents), used

# ----------------------------------------------------------------------------- checks
class _Loads(HTMLParser):
    "Collects what an HTML page loads (scripts, stylesheets, images, frames, media, inline styles)."
    def __init__(self):
        super().__init__(); self.loads, self.links, self.ids, self._style = [], [], set(), False
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get('id'): self.ids.add(a['id'])
        if tag in ('script', 'img', 'iframe', 'source', 'audio', 'video', 'embed', 'track') and a.get('src'):
            self.loads.append((tag, a['src']))
        if tag == 'link' and a.get('href') and a.get('rel', '') not in ('canonical', 'alternate', 'next', 'prev'):
            self.loads.append((f'link rel={a.get("rel")}', a['href']))
        if tag == 'object' and a.get('data'): self.loads.append((tag, a['data']))
        if tag == 'a' and a.get('href'): self.links.append(a['href'])
        if 'style' in a: self.loads += [('style attr', u) for u in _css_urls(a['style'])]
        self._style = tag == 'style'
    def handle_endtag(self, tag): self._style = False
    def handle_data(self, data):
        if self._style: self.loads += [('style', u) for u in _css_urls(data)]

_re_css_url = re.compile(r'''url\(\s*['"]?([^'")\s]+)|@import\s+['"]([^'"]+)''')
def _css_urls(css: str) -> list[str]: return [a or b for a, b in _re_css_url.findall(css)]
def _remote(u: str) -> bool: return bool(re.match(r'^(https?:)?//', u.strip(), re.I))

# Material's bundle names these hosts for loads that cannot happen on this site: mermaid only when a page
# has a mermaid diagram (checked below), the ResizeObserver polyfill only in browsers without it.
_JS_ALLOWED = ('https://unpkg.com/mermaid', 'https://unpkg.com/resize-observer-polyfill')

def check_site(site: Path, expected_pages: list[str]) -> dict:
    "Raise DocsError unless every page exists, nothing loads from another host and search lists the pages."
    problems = []
    missing = [p for p in expected_pages if not (site / p).is_file()]
    if missing: problems.append(f'no page for notebook(s): {missing}')
    remote, broken = [], []
    for f in site.rglob('*'):
        if not f.is_file(): continue
        rel = f.relative_to(site)
        if f.suffix == '.html':
            text = f.read_text(encoding='utf-8', errors='replace')
            p = _Loads(); p.feed(text)
            for tag, u in p.loads:
                if u.startswith('data:'): continue
                if _remote(u): remote.append(f'{rel}: <{tag}> {u}')
                else:
                    path = u.split('#')[0].split('?')[0]
                    local = (site / path.lstrip('/')) if path.startswith('/') else (f.parent / path)  # 404.html: root-absolute
                    if path and not local.exists(): broken.append(f'{rel}: <{tag}> {u}')
            if re.search(r'class="[^"]*\bjp-Mermaid\b', text): problems.append(f'{rel}: mermaid diagrams need a CDN script; not supported offline')
        elif f.suffix == '.css':
            remote += [f'{rel}: css {u}' for u in _css_urls(f.read_text(encoding='utf-8', errors='replace')) if _remote(u)]
        elif f.suffix in ('.js', '.mjs'):
            text = f.read_text(encoding='utf-8', errors='replace')
            for u in re.findall(r'''(?:https?:)?//[\w.-]*(?:%s)[\w.-]*[^\s'"`)]*''' % '|'.join(CDN_HOSTS), text):
                if not u.startswith(_JS_ALLOWED): remote.append(f'{rel}: js {u}')
    if remote: problems.append('loads from another host:\n  ' + '\n  '.join(sorted(set(remote))[:30]))
    if broken: problems.append('references to files missing from the site:\n  ' + '\n  '.join(sorted(set(broken))[:30]))
    idx = site / 'search' / 'search_index.json'
    n_search = 0
    if not idx.is_file(): problems.append('no search index (search/search_index.json)')
    else:
        docs = json.loads(idx.read_text()).get('docs', [])
        n_search = len(docs)
        locs = {d['location'].split('#')[0] for d in docs}
        unindexed = [p for p in expected_pages if p not in locs and not (p == 'index.html' and '' in locs)]
        if unindexed: problems.append(f'search index lacks page(s): {unindexed}')
        if not (site / 'search' / 'search_index.js').is_file(): problems.append('no search/search_index.js for file:// search')
    if not list(site.glob('assets/javascripts/workers/search.*.min.js')): problems.append('no local search worker script')
    if not (site / 'assets' / 'mathjax' / 'MathJax.js').is_file(): problems.append('MathJax was not copied into the site')
    if problems: raise DocsError('docs check failed:\n- ' + '\n- '.join(problems))
    return {'search_entries': n_search}

# ----------------------------------------------------------------------------- build
def copy_mathjax(dest: Path):
    "MathJax 2.7 from PyPI jupyter-server-mathjax (HTML-CSS output, STIX-Web fonts), minus a11y/SVG/other locales."
    import jupyter_server_mathjax
    src = Path(jupyter_server_mathjax.__file__).parent / 'static'
    def ignore(d, names):
        rel = Path(d).relative_to(src).as_posix()
        skip = {'.': set(), 'extensions': {'a11y'}, 'jax/output': {'SVG'}}.get(rel, set())
        if rel == 'localization': skip = {n for n in names if n != 'en'}
        return skip
    shutil.copytree(src, dest, ignore=ignore)

def mkdocs_config(cfg, docs_dir: Path, site_dir: Path, nav: list) -> dict:
    return {
        'site_name': cfg.get('title', cfg.lib_name),
        'site_description': cfg.get('description', ''),
        'site_author': cfg.get('author', ''),
        'copyright': f"Copyright {cfg.get('copyright', '')}".strip(),
        'docs_dir': str(docs_dir), 'site_dir': str(site_dir),
        'use_directory_urls': False,
        'nav': nav,
        'theme': {'name': 'material', 'font': False, 'language': 'en',
                  'palette': {'scheme': 'default', 'primary': 'indigo', 'accent': 'indigo'},
                  'features': ['navigation.top', 'navigation.tracking', 'toc.follow',
                               'search.highlight', 'search.suggest', 'content.code.copy']},
        'plugins': [{'search': {'lang': 'en'}}, {'offline': {}},
                    {'mkdocs-jupyter': {'include': ['*.ipynb'], 'no_prompt': True, 'cache': False,
                                        'ignore_h1_titles': True,   # keep the nav titles (index: 'Home')
                                        'remove_tag_config': {'remove_input_tags': ['remove_input']},
                                        'custom_mathjax_url': MATHJAX_PLACEHOLDER}}],
        'hooks': [str(DOCS_TOOLS / 'hooks.py')],
        'extra_css': ['assets/extra.css'],
        'extra': {'polyfills': ['assets/javascripts/iframe-worker-shim.js'],
                  'generator': False,
                  'social': [{'icon': 'fontawesome/brands/github', 'link': cfg.get('git_url', '')}] if cfg.get('git_url') else []},
        'markdown_extensions': ['admonition', 'attr_list', 'tables', 'toc'],
        'validation': {'nav': {'omitted_files': 'warn', 'not_found': 'warn'}, 'links': {'not_found': 'ignore'}},
    }

def build(keep: bool = False, out: Path | None = None, exclude: list[str] = ()) -> dict:
    t0 = _T0   # count the imports too: this is the wall time of `python tools/build_docs.py`
    os.chdir(ROOT)
    from nbdev.config import get_config
    cfg = get_config()
    nbs, site = Path(cfg.nbs_path), Path(out or cfg.doc_path).resolve()
    notebooks = find_notebooks(nbs)
    skipped = [p for p in notebooks if any(fnmatch.fnmatch(p.name, g) for g in exclude)]
    if skipped: print(f'docs: WARNING: --exclude leaves out {[p.name for p in skipped]}: this site is incomplete')
    notebooks = [p for p in notebooks if p not in skipped]
    if not notebooks: raise DocsError(f'no notebooks found in {nbs}')
    tmp = Path(tempfile.mkdtemp(prefix='aql_docs_'))
    docs = tmp / 'docs'
    try:
        processed, pages, failed = {}, {}, []
        for p in notebooks:
            src_rel = p.relative_to(nbs)
            try: nb = nbdev_process(p)
            except DocsError as e: failed.append(str(e)); continue   # report every broken notebook, then fail
            dest = output_name(nb, src_rel)
            if dest.as_posix() in {d.as_posix() for d, _ in processed.values()}:
                raise DocsError(f'{src_rel} and another notebook both render to {dest.with_suffix(".html")}')
            processed[src_rel.as_posix()] = (dest, nb)
        if failed: raise DocsError(f'{len(failed)} notebook(s) failed:\n\n' + '\n\n'.join(failed))
        page_html = {d.with_suffix('.html').as_posix() for d, _ in processed.values()}
        links = LinkMapper(cfg.get('doc_host', '') + cfg.get('doc_baseurl', ''), page_html)
        for src_rel, (dest, nb) in processed.items():
            page = dest.with_suffix('.html').as_posix()
            out_nb = prepare_notebook(nb, page, links)
            (docs / dest).parent.mkdir(parents=True, exist_ok=True)
            (docs / dest).write_text(json.dumps(out_nb, indent=1), encoding='utf-8')
            title = read_frontmatter(nb).get('title') or dest.stem
            pages[src_rel] = (dest.as_posix(), str(title))
        contents, nav_from = sidebar_contents(nbs)
        nav, used = build_nav(contents, pages)
        extra = [s for s in pages if s not in used]
        if extra and nav_from != 'notebook list':
            print(f'docs: {len(extra)} notebook(s) missing from {nav_from}, appended to the sidebar: {extra}')
        nav += [{'Home' if s == 'index.ipynb' else pages[s][1]: pages[s][0]} for s in extra]
        shutil.copytree(DOCS_TOOLS / 'assets', docs / 'assets', dirs_exist_ok=True)
        conf = mkdocs_config(cfg, docs, site, nav)
        conf_file = tmp / 'mkdocs.yml'
        conf_file.write_text(yaml.safe_dump(conf, sort_keys=False))
        t1 = time.time()
        # jsonschema (via nbformat) compiles ~40 lark grammars at import when rfc3987_syntax is installed, only
        # for checking the 'iri' string format, which notebooks never use: hiding it saves ~3 s a build.
        launcher = "import sys; sys.modules['rfc3987_syntax'] = None; from mkdocs.__main__ import cli; cli()"
        r = subprocess.run([sys.executable, '-c', launcher, 'build', '--clean', '-q', '-f', str(conf_file)],
                           cwd=tmp, capture_output=True, text=True, env={**os.environ, 'NO_MKDOCS_2_WARNING': '1'})
        noise = [l for l in (r.stdout + r.stderr).splitlines() if l.strip()]
        if r.returncode != 0: raise DocsError('mkdocs build failed:\n' + '\n'.join(noise[-40:]))
        if noise: print('\n'.join(noise[-20:]))
        copy_mathjax(site / 'assets' / 'mathjax')
        for m in site.rglob('*.js.map'): m.unlink()   # Material's source maps: 1+ MB nobody browsing needs
        expected = sorted(d.replace('.ipynb', '.html') for d, _ in pages.values())
        info = check_site(site, expected)
    finally:
        if keep: print(f'docs: processed notebooks and mkdocs.yml kept in {tmp}')
        else: shutil.rmtree(tmp, ignore_errors=True)
    size = sum(f.stat().st_size for f in site.rglob('*') if f.is_file())
    info.update(pages=len(expected), size_mb=size / 2**20, seconds=time.time() - t0, process_s=t1 - t0, site=site)
    return info

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--keep', action='store_true', help='keep the processed notebooks and mkdocs.yml')
    ap.add_argument('--out', type=Path, default=None, help='site folder (default: doc_path of settings.ini, _docs)')
    ap.add_argument('--exclude', action='append', default=[], metavar='GLOB',
                    help='leave out notebooks whose name matches (local iteration only; the site is then incomplete)')
    a = ap.parse_args(argv)
    try: info = build(keep=a.keep, out=a.out, exclude=a.exclude)
    except DocsError as e:
        print(f'docs: FAILED: {e}', file=sys.stderr); return 1
    print(f"docs: {info['pages']} pages, {info['search_entries']} search entries, {info['size_mb']:.1f} MB, "
          f"{info['seconds']:.1f} s (nbdev processing {info['process_s']:.1f} s) -> {info['site']}")
    return 0

def _exit(rc: int):
    "Exit now: the IPython shells nbdev's show_doc execution left behind take seconds to tear down, for nothing."
    sys.stdout.flush(); sys.stderr.flush()
    os._exit(rc)

if __name__ == '__main__': _exit(main())
