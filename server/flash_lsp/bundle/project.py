"""The archive share of the project's own files and the generated ones.

Files that can be read under `project_root` are compressed for real (a level-9 tar stream, as the
build writes it; project trees are small: 99 KB took 30 ms, see `docs/size-model.md`) and cached by
(path, size, mtime); files over 8 MiB (weights, data) get the ratio of 8 sampled 64 KiB chunks. Files that cannot be read (generated ones: manifest, handlers) are modelled:
one tar header (~110 B compressed, PAX mtime included) plus a ratio of their size by type.
"""

from __future__ import annotations

import os
import threading
import zlib

from . import tarsim

HEADER_BYTES = 110  # a file's PAX + ustar headers in the stream, compressed
DIR_BYTES = 75
RATIOS = {".py": 0.38, ".json": 0.45, ".txt": 0.55, ".md": 0.5, ".toml": 0.5, ".cfg": 0.5, ".yaml": 0.45, ".yml": 0.45}
OTHER_RATIO = 0.6
MAX_READ_FILE = 8 << 20
MAX_READ_TOTAL = 64 << 20
# gzip header (with the file name) and trailer, the root "./" entry, end-of-archive blocks.
ARCHIVE_OVERHEAD = 30 + 110 + tarsim.END_BLOCKS_COMPRESSED

_cache: dict[tuple, int] = {}
_lock = threading.Lock()


def modelled_bytes(relpath: str, size: int) -> float:
    ext = os.path.splitext(relpath)[1].lower()
    return HEADER_BYTES + RATIOS.get(ext, OTHER_RATIO) * size


def sampled_ratio(path: str, size: int, samples: int = 8, chunk: int = 65536) -> float:
    """Level-9 deflate ratio of `samples` chunks spread over a large file (model weights, archives)."""
    raw = comp = 0
    with open(path, "rb") as fh:
        for i in range(samples):
            fh.seek(max(0, (size - chunk) * i // max(samples - 1, 1)))
            data = fh.read(chunk)
            if not data:
                continue
            raw += len(data)
            comp += len(zlib.compress(data, 9)) - 6
    return comp / raw if raw else OTHER_RATIO


def _dirs(paths) -> set[str]:
    out = set()
    for p in paths:
        parts = p.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            out.add("/".join(parts[:i]))
    return out


def project_bytes(files, root: str | None) -> tuple[int, int, str]:
    """(compressed archive share, raw bytes, method) of (relpath, size) files."""
    files = [(str(p).replace(os.sep, "/"), int(s)) for p, s in files]
    raw = sum(s for _p, s in files)
    readable: list[tuple[str, str, int, int]] = []
    sampled: list[tuple[str, str, int, int]] = []  # large files: compression ratio from samples
    modelled: list[tuple[str, int]] = []
    budget = MAX_READ_TOTAL
    for rel, size in files:
        full = os.path.join(root, rel) if root else None
        st = None
        if full is not None:
            try:
                st = os.stat(full)
            except OSError:
                st = None
        if st is not None and st.st_size <= MAX_READ_FILE and st.st_size <= budget:
            budget -= st.st_size
            readable.append((rel, full, st.st_size, st.st_mtime_ns))
        elif st is not None:
            sampled.append((rel, full, st.st_size, st.st_mtime_ns))
        else:
            modelled.append((rel, size))
    total = 0.0
    if readable:
        key = tuple(sorted((f, s, m) for _r, f, s, m in readable))
        with _lock:
            hit = _cache.get(key)
        if hit is None:
            members = []
            for rel, full, _s, _m in readable:
                try:
                    with open(full, "rb") as fh:
                        members.append((rel, fh.read()))
                except OSError:
                    modelled.append((rel, _s))
            hit = tarsim.measure_groups({"project": members})["project"] if members else 0
            with _lock:
                if len(_cache) > 256:
                    _cache.clear()
                _cache[key] = hit
        total += hit
    for rel, full, size, mtime in sampled:
        key = (full, size, mtime)
        with _lock:
            hit = _cache.get(key)
        if hit is None:
            try:
                hit = HEADER_BYTES + int(sampled_ratio(full, size) * size)
            except OSError:
                hit = int(modelled_bytes(rel, size))
            with _lock:
                _cache[key] = hit
        total += hit
    if modelled or sampled:
        known_dirs = _dirs(r for r, *_ in readable)
        total += sum(modelled_bytes(r, s) for r, s in modelled)
        total += DIR_BYTES * len(_dirs([r for r, _ in modelled] + [r for r, *_ in sampled]) - known_dirs)
    exact = bool(readable) and not modelled and not sampled
    method = (
        "compressed"
        if exact
        else "modelled"
        if modelled and not readable and not sampled
        else "mixed"
        if files
        else "none"
    )
    return int(round(total)), raw, method
