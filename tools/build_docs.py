"""Build the documentation site into `_docs/` fully offline, without Quarto.

    python tools/build_docs.py              # build _docs/ (open _docs/index.html, or serve it)
    python tools/build_docs.py --keep       # also keep the processed notebooks and mkdocs.yml (path printed)

How it works:
1. every notebook of nbs/ whose path has no part starting with `_` or `.` goes through nbdev's own
   processors (`nbdev.processors.FilterDefaults`, the ones behind `nbdev_proc_nbs`, called directly so
   nothing tries to install Quarto): frontmatter, `show_doc` for exported names, doc links, hidden cells;
2. the Quarto directives nbdev leaves are mapped for mkdocs-jupyter (`#| echo: false` hides the input,
   `#| output: asis` turns the show_doc output into a markdown cell, `#| include: false` and `#| hide`
   drop the cell, `#| fig-alt:` / `#| fig-cap:` give a plot its alt text and caption) and links to the
   published docs become local links. A show_doc entry gets an API heading (the id nbdev's doc links use)
   and a signature that wraps, with its docments as a parameter table; stderr is cleaned (tqdm bars and
   their IProgress warning dropped, warnings shown without file paths); test plumbing (`import os`,
   `IN_TEST = ...` alone in a cell) is left out with a note; images under nbs/ are copied;
3. Material for MkDocs + mkdocs-jupyter render them, with the sidebar from nbs/sidebar.yml (or from the
   notebook list), search served locally (offline plugin + a vendored iframe-worker shim), MathJax 2.7 from
   PyPI `jupyter-server-mathjax` copied into the site, and Google fonts off; tools/docs/hooks.py makes
   heading ids unique and rebuilds each page's table of contents from them;
4. doc links nbdev made to names without an entry (private helpers, methods documented with their class)
   are unlinked or pointed at the class, with a note listing them;
5. the site is checked: a page for every notebook, a search index that lists them, no script, stylesheet,
   image or font loaded from another host, no broken internal link or anchor (404.html included, as
   opened from disk), no duplicate id, no build-machine path, warning or default alt text in any page,
   and one top-level `_quarto.yml` that nbdev finds through the link nbs/_quarto.yml. Any problem exits
   non-zero.

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

IMAGE_SUFFIXES = ('.png', '.jpg', '.jpeg', '.gif', '.svg', '.webp')

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

# ----------------------------------------------------------------------------- show_doc entries
_re_sig_block = re.compile(r'```python\n((?:async )?def [^\n]*\n(?:.*?\n)??)```', re.S)
_re_doc_heading = re.compile(r'^(#{2,6}) (\S[^\n]*)$', re.M)

def _inline_md(text: str) -> str:
    "Docment text as HTML: escaped, with nbdev's links and `code` spans rendered (what a table cell needs)."
    s = html.escape(text, quote=False)
    s = re.sub(r'\[`([^`\]]+)`\]\(([^)\s]+)\)', lambda m: f'<a href="{m.group(2)}"><code>{m.group(1)}</code></a>', s)
    s = re.sub(r'\[([^\]]+)\]\(([^)\s]+)\)', lambda m: f'<a href="{m.group(2)}">{m.group(1)}</a>', s)
    s = re.sub(r'(?<![\w>])`([^`]+)`', r'<code>\1</code>', s)
    return s

def parse_signature(code: str) -> dict | None:
    "nbdev's signature block (`def f(\\n    a:int=1, # doc\\n)->R:`) as name, params and return; None if it does not parse."
    import ast, tokenize
    src = code.rstrip() + '\n    pass\n'
    try:
        fn = ast.parse(src).body[0]
        toks = list(tokenize.generate_tokens(io.StringIO(src).readline))
    except (SyntaxError, tokenize.TokenError, IndexError, ValueError): return None
    if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)): return None
    seg = lambda n: ast.get_source_segment(src, n) if n is not None else None
    a = fn.args
    pos = a.posonlyargs + a.args
    defaults = [None] * (len(pos) - len(a.defaults)) + list(a.defaults)
    params = [(p.arg, p, d) for p, d in zip(pos, defaults)]
    if a.vararg: params.append(('*' + a.vararg.arg, a.vararg, None))
    bare_star = len(params) if a.kwonlyargs and not a.vararg else None   # `def f(a, *, b)`: the `*` of the signature
    params += [(p.arg, p, d) for p, d in zip(a.kwonlyargs, a.kw_defaults)]
    if a.kwarg: params.append(('**' + a.kwarg.arg, a.kwarg, None))
    comments, own_line = {}, set()
    for t in toks:
        if t.type == tokenize.COMMENT:
            comments[t.start[0]] = t.string[1:].strip()
            if not t.line[:t.start[1]].strip(): own_line.add(t.start[0])
    by_line = {p.end_lineno: i for i, (_, p, _) in enumerate(params)}   # nbdev puts a docment after the last param of its line
    docs, last = [''] * len(params), None
    ret_line = len(code.rstrip().splitlines())
    for ln in sorted(comments):
        if ln in own_line and last is not None: docs[last] = (docs[last] + ' ' + comments[ln]).strip(); continue
        if ln in by_line: last = by_line[ln]; docs[last] = comments[ln]
        elif ln == ret_line: last = None
    out = [{'name': n, 'anno': seg(p.annotation), 'default': seg(d), 'doc': doc} for (n, p, d), doc in zip(params, docs)]
    return {'name': fn.name, 'params': out, 'bare_star': bare_star, 'returns': seg(fn.returns),
            'return_doc': comments.get(ret_line, '') if ret_line not in own_line else ''}

def signature_html(sig: dict) -> str:
    "A signature that wraps instead of running off the page, and, when parameters carry docments, a table of them."
    documented = any(p['doc'] for p in sig['params']) or sig['return_doc']
    def one(p):
        s = p['name'] + ('' if documented or not p['anno'] else f": {p['anno']}")
        return s + (f"={p['default']}" if p['default'] is not None else '')
    ret = f" -> {sig['returns']}" if sig['returns'] and not documented else ''
    parts = [one(p) for p in sig['params']]
    if sig.get('bare_star') is not None: parts.insert(sig['bare_star'], '*')
    out = [f'<div class="doc-signature"><pre><code>{html.escape(sig["name"] + "(" + ", ".join(parts) + ")" + ret)}'
           '</code></pre></div>']
    if documented:
        code = lambda v: f'<code>{html.escape(v)}</code>' if v else ''
        rows = ''.join(f'<tr><td><code>{html.escape(p["name"])}</code></td><td>{code(p["anno"])}</td>'
                       f'<td>{code(p["default"])}</td><td>{_inline_md(p["doc"])}</td></tr>' for p in sig['params'])
        if sig['returns'] or sig['return_doc']:
            rows += f'<tr><td><strong>returns</strong></td><td>{code(sig["returns"])}</td><td></td><td>{_inline_md(sig["return_doc"])}</td></tr>'
        out.append('<div class="doc-params"><table><thead><tr><th>parameter</th><th>type</th><th>default</th>'
                   f'<th>details</th></tr></thead><tbody>{rows}</tbody></table></div>')
    return '\n'.join(out)

def render_show_doc(md: str) -> str:
    "One show_doc entry: its heading becomes an API heading (the id doc links use), its signature readable HTML."
    from mkdocs_jupyter.utils import slugify
    def head(m):
        level, name = len(m.group(1)), m.group(2).strip()
        slug = slugify(name) or 'entry'
        return (f'<h{level} class="doc-heading" id="{slug}">{html.escape(name)}'
                f'<a class="anchor-link" href="#{slug}">¶</a></h{level}>')
    md = _re_doc_heading.sub(head, md, count=1)
    m = _re_sig_block.search(md)
    sig = parse_signature(m.group(1)) if m else None
    if sig is None: return md
    table = signature_html(sig)
    rest = md[m.end():]
    if '<div class="doc-params">' in table:   # the docstring first, then the parameter table (as nbdev 2.3 did)
        sig_part, tbl = table.split('\n', 1)
        return md[:m.start()] + sig_part + '\n\n' + rest.rstrip() + '\n\n' + tbl + '\n'
    return md[:m.start()] + table + '\n' + rest

# ----------------------------------------------------------------------------- outputs
_re_tqdm = re.compile(r'\d+%\|.*?\|\s*\d+/\d+|\d+/\d+ \[\d+:\d+|\d+\w* \[\d+:\d+')
_re_pywarn = re.compile(r'^(?:[A-Za-z]:)?[/\\]\S+?:\d+: (\w*Warning): (.*)\n(?:[ \t]+\S.*\n?)?', re.M)

def clean_stream(text: str) -> str:
    "A stderr stream as a reader should see it: tqdm bars and their IProgress warning dropped, warnings without file paths."
    text = re.sub(r'^.*TqdmWarning: IProgress not found.*\n(?:[ \t]+\S.*\n?)?', '', text, flags=re.M)
    chunks = [c for c in re.split(r'[\r\n]', text)]
    if chunks and all(_re_tqdm.search(c) or not c.strip() for c in chunks): return ''
    return _re_pywarn.sub(lambda m: f'{m.group(1)}: {m.group(2)}\n', text)

def _is_plumbing(body: str) -> bool:
    "Test plumbing that says nothing to a reader: only `import os`, flags read from `os.environ` (IN_TEST), `_ = torch.manual_seed(n)`."
    import ast
    try: tree = ast.parse(body)
    except SyntaxError: return False
    def plumbing(n):
        if isinstance(n, ast.Import): return all(a.name == 'os' for a in n.names)
        if isinstance(n, ast.Assign):
            v = ast.unparse(n.value)
            if 'os.environ' in v and 'IN_TEST' in v: return True
            return [ast.unparse(t) for t in n.targets] == ['_'] and re.fullmatch(r'torch\.manual_seed\(\d+\)', v) is not None
        return False
    return bool(tree.body) and all(plumbing(n) for n in tree.body)

def image_html(o: dict, alt: str, caption: str | None) -> dict:
    "An image output as HTML with alt text (nbconvert's default is 'No description has been provided')."
    data = o['data']
    kind = next(k for k in ('image/png', 'image/jpeg', 'image/svg+xml') if k in data)
    v = _src(data[kind]).strip()
    if kind == 'image/svg+xml':
        import base64
        v = base64.b64encode(v.encode()).decode()
    img = f'<img src="data:{kind};base64,{v.replace(chr(10), "")}" alt="{html.escape(alt)}">'
    if caption: img = f'<figure>{img}<figcaption>{html.escape(caption)}</figcaption></figure>'
    return {'output_type': o['output_type'], 'metadata': {}, 'data': {'text/html': img, 'text/plain': alt},
            **({'execution_count': o.get('execution_count')} if o['output_type'] == 'execute_result' else {})}

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
    section, plumbing, no_alt = title or page, [], 0
    for c in nb['cells']:
        kind, src = c['cell_type'], _src(c.get('source'))
        if kind == 'raw': continue                               # frontmatter / Quarto-only raw cells
        if kind == 'markdown':
            if not src.strip() or re.fullmatch(r'\s*<!--.*?-->\s*', src, re.S): continue
            heads = re.findall(r'^#{1,6}\s+(.+?)\s*$', src, re.M)
            if heads: section = heads[-1].replace('`', '')
            md = clean_markdown(src, page, links)
            if md.strip(): cells.append(_md_cell(md))
            continue
        dirs, body = split_directives(src)
        if 'hide' in dirs or _false(dirs.get('include', True)): continue
        if _is_plumbing(body): plumbing.append(body.splitlines()[0]); continue
        outputs = [] if _false(dirs.get('output', True)) else c.get('outputs', [])
        if dirs.get('output', '').lower() == 'asis':            # show_doc: its markdown is the page content
            for o in outputs:
                md = _src(o.get('data', {}).get('text/markdown')) or _src(o.get('text'))
                if md.strip(): cells.append(_md_cell(clean_markdown(render_show_doc(md), page, links)))
            continue
        outs = []
        for o in outputs:
            o = copy.deepcopy(o)
            if 'text' in o:
                o['text'] = _src(o['text'])                      # nbformat wants joined strings
                if o.get('name') == 'stderr':
                    o['text'] = clean_stream(o['text'])
                    if not o['text'].strip(): continue
            data = o.get('data', {})
            for k, v in data.items():
                if isinstance(v, list): data[k] = ''.join(v)
            if 'application/vnd.jupyter.widget-view+json' in data: continue   # progress-bar widgets: nothing to read offline
            if any(k in data for k in ('image/png', 'image/jpeg', 'image/svg+xml')) and 'text/html' not in data:
                alt = dirs.get('fig-alt') or dirs.get('fig-cap')
                if not alt: no_alt += 1
                o = image_html(o, alt or f'Figure: {section}', dirs.get('fig-cap'))
                outs.append(o); continue
            if 'text/markdown' in data: data['text/markdown'] = clean_markdown(_src(data['text/markdown']), page, links)
            if 'text/html' in data and links: data['text/html'] = links(_src(data['text/html']), page)
            outs.append(o)
        echo = not _false(dirs.get('echo', True))
        if not echo and not outs: continue
        if not body.strip() and not outs: continue
        meta = {'tags': ['remove_input']} if not echo or not body.strip() else {}
        cells.append({'cell_type': 'code', 'metadata': meta, 'source': body,
                      'execution_count': c.get('execution_count'), 'outputs': outs})
    if plumbing: print(f'docs: note: {page}: left out {len(plumbing)} test-plumbing cell(s) ({plumbing}); mark them `#| hide`')
    if no_alt: print(f'docs: note: {page}: {no_alt} figure(s) without `#| fig-alt:` (alt text: the section title)')
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
    bad_links = link_problems(site)
    if bad_links: problems.append(f'{len(bad_links)} broken internal link(s) or duplicate ids:\n  ' + '\n  '.join(bad_links[:40]))
    leaks = leak_problems(site)
    if leaks: problems.append('pages show things from the build machine:\n  ' + '\n  '.join(leaks[:30]))
    if problems: raise DocsError('docs check failed:\n- ' + '\n- '.join(problems))
    return {'search_entries': n_search}

# ----------------------------------------------------------------------------- links
class _Anchors(HTMLParser):
    "Ids (with counts) and link targets of one HTML page."
    def __init__(self):
        super().__init__(); self.ids, self.hrefs = {}, []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for key in ('id',) + (('name',) if tag == 'a' else ()):
            if a.get(key): self.ids[a[key]] = self.ids.get(a[key], 0) + 1
        if tag == 'a' and a.get('href') is not None: self.hrefs.append(a['href'])

def page_anchors(site: Path) -> dict[Path, _Anchors]:
    out = {}
    for f in sorted(site.rglob('*.html')):
        p = _Anchors(); p.feed(f.read_text(encoding='utf-8', errors='replace')); out[f.resolve()] = p
    return out

def _internal(href: str) -> bool:
    return not (re.match(r'^[a-zA-Z][\w+.-]*:', href) or href.startswith('//'))

def _target(page: Path, href: str) -> tuple[Path, str]:
    from urllib.parse import unquote
    path, _, frag = href.partition('#')
    path = unquote(path.split('?')[0])
    t = (page.parent / path).resolve() if path else page
    if t.is_dir(): t = t / 'index.html'
    return t, unquote(frag)

_re_code_link = re.compile(r'<a href="([^"]*)"((?:\s[^>]*)?)>(<code>([^<]*)</code>)</a>')

def fix_doc_links(site: Path) -> dict[str, list[str]]:
    """nbdev links every backticked name it knows (private helpers and methods without a doc entry included):
    a link to `Cls.method` without an entry goes to `Cls`'s entry (or its page); one to a private name is unlinked."""
    from mkdocs_jupyter.utils import slugify
    anchors, done = page_anchors(site), {'retargeted': [], 'unlinked': []}
    for f, p in anchors.items():
        text = f.read_text(encoding='utf-8')
        def fix(m):
            href, name = html.unescape(m.group(1)), html.unescape(m.group(4))
            if not _internal(href) or '#' not in href: return m.group(0)
            t, frag = _target(f, href)
            if t in anchors and frag in anchors[t].ids: return m.group(0)
            parts = [x for x in re.split(r'[.(]', name.strip()) if x]
            if t not in anchors or any(x.startswith('_') for x in parts):
                done['unlinked'].append(f'{f.name}: {name}'); return m.group(3)
            base = href.split('#')[0]
            for k in range(len(parts) - 1, 0, -1):
                cand = slugify('.'.join(parts[:k]))
                if cand in anchors[t].ids:
                    done['retargeted'].append(f'{f.name}: {name} -> #{cand}')
                    return f'<a href="{html.escape(base)}#{cand}"{m.group(2)}>{m.group(3)}</a>'
            done['retargeted'].append(f'{f.name}: {name} -> {base or f.name}')
            return f'<a href="{html.escape(base or f.name)}"{m.group(2)}>{m.group(3)}</a>'
        new = _re_code_link.sub(fix, text)
        if new != text: f.write_text(new, encoding='utf-8')
    return done

def link_problems(site: Path) -> list[str]:
    "Every internal link whose file or anchor is missing, root-absolute links (dead under file://), duplicate ids."
    anchors, out = page_anchors(site), []
    for f, p in anchors.items():
        rel = f.relative_to(site.resolve())
        dups = sorted(i for i, n in p.ids.items() if n > 1)
        if dups: out.append(f'{rel}: duplicate id(s) {dups[:8]}')
        for h in p.hrefs:
            if not _internal(h) or not h.strip(): continue
            if h.startswith('/'): out.append(f'{rel}: root-absolute link {h} (dead when the site is opened from disk)'); continue
            t, frag = _target(f, h)
            if not t.exists(): out.append(f'{rel}: link to a missing file: {h}')
            elif frag and t.suffix == '.html' and frag not in anchors[t].ids: out.append(f'{rel}: link to a missing anchor: {h}')
    return out

def leak_problems(site: Path) -> list[str]:
    "Build-machine paths, Python warnings and nbconvert's default alt text in any page."
    pats = {str(ROOT): 'the checkout path', os.path.join(sys.prefix, 'lib', ''): 'the Python environment', 'site-packages': 'a site-packages path',
            'No description has been provided': 'an image without alt text', 'IProgress not found': "tqdm's widget warning"}
    home = os.path.expanduser('~')
    if home not in ('', '/'): pats[home + '/'] = 'the home folder'
    out = []
    for f in sorted(site.rglob('*.html')):
        text = f.read_text(encoding='utf-8', errors='replace')
        for s, what in pats.items():
            if s and s in text: out.append(f'{f.relative_to(site)}: {what} ({s!r})')
        for m in re.findall(r'/tmp/tmp\w+', text)[:1]: out.append(f'{f.relative_to(site)}: a temporary path ({m})')
    return out

def check_quarto_yml() -> str:
    "One `_quarto.yml`, at the top level, that nbdev's own docs commands find as nbs/_quarto.yml (a link to it)."
    top, nb = ROOT / '_quarto.yml', ROOT / 'nbs' / '_quarto.yml'
    if not top.is_file(): raise DocsError('no _quarto.yml at the top level (nbdev_docs reads it through nbs/_quarto.yml)')
    if not (nb.exists() and nb.resolve() == top.resolve()):
        raise DocsError('nbs/_quarto.yml must be a link to ../_quarto.yml (nbdev_docs/nbdev_proc_nbs read nbs/_quarto.yml): '
                        'ln -sf ../_quarto.yml nbs/_quarto.yml')
    yml = yaml.safe_load(top.read_text()) or {}
    missing = [m for m in yml.get('metadata-files', []) if m != 'sidebar.yml' and not (ROOT / 'nbs' / m).is_file()]
    if missing: raise DocsError(f'_quarto.yml names metadata files missing from nbs/: {missing}')
    return 'nbs/_quarto.yml -> _quarto.yml'

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
        for img in nbs.rglob('*'):   # images the notebooks' markdown shows (e.g. nbs/images/...)
            rel = img.relative_to(nbs)
            if img.suffix.lower() in IMAGE_SUFFIXES and not any(x.startswith(('_', '.')) for x in rel.parts):
                (docs / rel).parent.mkdir(parents=True, exist_ok=True); shutil.copy2(img, docs / rel)
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
        fixed = fix_doc_links(site)
        for k, v in fixed.items():
            if v: print(f'docs: note: {len(v)} doc link(s) to names without a docs entry {k}: ' + '; '.join(v[:12]))
        expected = sorted(d.replace('.ipynb', '.html') for d, _ in pages.values())
        info = check_site(site, expected)
        info['quarto'] = check_quarto_yml()
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
