"""The predictor's caches: resolutions (L1 memory + L2 JSON files) and per-wheel statistics.

Layout under the cache dir (``$FLASH_LSP_CACHE_DIR``, else platformdirs' user cache dir of
``flash-lsp``, subdirectory ``bundle``)::

    resolutions/<key>.json   the dependency part of an estimate, keyed by the normalised input
    wheels/<id>.json         statistics of one wheel, keyed by its sha256 (or URL hash); immutable

Exclusions and project files are not part of any key: they are applied when an answer is assembled.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement

from .tags import canonical
from .wheelcd import WheelStats

CACHE_VERSION = 3  # bump when the stored resolution format changes
STATS_VERSION = 7  # bump when the per-wheel model changes (invalidates wheel statistics)


def default_cache_dir() -> Path:
    env = os.environ.get("FLASH_LSP_CACHE_DIR")
    if env:
        return Path(env)
    try:
        import platformdirs

        return Path(platformdirs.user_cache_dir("flash-lsp", appauthor=False)) / "bundle"
    except Exception:  # pragma: no cover - platformdirs is a dependency
        return Path.home() / ".cache" / "flash-lsp" / "bundle"


def normalise_requirement(req) -> str:
    """A requirement string normalised for the cache key (name canonicalised, specifiers sorted)."""
    if not isinstance(req, str):
        return f"<non-string {type(req).__name__}: {req!r}>"
    try:
        r = Requirement(req)
    except InvalidRequirement:
        return "<raw>" + req.strip()
    out = canonical(r.name)
    if r.extras:
        out += "[" + ",".join(sorted(canonical(e) for e in r.extras)) + "]"
    if r.url:
        out += " @ " + r.url
    spec = ",".join(sorted(str(s) for s in r.specifier))
    out += spec
    if r.marker is not None:
        out += " ; " + str(r.marker)
    return out


def env_fingerprint(env: dict[str, str] | None) -> str:
    """Hash of the environment variables that change what pip or uv resolve."""
    env = os.environ if env is None else env
    items = sorted((k, v) for k, v in env.items() if k.startswith(("PIP_", "UV_")) and k not in ("PIP_CERT",))
    return hashlib.sha256(json.dumps(items).encode()).hexdigest()[:12]


def resolution_key(requirements, python_version: str, platforms, no_deps: bool, profile: str) -> str:
    payload = {
        "v": CACHE_VERSION,
        "reqs": sorted({normalise_requirement(r) for r in requirements}),
        "python": python_version,
        "platforms": list(platforms),
        "impl": "cp",
        "only_binary": True,
        "no_deps": bool(no_deps),
        "profile": profile,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:32]


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


class Cache:
    def __init__(self, root: str | os.PathLike | None = None):
        self.root = Path(root) if root is not None else default_cache_dir()
        self._l1: dict[str, dict] = {}
        self._wheels: dict[str, WheelStats] = {}
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ resolutions

    def _res_path(self, key: str) -> Path:
        return self.root / "resolutions" / f"{key}.json"

    def get_resolution(self, key: str) -> dict | None:
        hit = self._l1.get(key)
        if hit is not None:
            return hit
        try:
            entry = json.loads(self._res_path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if entry.get("cache_version") != CACHE_VERSION or entry.get("stats_version") != STATS_VERSION:
            return None
        self._l1[key] = entry
        return entry

    def put_resolution(self, key: str, entry: dict) -> None:
        entry.update(cache_version=CACHE_VERSION, stats_version=STATS_VERSION, stored_at=time.time())
        self._l1[key] = entry
        try:
            on_disk = {k: v for k, v in entry.items() if not k.startswith("_")}
            _write_atomic(self._res_path(key), json.dumps(on_disk, separators=(",", ":")))
        except OSError:
            pass

    def forget_memory(self) -> None:
        """Drop L1 (tests measure L2 hits this way)."""
        self._l1.clear()
        self._wheels.clear()

    # ------------------------------------------------------------------ wheels

    @staticmethod
    def wheel_id(url: str, sha256: str | None) -> str:
        base = sha256 or hashlib.sha256(url.encode()).hexdigest()
        return f"{base[:48]}-s{STATS_VERSION}"

    def get_wheel(self, wid: str) -> WheelStats | None:
        with self._lock:
            hit = self._wheels.get(wid)
        if hit is not None:
            return hit
        path = self.root / "wheels" / f"{wid}.json"
        try:
            st = WheelStats.from_dict(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError):
            return None
        with self._lock:
            self._wheels[wid] = st
        return st

    def put_wheel(self, wid: str, stats: WheelStats) -> None:
        with self._lock:
            self._wheels[wid] = stats
        if stats.method == "wheel-size-ratio":
            return  # a fallback: try the real statistics again next time
        try:
            _write_atomic(self.root / "wheels" / f"{wid}.json", json.dumps(stats.to_dict(), separators=(",", ":")))
        except OSError:
            pass

