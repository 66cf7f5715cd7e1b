"""Access to the JSON Schemas in `schemas/` (shipped inside the wheel as `flash_lsp/schemas`)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

_PACKAGED = Path(__file__).parent / "schemas"
_REPOSITORY = Path(__file__).resolve().parents[2] / "schemas"


@cache
def load(name: str) -> dict:
    """Load `schemas/<name>` from the installed package, or from the source tree in development."""
    for base in (_PACKAGED, _REPOSITORY):
        path = base / name
        if path.is_file():
            return json.loads(path.read_text(encoding="utf-8"))
    raise FileNotFoundError(f"schema {name} not found in {_PACKAGED} or {_REPOSITORY}")
