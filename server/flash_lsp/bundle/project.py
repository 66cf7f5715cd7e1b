"""The archive share of the project's own files and the generated ones.

Files that can be read under `project_root` are compressed for real (a level-9 tar stream, as the
build writes it; project trees are small: 99 KB took 30 ms, see `docs/size-model.md`) and cached by
(path, size, mtime); files over 8 MiB (weights, data) get the ratio of 8 sampled 64 KiB chunks. Files that cannot be read (generated ones: manifest, handlers) are modelled:
one tar header (~110 B compressed, PAX mtime included) plus a ratio of their size by type.

The share is itemised by top-level entry (`ProjectShare.parts`: ".venv/" → its compressed bytes), and
a shipped virtual environment can take a minute to compress: `on_progress` hears how far reading
has got (`Sizing`) about every `PROGRESS_EVERY_S` seconds, from the thread doing the work.
"""

from __future__ import annotations

import os
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

from . import tarsim

HEADER_BYTES = 110  # a file's PAX + ustar headers in the stream, compressed
DIR_BYTES = 75
RATIOS = {".py": 0.38, ".json": 0.45, ".txt": 0.55, ".md": 0.5, ".toml": 0.5, ".cfg": 0.5, ".yaml": 0.45, ".yml": 0.45}
OTHER_RATIO = 0.6
MAX_READ_FILE = 8 << 20
MAX_READ_TOTAL = 64 << 20
# gzip header (with the file name) and trailer, the root "./" entry, end-of-archive blocks.
ARCHIVE_OVERHEAD = 30 + 110 + tarsim.END_BLOCKS_COMPRESSED

PROGRESS_EVERY_S = 0.5

_cache: dict[tuple, object] = {}
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


@dataclass(frozen=True)
class Sizing:
    """How far compressing the readable project files has got."""

    done_bytes: int  # raw bytes read so far
    total_bytes: int  # raw bytes to read
    compressed_bytes: int  # their compressed share so far (a lower bound of the final one)
    part: str  # the top-level entry being read (".venv/")

    @property
    def percentage(self) -> int:
        return min(100, 100 * self.done_bytes // self.total_bytes) if self.total_bytes else 100


@dataclass
class ProjectShare:
    """The project files' share of the archive: compressed total, raw total, how it was obtained
    (compressed | modelled | mixed | none) and the compressed bytes per top-level entry."""

    total: int
    raw: int
    method: str
    parts: dict[str, int] = field(default_factory=dict)


def top_part(relpath: str) -> str:
    """The top-level entry a path belongs to: "dir/" for anything inside a directory, else the file."""
    head, sep, _rest = relpath.partition("/")
    return head + "/" if sep else head


def _dirs(paths) -> set[str]:
    out = set()
    for p in paths:
        parts = p.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            out.add("/".join(parts[:i]))
    return out


def _compress(readable, on_progress: Callable[[Sizing], None] | None) -> tuple[dict[str, int], list]:
    """Compressed bytes per top-level entry of readable (rel, full, size, mtime) files, written in
    tar order in one level-9 stream (as `tarsim.measure_groups` with one group per entry), and the
    files that could not be read after all."""
    stream = tarsim.TarStream()
    parts: dict[str, int] = {}
    failed: list[tuple[str, int]] = []
    seen: set[str] = set()
    total = sum(size for _r, _f, size, _m in readable)
    done = measured = 0
    current: str | None = None
    last = time.monotonic()
    for rel, full, size, _mtime in sorted(readable, key=lambda r: tarsim.tar_sort_key(r[0])):
        part = top_part(rel)
        if part != current:
            if current is not None:
                got = stream.measure()
                parts[current] = parts.get(current, 0) + got
                measured += got
            current = part
        try:
            with open(full, "rb") as fh:
                data = fh.read()
        except OSError:
            failed.append((rel, size))
            continue
        stream.add_parents(rel, seen)
        stream.add_file(rel, data)
        done += size
        if on_progress is not None and time.monotonic() - last >= PROGRESS_EVERY_S:
            last = time.monotonic()
            on_progress(Sizing(done, total, measured + stream.emitted, current))
    if current is not None:
        parts[current] = parts.get(current, 0) + stream.measure()
    return parts, failed


def project_bytes(files, root: str | None) -> tuple[int, int, str]:
    """(compressed archive share, raw bytes, method) of (relpath, size) files."""
    share = project_share(files, root)
    return share.total, share.raw, share.method


def project_share(files, root: str | None, on_progress: Callable[[Sizing], None] | None = None) -> ProjectShare:
    """The archive share of (relpath, size) files, itemised by top-level entry."""
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
    parts: dict[str, float] = {}
    if readable:
        key = tuple(sorted((f, s, m) for _r, f, s, m in readable))
        with _lock:
            hit = _cache.get(key)
        if hit is None:
            hit = _compress(readable, on_progress)
            with _lock:
                if len(_cache) > 256:
                    _cache.clear()
                _cache[key] = hit
        got, failed = hit
        parts.update(got)
        modelled += failed
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
        parts[top_part(rel)] = parts.get(top_part(rel), 0) + hit
    for rel, size in modelled:
        parts[top_part(rel)] = parts.get(top_part(rel), 0) + modelled_bytes(rel, size)
    if modelled or sampled:
        known_dirs = _dirs(r for r, *_ in readable)
        for d in _dirs([r for r, _ in modelled] + [r for r, *_ in sampled]) - known_dirs:
            parts[top_part(d + "/")] = parts.get(top_part(d + "/"), 0) + DIR_BYTES
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
    rounded = {k: int(round(v)) for k, v in parts.items()}
    return ProjectShare(sum(rounded.values()), raw, method, rounded)  # the parts add up to the total
