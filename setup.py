"""Packaging for Scrapyd: ``scrapyd-deploy`` runs ``python setup.py bdist_egg`` and uploads the egg.

The egg holds what a crawl imports: the top-level ``settings`` and ``crawler`` modules, the
``spiders``, ``pipelines`` and ``middlewares`` packages and the ``sotevahti`` domain package (with the mirror's
data files). It does not hold ``sources.toml``: schedule jobs with the Scrapy setting
``SOTEVAHTI_SOURCES=/abs/path/to/sources.toml`` (and ``SOTEVAHTI_DB`` and ``SOTEVAHTI_PUBLIC_DIR``
as absolute paths, since a Scrapyd job runs in Scrapyd's directory).
Name and version come from ``pyproject.toml``.
"""

from setuptools import setup

setup(
    py_modules=["settings", "crawler"],
    packages=["spiders", "pipelines", "middlewares", "sotevahti", "sotevahti.mirror"],
    package_data={"sotevahti.mirror": ["data/*.toml", "data/watched/*.txt"]},
    include_package_data=False,
    entry_points={"scrapy": ["settings = settings"]},
    zip_safe=True,
)
