"""The predictor's caches: resolutions (L1 memory + L2 JSON files) and per-wheel statistics.

Layout under the cache dir (``$FLASH_LSP_CACHE_DIR``, else platformdirs' user cache dir of
``flash-lsp``, subdirectory ``bundle``)::

    resolutions/<key>.json   the dependency part of an estimate, keyed by the normalised input
    wheels/<id>.json         statistics of one wheel, keyed by the index set, its URL and claimed sha256

Every key holds the index set the answer came from (the user's configuration and, for a trusted
project, its index options), so a project with an index of its own cannot change the answer another
project gets (docs/security.md). Exclusions and project files are not part of any key: they are
applied when an answer is assembled. Entries are plain JSON; unreadable or mismatched ones are ignored.
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

CACHE_VERSION = 4  # bump when the stored resolution format changes
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


def resolution_key(
    requirements,
    python_version: str,
    platforms,
    no_deps: bool,
    profile: str,
    *,
    indexes: list[str] = (),
    constraints: list[str] = (),
    invalid: list[str] = (),
) -> str:
    payload = {
        "indexes": list(indexes),
        "constraints": sorted({normalise_requirement(c) for c in constraints}),
        "invalid": sorted(invalid),
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
        if not isinstance(entry, dict) or entry.get("key") != key:
            return None
        if entry.get("cache_version") != CACHE_VERSION or entry.get("stats_version") != STATS_VERSION:
            return None
        self._l1[key] = entry
        return entry

    def put_resolution(self, key: str, entry: dict) -> None:
        entry.update(cache_version=CACHE_VERSION, stats_version=STATS_VERSION, stored_at=time.time(), key=key)
        self._l1[key] = entry
        try:
            on_disk = {k: v for k, v in entry.items() if not k.startswith("_")}
            _write_atomic(self._res_path(key), json.dumps(on_disk, separators=(",", ":")))
        except OSError:
            pass

    # ------------------------------------------------------------------ wheels

    @staticmethod
    def wheel_id(indexes: str, url: str, sha256: str | None) -> str:
        """Key of one wheel's statistics: the index set it came from, its URL and the sha256 claimed for it."""
        base = hashlib.sha256(json.dumps([indexes, url, sha256]).encode()).hexdigest()
        return f"{base[:48]}-s{STATS_VERSION}"

    def get_wheel(self, wid: str) -> WheelStats | None:
        with self._lock:
            hit = self._wheels.get(wid)
        if hit is not None:
            return hit
        path = self.root / "wheels" / f"{wid}.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or data.pop("wheel_id", None) != wid:
                return None
            st = WheelStats.from_dict(data)
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
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
            body = {**stats.to_dict(), "wheel_id": wid}
            _write_atomic(self.root / "wheels" / f"{wid}.json", json.dumps(body, separators=(",", ":")))
        except OSError:
            pass
