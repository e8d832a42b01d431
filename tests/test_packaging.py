"""The package as installed: every folder of code is listed, every data file is shipped."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

ROOT = Path(__file__).parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
SETUPTOOLS = PYPROJECT["tool"]["setuptools"]


def _packages_on_disk() -> set[str]:
    found = set()
    for name, folder in SETUPTOOLS["package-dir"].items():
        for init in (ROOT / folder).rglob("__init__.py"):
            relative = init.parent.relative_to(ROOT / folder).parts
            found.add(".".join((name, *relative)))
    return found


def test_every_package_folder_is_installed() -> None:
    # setuptools installs only what `packages` lists: a new sub-folder left out would be
    # missing from a real install while an editable one still finds it.
    assert _packages_on_disk() <= set(SETUPTOOLS["packages"])


def test_package_data_is_found() -> None:
    for package, name in (("dakg.ontology", "dakg.ttl"), ("dakg.shapes", "dakg-shapes.ttl"),
                          ("dakg.graph.reference", "curated.toml"),
                          ("dakg.graph.sources", "cdip_35_2_zh.toml"),
                          ("dakg.graph.sources", "cdip_35_2_zh.txt"),
                          ("dakg.server", "templates/base.html"),
                          ("dakg.server", "static/query.js")):
        assert (resources.files(package) / name).is_file(), (package, name)
