from __future__ import annotations

import os
import socket

import pytest

from .stubs import FakeTools, StubIndex


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path, monkeypatch):
    """Every test gets its own predictor cache (FLASH_LSP_CACHE_DIR)."""
    monkeypatch.setenv("FLASH_LSP_CACHE_DIR", str(tmp_path / "flash-lsp-cache"))
    yield


@pytest.fixture
def stub_index():
    idx = StubIndex()
    try:
        yield idx
    finally:
        idx.close()


@pytest.fixture
def fake_tools(tmp_path):
    return FakeTools(tmp_path / "fake-tools")


_PYPI_OK: bool | None = None


def pypi_reachable() -> bool:
    global _PYPI_OK
    if _PYPI_OK is None:
        if os.environ.get("FLASH_LSP_SKIP_NETWORK") == "1":
            _PYPI_OK = False
        else:
            try:
                with socket.create_connection(("pypi.org", 443), timeout=5):
                    _PYPI_OK = True
            except OSError:
                _PYPI_OK = False
    return _PYPI_OK


def pytest_collection_modifyitems(config, items):
    skip = None
    for item in items:
        if "network" in item.keywords and str(item.fspath).startswith(os.path.dirname(__file__)):
            if skip is None:
                skip = (
                    False
                    if pypi_reachable()
                    else pytest.mark.skip(reason="PyPI is not reachable (or FLASH_LSP_SKIP_NETWORK=1)")
                )
            if skip:
                item.add_marker(skip)
