"""setup.py for aql_nb, driven by settings.ini (nbdev 2 layout).

Differences from the classic nbdev 2 template: no `pkg_resources` (gone from current
setuptools), everything pyproject.toml lists as dynamic is passed explicitly, the license is an
SPDX expression with its text in LICENSE, and every `NAME_requirements` key of settings.ini
becomes the extra `NAME` (`datasets`, `dev`, ...).
"""
from configparser import ConfigParser
from pathlib import Path
import setuptools

cfg = ConfigParser(delimiters=['='])
cfg.read('settings.ini', encoding='utf-8')
cfg = cfg['DEFAULT']

for k in 'lib_name user branch version description keywords author author_email license status min_python audience language'.split():
    assert k in cfg, f'settings.ini lacks the key {k!r}'

licenses = {'apache2': 'Apache-2.0'}   # settings.ini's name -> the SPDX expression (PEP 639); the text is in LICENSE
statuses = ['1 - Planning', '2 - Pre-Alpha', '3 - Alpha', '4 - Beta', '5 - Production/Stable', '6 - Mature', '7 - Inactive']
py_versions = '3.10 3.11 3.12 3.13'.split()
min_python = cfg['min_python']
lic = licenses.get(cfg['license'].lower(), cfg['license'])

requirements = cfg.get('requirements', '').split()
extras = {k[:-len('_requirements')]: v.split() for k, v in cfg.items() if k.endswith('_requirements') and k != 'requirements'}
scripts = [s.strip() for s in cfg.get('console_scripts', '').split() if s.strip()]
readme = Path('README.md')

setuptools.setup(
    name=cfg['lib_name'],
    version=cfg['version'],
    description=cfg['description'],
    long_description=readme.read_text(encoding='utf-8') if readme.exists() else cfg['description'],
    long_description_content_type='text/markdown',
    keywords=cfg['keywords'].split(),
    license=lic,
    license_files=['LICENSE'],
    author=cfg['author'],
    author_email=cfg['author_email'],
    url=cfg['git_url'],
    classifiers=[
        'Development Status :: ' + statuses[int(cfg['status'])],
        'Intended Audience :: ' + cfg['audience'].title(),
        'Natural Language :: ' + cfg['language'].title(),
    ] + [f'Programming Language :: Python :: {o}' for o in py_versions[py_versions.index(min_python):]],
    packages=setuptools.find_namespace_packages(include=['aql_nb', 'aql_nb.*'], exclude=['*.__pycache__']),
    include_package_data=True,
    package_data={'aql_nb.assets': ['*']},   # the embedded data (a folder of files, so a namespace package)
    install_requires=requirements,
    extras_require=extras,
    python_requires='>=' + min_python,
    zip_safe=False,
    entry_points={'console_scripts': scripts, 'nbdev': [f'{cfg["lib_name"]}={cfg["lib_name"]}._modidx:d']},
)
