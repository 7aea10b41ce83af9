"""MkDocs hooks used by tools/build_docs.py: keep every notebook page offline and small.

- the MathJax placeholder that mkdocs-jupyter writes becomes the local MathJax 2.7 copy (relative to the page),
  configured for the STIX-Web fonts that jupyter-server-mathjax ships;
- nbconvert's mermaid loader (an `import()` from a CDN, only for mermaid diagrams) is dropped;
- heading anchors (the pilcrow) and copy buttons are kept out of the search index;
- the large stylesheets nbconvert inlines into every notebook page are written once to assets/nb/ and linked.
"""
import hashlib, os, re

MATHJAX_PLACEHOLDER = 'AQL_LOCAL_MATHJAX'
_MATHJAX_CONFIG = ('<script type="text/x-mathjax-config">MathJax.Hub.Config({"HTML-CSS": '
                   '{availableFonts: [], preferredFont: null, webFont: "STIX-Web", imageFont: null}});</script>')
_re_mathjax = re.compile(r'<script src="%s"\s*>\s*</script>' % MATHJAX_PLACEHOLDER)
_re_mermaid = re.compile(r'<script type="module">(?:(?!</script>).)*?jp-Mermaid.*?</script>', re.S)
_re_style = re.compile(r'<style(?: type="text/css")?>(.*?)</style>', re.S)


def _root(page) -> str:
    "Relative path from the page's folder to the site root."
    depth = page.file.dest_uri.count('/')
    return '/'.join(['..'] * depth) or '.'


def on_page_content(html, page, config, files):
    root = _root(page)
    src = f'{root}/assets/mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full,Safe'
    html = _re_mathjax.sub(lambda m: f'{_MATHJAX_CONFIG}\n<script src="{src}"></script>', html)
    html = html.replace('<a class="anchor-link"', '<a data-search-exclude class="anchor-link"')
    html = html.replace('<div class="zeroclipboard-container">', '<div data-search-exclude class="zeroclipboard-container">')
    return _re_mermaid.sub('', html)


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
