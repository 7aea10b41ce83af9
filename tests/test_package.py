"""Plain tests of the package as installed: metadata and the public API."""
import importlib
from configparser import ConfigParser
from pathlib import Path

import aql_nb

ROOT = Path(__file__).resolve().parents[1]


def test_version_matches_settings():
    cfg = ConfigParser(); cfg.read(ROOT / 'settings.ini')
    assert aql_nb.__version__ == cfg['DEFAULT']['version']


def test_library_does_not_import_nbdev_or_fastcore():
    for py in (ROOT / 'aql_nb').glob('*.py'):
        if py.name == '_modidx.py': continue
        src = py.read_text()
        for bad in ('import nbdev', 'from nbdev', 'import fastcore', 'from fastcore'):
            assert bad not in src, f'{py.name} needs {bad.split()[-1]} at run time'


def test_modules_import():
    for py in sorted((ROOT / 'aql_nb').glob('[!_]*.py')):
        importlib.import_module(f'aql_nb.{py.stem}')


def test_console_scripts_resolve():
    cfg = ConfigParser(); cfg.read(ROOT / 'settings.ini')
    scripts = cfg['DEFAULT']['console_scripts'].split()
    assert {s.split('=')[0] for s in scripts} == {'aql_quickstart', 'aql_bench'}
    for s in scripts:
        mod, fn = s.split('=')[1].split(':')
        assert callable(getattr(importlib.import_module(mod), fn)), s


def test_license_is_the_one_settings_names():
    cfg = ConfigParser(); cfg.read(ROOT / 'settings.ini')
    assert cfg['DEFAULT']['license'] == 'apache2'
    text = (ROOT / 'LICENSE').read_text()
    assert 'Apache License' in text and 'Version 2.0, January 2004' in text and 'END OF TERMS AND CONDITIONS' in text


def test_one_quarto_yml_that_nbdev_finds():
    top, link = ROOT / '_quarto.yml', ROOT / 'nbs' / '_quarto.yml'
    assert top.is_file() and link.resolve() == top.resolve(), 'nbs/_quarto.yml must be a link to ../_quarto.yml'
