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
