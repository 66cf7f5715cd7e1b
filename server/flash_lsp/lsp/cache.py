"""Persistent cache of per-file summaries (keyed by path and content hash, per tool version).

The file is JSON (docs/security.md, "Caches"): loading it can only build the summary types of the
analysis core (`_TYPES`), never run code. Values are tagged where JSON has no type of its own
(tuples, named tuples, dicts with non-string keys, bytes, complex numbers, sets, enums). A file of
another format or version, and any entry that does not decode into the known types, is ignored with
a log line. Entries are decoded when first asked for (loading 2,000 summaries eagerly took 4x as long
as the pickle did; see docs/benchmarks.md).
"""

from __future__ import annotations

import base64
import dataclasses
import enum
import json
import logging
import os
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

from .. import __version__
from ..core import model as core_model
from ..core import summary as core_summary

log = logging.getLogger(__name__)

FORMAT = "flash-lsp-summaries"
VERSION = 1
MAX_INT_BITS = 14_000  # below Python's 4,300-digit limit on int <-> str conversion


def _known_types() -> dict[str, type]:
    out: dict[str, type] = {}
    for module in (core_summary, core_model):
        for name, value in vars(module).items():
            if not isinstance(value, type) or value.__module__ != module.__name__:
                continue
            if dataclasses.is_dataclass(value) or issubclass(value, enum.Enum) or hasattr(value, "_fields"):
                out[name] = value
    return out


_TYPES = _known_types()


class CacheFormatError(ValueError):
    """A value in the cache file that is not one of the known summary types."""


def encode(value: Any) -> Any:
    """`value` as JSON data (tagged where JSON has no such type); CacheFormatError for unknown types."""
    if value is None or isinstance(value, (bool, str, float)):
        return value
    if isinstance(value, enum.Enum):
        return {"$enum": _type_name(value), "v": encode(value.value)}
    if isinstance(value, int):
        if value.bit_length() > MAX_INT_BITS:
            raise CacheFormatError("an integer too long for JSON")
        return value
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return {"$nt": _type_name(value), "v": [encode(v) for v in value]}
    if isinstance(value, tuple):
        return {"$tuple": [encode(v) for v in value]}
    if isinstance(value, dict):
        return {"$dict": [[encode(k), encode(v)] for k, v in value.items()]}
    if isinstance(value, (set, frozenset)):
        return {"$set": [encode(v) for v in value], "frozen": isinstance(value, frozenset)}
    if isinstance(value, bytes):
        return {"$bytes": base64.b64encode(value).decode("ascii")}
    if isinstance(value, complex):
        return {"$complex": [value.real, value.imag]}
    if value is Ellipsis:
        return {"$ellipsis": True}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"$dc": _type_name(value), "f": fields}
    raise CacheFormatError(f"cannot store a {type(value).__name__}")


def _type_name(value: Any) -> str:
    name = type(value).__name__
    if _TYPES.get(name) is not type(value):
        raise CacheFormatError(f"{name} is not a summary type")
    return name


def decode(data: Any) -> Any:
    """The inverse of `encode`; CacheFormatError for anything it would not have written."""
    if data is None or isinstance(data, (bool, str, int, float)):
        return data
    if isinstance(data, list):
        return [decode(v) for v in data]
    if not isinstance(data, dict) or len(data) not in (1, 2):
        raise CacheFormatError("unexpected value")
    tag = next(iter(data))
    body = data[tag]
    if tag == "$tuple":
        return tuple(decode(v) for v in _list(body))
    if tag == "$dict":
        return {decode(k): decode(v) for k, v in (_pair(p) for p in _list(body))}
    if tag == "$set":
        items = [decode(v) for v in _list(body)]
        return frozenset(items) if data.get("frozen") else set(items)
    if tag == "$bytes" and isinstance(body, str):
        return base64.b64decode(body, validate=True)
    if tag == "$complex":
        re_, im = _pair(body)
        return complex(float(re_), float(im))
    if tag == "$ellipsis":
        return Ellipsis
    if tag in ("$nt", "$enum", "$dc"):
        cls = _TYPES.get(body) if isinstance(body, str) else None
        if cls is None:
            raise CacheFormatError(f"unknown type {body!r}")
        try:
            if tag == "$nt" and hasattr(cls, "_fields"):
                return cls(*(decode(v) for v in _list(data.get("v"))))
            if tag == "$enum" and issubclass(cls, enum.Enum):
                return cls(decode(data.get("v")))
            if tag == "$dc" and dataclasses.is_dataclass(cls) and isinstance(data.get("f"), dict):
                return cls(**{k: decode(v) for k, v in data["f"].items()})
        except (TypeError, ValueError) as exc:
            raise CacheFormatError(f"{body}: {exc}") from exc
    raise CacheFormatError(f"unexpected tag {tag!r}")


def _list(value: Any) -> list:
    if not isinstance(value, list):
        raise CacheFormatError("expected a list")
    return value


def _pair(value: Any) -> tuple[Any, Any]:
    if not isinstance(value, list) or len(value) != 2:
        raise CacheFormatError("expected a pair")
    return value[0], value[1]


class LazySummaries(MutableMapping):
    """Summaries by key; those loaded from disk are decoded (and checked) when first asked for."""

    def __init__(self, raw: dict | None = None):
        self.raw: dict[str, Any] = raw or {}
        self.decoded: dict[str, core_summary.FileSummary] = {}
        self.rejected = 0

    def __getitem__(self, key: str) -> core_summary.FileSummary:
        hit = self.decoded.get(key)
        if hit is not None:
            return hit
        data = self.raw.pop(key)  # KeyError: not cached
        try:
            summary = decode(data)
        except (CacheFormatError, ValueError, RecursionError):
            summary = None
        if not isinstance(summary, core_summary.FileSummary):
            self.rejected += 1
            log.warning("summary cache: ignored an entry that is not a summary (%s)", key.replace("\0", " "))
            raise KeyError(key)
        self.decoded[key] = summary
        return summary

    def __setitem__(self, key: str, value: core_summary.FileSummary) -> None:
        self.raw.pop(key, None)
        self.decoded[key] = value

    def __delitem__(self, key: str) -> None:
        if self.decoded.pop(key, None) is None:
            del self.raw[key]

    def __iter__(self):
        yield from self.raw
        yield from self.decoded

    def __len__(self) -> int:
        return len(self.raw) + len(self.decoded)


class SummaryCache:
    """Summaries loaded from and saved to one JSON file in the user cache dir."""

    def __init__(self, path: Path):
        self.path = path
        self.entries = LazySummaries()
        self._loaded_size = 0

    @classmethod
    def default(cls) -> SummaryCache | None:
        base = os.environ.get("FLASH_LSP_CACHE_DIR")
        if base == "off":
            return None
        if not base:
            import platformdirs

            base = platformdirs.user_cache_dir("flash-lsp")
        cache = cls(Path(base) / f"summaries-{__version__}.json")
        cache.load()
        return cache

    def load(self) -> None:
        try:
            with open(self.path, encoding="utf-8") as handle:
                data = json.load(handle)
        except FileNotFoundError:
            return
        except (OSError, ValueError, RecursionError) as exc:
            log.warning("ignoring unreadable summary cache %s: %s", self.path, exc)
            return
        if not (
            isinstance(data, dict)
            and data.get("format") == FORMAT
            and data.get("version") == VERSION
            and isinstance(data.get("entries"), dict)
        ):
            log.warning("ignoring summary cache %s: not format %s version %s", self.path, FORMAT, VERSION)
            return
        self.entries = LazySummaries(data["entries"])
        self._loaded_size = len(self.entries)

    def save(self, limit: int = 50_000) -> None:
        """Write the cache if it grew (atomically; the newest `limit` entries; entries never asked
        for are kept as read, and checked when they are)."""
        if len(self.entries) == self._loaded_size:
            return
        encoded = dict(self.entries.raw)
        for key, summary in self.entries.decoded.items():
            try:
                encoded[key] = encode(summary)
            except (CacheFormatError, ValueError, RecursionError):
                continue  # e.g. an integer constant too long to print: analysed again next time
        encoded = dict(list(encoded.items())[-limit:])
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(f".{os.getpid()}.tmp")
            body = json.dumps({"format": FORMAT, "version": VERSION, "entries": encoded}, separators=(",", ":"))
            tmp.write_text(body, encoding="utf-8")
            os.replace(tmp, self.path)
            self._loaded_size = len(self.entries)
        except (OSError, ValueError) as exc:
            log.warning("could not write the summary cache %s: %s", self.path, exc)
