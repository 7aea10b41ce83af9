"""The docs and README tools (tools/build_docs.py, tools/docs/hooks.py, tools/build_readme.py) on small inputs."""
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / 'tools'), str(ROOT / 'tools' / 'docs')]
bd = pytest.importorskip('build_docs')
import hooks  # noqa: E402
import build_readme as br  # noqa: E402
sys.path[:2] = []


def test_signature_with_docments_becomes_a_table():
    sig = bd.parse_signature("def f(\n    a:int, b:str='x', # the b\n    # more\n    *, c=None, # see [`g`](g.html)\n)->list: # out\n")
    assert [p['name'] for p in sig['params']] == ['a', 'b', 'c']
    assert sig['params'][1]['doc'] == 'the b more' and sig['return_doc'] == 'out'
    out = bd.signature_html(sig)
    assert 'f(a, b=&#x27;x&#x27;, *, c=None)' in out
    assert '<a href="g.html"><code>g</code></a>' in out and '<strong>returns</strong>' in out
    assert bd.parse_signature('def h(x=<function foo>):\n') is None     # unparsable: nbdev's block stays


def test_show_doc_heading_gets_the_doc_link_id():
    md = "---\n\n### Foo.bar\n\n```python\ndef bar(\n    x:int, # the x\n):\n```\n\n*Does it.*\n"
    out = bd.render_show_doc(md)
    assert '<h3 class="doc-heading" id="foobar">Foo.bar' in out and '```' not in out
    assert out.index('*Does it.*') < out.index('doc-params')      # docstring, then the table


def test_headings_unique_and_toc_from_html():
    html = ('<h2 id="foo">Foo<a class="anchor-link" href="#foo">¶</a></h2><h3 class="doc-heading" id="foo">Foo</h3>'
            '<h3 id="">$n_{\\text{eff}}$</h3><p id="x"></p>')
    out, heads = hooks.unique_headings(html)
    assert [h['id'] for h in heads] == ['foo-1', 'foo', 'section-1']
    assert 'href="#foo-1"' in out and heads[2]['name'] == 'n_eff'
    toc = hooks.toc_tokens(heads)
    assert [t['id'] for t in toc] == ['foo-1'] and [c['id'] for c in toc[0]['children']] == ['foo', 'section-1']
    assert hooks.on_post_template('<a href="/index.html"><link href="/assets/x.css">', template_name='404.html', config={}) == \
        '<a href="index.html"><link href="assets/x.css">'


def test_streams_lose_progress_bars_and_paths():
    assert bd.clean_stream('  0%|          | 0/12 [00:00<?, ?step/s]\r 50%|#    | 6/12 [00:01<00:01]\r                \n') == ''
    warn = ('/x/venv/lib/python3.11/site-packages/tqdm/auto.py:21: TqdmWarning: IProgress not found. Please update\n'
            '  from .autonotebook import tqdm as notebook_tqdm\n')
    assert bd.clean_stream(warn) == ''
    assert bd.clean_stream('/home/u/aql_nb/trainer.py:45: UserWarning: no CUDA\n  warnings.warn(x)\n') == 'UserWarning: no CUDA\n'
    assert bd._is_plumbing("import os") and bd._is_plumbing("IN_TEST = bool(os.environ.get('IN_TEST'))")
    assert not bd._is_plumbing("import os\nx = f()")


def test_link_check(tmp_path):
    (tmp_path / 'a.html').write_text('<h2 id="one">1</h2><a href="b.html#two">b</a><a href="#one">1</a><a href="https://x.org">x</a>')
    (tmp_path / 'b.html').write_text('<h2 id="two">2</h2><a href="a.html#nope">bad</a><a href="/a.html">abs</a><p id="d"></p><p id="d"></p>')
    problems = bd.link_problems(tmp_path)
    assert any('missing anchor: a.html#nope' in p for p in problems) and any('root-absolute' in p for p in problems)
    assert any("duplicate id(s) ['d']" in p for p in problems) and len(problems) == 3
    (tmp_path / 'c.html').write_text('<a href="a.html#clsmeth"><code>Cls.meth</code></a><a href="a.html#_x"><code>_x</code></a>'
                                     '<h3 id="cls">Cls</h3>')
    (tmp_path / 'a.html').write_text('<h3 id="cls">Cls</h3>')
    done = bd.fix_doc_links(tmp_path)
    text = (tmp_path / 'c.html').read_text()
    assert 'href="a.html#cls"' in text and '<code>_x</code>' in text and 'href="a.html#_x"' not in text
    assert len(done['retargeted']) == 1 and len(done['unlinked']) == 1


def test_readme_links_are_absolute():
    cfg = {'doc_host': 'https://o.github.io', 'doc_baseurl': '/p', 'git_url': 'https://github.com/o/p', 'branch': 'main'}
    class C(dict):
        nbs_path = Path('nbs')
    md = '[u](uncertainty.html#x) ![a](images/q.png) [l](https://e.org) [f](other.txt) [s](#sec)'
    assert br.absolute_links(md, C(cfg)) == ('[u](https://o.github.io/p/uncertainty.html#x) '
        '![a](https://raw.githubusercontent.com/o/p/main/nbs/images/q.png) [l](https://e.org) '
        '[f](https://github.com/o/p/blob/main/nbs/other.txt) [s](#sec)')
