"""MkDocs hooks used by tools/build_docs.py: keep every notebook page offline, small and navigable.

- the MathJax placeholder that mkdocs-jupyter writes becomes the local MathJax 2.7 copy (relative to the page),
  configured for the STIX-Web fonts that jupyter-server-mathjax ships;
- nbconvert's mermaid loader (an `import()` from a CDN, only for mermaid diagrams) is dropped;
- heading ids are made unique (an API entry, `<h3 class="doc-heading">`, keeps the bare name that doc links
  use; a section heading of the same name gets `-1`, `-2`, ...) and the page's table of contents is rebuilt
  from the headings as they are in the HTML, so every TOC entry has its full label and a target that exists
  (mkdocs-jupyter derives the TOC from a markdown conversion whose ids differ from nbconvert's);
- heading anchors (the pilcrow) and copy buttons are kept out of the search index;
- the large stylesheets nbconvert inlines into every notebook page are written once to assets/nb/ and linked;
- 404.html gets relative links (mkdocs writes root-absolute ones, which fail when the site is opened from disk).
"""
import hashlib, html as _html, os, re

MATHJAX_PLACEHOLDER = 'AQL_LOCAL_MATHJAX'
_MATHJAX_CONFIG = ('<script type="text/x-mathjax-config">MathJax.Hub.Config({"HTML-CSS": '
                   '{availableFonts: [], preferredFont: null, webFont: "STIX-Web", imageFont: null}});</script>')
_re_mathjax = re.compile(r'<script src="%s"\s*>\s*</script>' % MATHJAX_PLACEHOLDER)
_re_mermaid = re.compile(r'<script type="module">(?:(?!</script>).)*?jp-Mermaid.*?</script>', re.S)
_re_style = re.compile(r'<style(?: type="text/css")?>(.*?)</style>', re.S)
_re_heading = re.compile(r'<h([1-6])((?:\s[^>]*)?)>(.*?)</h\1>', re.S)
_re_id = re.compile(r'\sid="([^"]*)"')


def _root(page) -> str:
    "Relative path from the page's folder to the site root."
    depth = page.file.dest_uri.count('/')
    return '/'.join(['..'] * depth) or '.'


def _plain_math(tex: str) -> str:
    "`n_{\\text{eff}}` -> `n_eff`: TeX as a table-of-contents label can show it (no MathJax there)."
    tex = re.sub(r'\\(?:text|mathrm|mathbf|mathit|operatorname)\{([^}]*)\}', r'\1', tex)
    return re.sub(r'\\([a-zA-Z]+)', r'\1', tex).replace('{', '').replace('}', '')

def _text(fragment: str) -> str:
    "Plain text of a heading's HTML, without the pilcrow anchor and with `$...$` math as plain text."
    fragment = re.sub(r'<a[^>]*class="anchor-link"[^>]*>.*?</a>', '', fragment, flags=re.S)
    text = _html.unescape(re.sub(r'<[^>]+>', '', fragment))
    text = re.sub(r'\$([^$]*)\$', lambda m: _plain_math(m.group(1)), text)
    return ' '.join(text.split())

def _label(text: str) -> str:
    "A TOC label as HTML: escaped, with a line-break opportunity after each dot of a dotted name."
    return _html.escape(text).replace('.', '.<wbr>')


def unique_headings(html: str) -> tuple[str, list[dict]]:
    "Give every heading a unique, non-empty id (API entries keep the bare one); return the html and its headings."
    found = [(m, _re_id.search(m.group(2) or '')) for m in _re_heading.finditer(html)]
    taken = {}
    for m, i in found:   # API entries claim their ids first: doc links point at them
        if i and 'doc-heading' in (m.group(2) or ''): taken.setdefault(i.group(1), m.start())
    others = set(re.findall(r'\sid="([^"]*)"', html)) - {i.group(1) for _, i in found if i}
    out, pos, heads = [], 0, []
    for m, i in found:
        old = i.group(1) if i else ''
        new = old
        if not new or taken.get(new, m.start()) != m.start() or new in others:
            base, k = old or 'section', 1
            new = f'{base}-{k}'
            while new in taken or new in others: k += 1; new = f'{base}-{k}'
        taken[new] = m.start()
        attrs, body = m.group(2) or '', m.group(3)
        if new != old:
            attrs = _re_id.sub(f' id="{new}"', attrs) if i else f'{attrs} id="{new}"'
            body = body.replace(f'href="#{old}"', f'href="#{new}"') if old else body
        out += [html[pos:m.start()], f'<h{m.group(1)}{attrs}>{body}</h{m.group(1)}>']
        pos = m.end()
        heads.append({'level': int(m.group(1)), 'id': new, 'name': _label(_text(body)), 'children': []})
    out.append(html[pos:])
    return ''.join(out), heads


def toc_tokens(heads: list[dict]) -> list[dict]:
    "Nest flat headings by level, as Python-Markdown's toc extension does."
    root, stack = [], []
    for h in heads:
        if not h['name']: continue
        while stack and stack[-1]['level'] >= h['level']: stack.pop()
        (stack[-1]['children'] if stack else root).append(h)
        stack.append(h)
    return root


def on_page_content(html, page, config, files):
    root = _root(page)
    src = f'{root}/assets/mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full,Safe'
    html = _re_mathjax.sub(lambda m: f'{_MATHJAX_CONFIG}\n<script src="{src}"></script>', html)
    html = html.replace('<a class="anchor-link"', '<a data-search-exclude class="anchor-link"')
    html = html.replace('<div class="zeroclipboard-container">', '<div data-search-exclude class="zeroclipboard-container">')
    html = _re_mermaid.sub('', html)
    if page.file.src_uri.endswith('.ipynb'):
        from mkdocs.structure.toc import get_toc
        html, heads = unique_headings(html)
        page.toc = get_toc(toc_tokens(heads))
    return html


def on_post_page(output, page, config):
    root, out_dir = _root(page), os.path.join(config['site_dir'], 'assets', 'nb')

    def extract(m):
        css = m.group(1).strip()
        if len(css) < 4000: return m.group(0)
        name = hashlib.sha1(css.encode()).hexdigest()[:12] + '.css'
        path = os.path.join(out_dir, name)
        if not os.path.exists(path):
            os.makedirs(out_dir, exist_ok=True)
            with open(path, 'w', encoding='utf-8') as f: f.write(css)
        return f'<link rel="stylesheet" href="{root}/assets/nb/{name}">'
    return _re_style.sub(extract, output)


def on_post_template(output, template_name, config):
    "404.html sits at the site root: its root-absolute links (`/index.html`) become relative ones."
    if template_name != '404.html': return output
    return re.sub(r'((?:href|src)=")/(?!/)', r'\1', output)
