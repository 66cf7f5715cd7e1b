"""Helpers for core tests: small projects written into a temp dir."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from flash_lsp.core.profiles import TETRA_024
from flash_lsp.core.project import Project

MAIN = "from fastapi import FastAPI\napp = FastAPI()\n"


def write_project(root: Path, files: dict[str, str], main: bool = True) -> Path:
    if main and "main.py" not in files:
        files = {"main.py": MAIN, **files}
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


@pytest.fixture
def analyze(tmp_path):
    """analyze({path: text}, profile=..., main=True) → ProjectModel of a fresh project."""

    def run(files: dict[str, str], profile=TETRA_024, main: bool = True, **kwargs):
        root = write_project(tmp_path / "proj", files, main)
        return Project(root, profile, **kwargs).analyze("2026-01-01T00:00:00.000000Z")

    return run


def codes(model) -> list[str]:
    return sorted(d.code for d in model.diagnostics)
