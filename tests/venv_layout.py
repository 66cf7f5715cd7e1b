"""A project's `.venv` as the analysis reads it, written without running pip: `pyvenv.cfg`, and a
site-packages holding runpod-flash 1.21.0's package and dist-info (copied from the reference venv)
plus an empty package for each other import name asked for."""

from __future__ import annotations

import shutil
from pathlib import Path


def reference_site_packages() -> Path:
    """site-packages of the runpod-flash 1.21.0 reference venv (made on demand by tests/fidelity_flash1.py)."""
    from tests.fidelity_flash1 import ensure_env

    venv = ensure_env("flash-1.21", "base", log=lambda *a: None)
    (site,) = sorted(venv.glob("lib/python3*/site-packages"))
    return site


def make_venv(dest: Path, modules: tuple[str, ...] = ()) -> Path:
    """Write the venv at `dest` (its site-packages last, as pip does) and return its site-packages."""
    source = reference_site_packages()
    site = dest / "lib" / source.parent.name / "site-packages"
    site.mkdir(parents=True)
    (dest / "pyvenv.cfg").write_text(f"home = /usr/bin\nversion = {source.parent.name.removeprefix('python')}\n")
    for entry in sorted(source.glob("runpod_flash*")):
        shutil.copytree(entry, site / entry.name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in modules:
        (site / name).mkdir()
        (site / name / "__init__.py").write_text("")
    return site
