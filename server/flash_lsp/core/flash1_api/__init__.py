"""The runpod-flash 1.x API of the version a project builds with (docs/editor-1x.md): read from
the package installed in the build interpreter, else the bundled snapshot of 1.21.0."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from .reader import read_package

SNAPSHOT = Path(__file__).with_name("runpod-flash-1.21.0.json")
_CACHE: dict[tuple, Api] = {}


@dataclass(frozen=True)
class Parameter:
    name: str
    annotation: str
    default: str | None
    keyword_only: bool

    @property
    def label(self) -> str:
        text = f"{self.name}: {self.annotation}" if self.annotation else self.name
        return f"{text} = {self.default}" if self.default is not None else text


class Api:
    """One version's exports, call signatures and enums; `source` says where they were read."""

    def __init__(self, data: dict, source: str):
        self.version: str = data["version"]
        self.exports: frozenset[str] = frozenset(data["exports"])
        self.signatures: dict[str, list[Parameter]] = {
            k: [Parameter(**p) for p in v] for k, v in data["signatures"].items()
        }
        self.docs: dict[str, str] = data["docs"]
        self.enums: dict[str, dict[str, dict]] = data["enums"]
        self.source = source

    def parameter(self, callee: str, name: str) -> Parameter | None:
        return next((p for p in self.signatures.get(callee, ()) if p.name == name), None)

    @cached_property
    def enum_values(self) -> dict[str, dict[str, str]]:
        """enum → member value (as text) → member name."""
        return {enum: {str(m["value"]): name for name, m in members.items()} for enum, members in self.enums.items()}

    def enums_in(self, annotation: str) -> list[str]:
        """The enums an annotation names, in the order it names them."""
        return list(dict.fromkeys(word for word in re.findall(r"\w+", annotation) if word in self.enums))


def api_for(site_packages: str | None) -> Api:
    """The API of the runpod_flash in `site_packages` (re-read when its files change), else the snapshot."""
    package = Path(site_packages) / "runpod_flash" if site_packages else None
    if package is not None and (package / "__init__.py").is_file():
        key = (str(package), *(_mtime(package / f) for f in ("__init__.py", "endpoint.py")))
        api = _CACHE.get(key)
        if api is None:
            api = _CACHE[key] = Api(read_package(package), str(package))
        return api
    key = ("snapshot",)
    if key not in _CACHE:
        _CACHE[key] = Api(json.loads(SNAPSHOT.read_text(encoding="utf-8")), "bundled snapshot of runpod-flash 1.21.0")
    return _CACHE[key]


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0
