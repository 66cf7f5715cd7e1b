"""Reading a wheel's zip central directory from its tail, and what it says about the archive.

A wheel is a zip; its central directory (CD) at the end lists every member with its compressed and
uncompressed size. One HTTP range request for the last 64 KiB usually holds the whole CD (and often
the small ``.dist-info`` members, which are written last), so the per-file statistics of a 500 MB
wheel cost ~64 KB of download (`docs/size-model.md`, "Wheel sizes: the compression model").

From the members we compute, per installed top-level name, the archive contribution with the M2
model of `docs/size-model.md` (fitted against real ``tar.gz`` level-9 archives): Σ k_cat × compressed
size − 134 B per file, with k = 0.950 (``.py``), 0.888 (text), 0.993 (shared libraries), 1.027 (other).
"""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

EOCD_SIG = b"PK\x05\x06"
ZIP64_LOCATOR_SIG = b"PK\x06\x07"
ZIP64_EOCD_SIG = b"PK\x06\x06"
CD_SIG = b"PK\x01\x02"
LOCAL_SIG = b"PK\x03\x04"
TAIL_BYTES = 65536

# M2 coefficients (`docs/size-model.md`; weighted least squares on 119 distributions, held out on 6 sets).
K_PY = 0.950
K_TEXT = 0.888
K_SHLIB = 0.993
K_OTHER = 1.027
PER_FILE = -134
# Stored (uncompressed) members: ratios of gzip -9 output to raw size by category. Stored members are
# rare in wheels; these are the typical gzip -9 ratios of raw files (Python 0.17-0.26, text ~0.3,
# shared libraries ~0.43).
STORED_RATIO = {"py": 0.25, "text": 0.30, "shlib": 0.43, "other": 0.70}
# A console script pip writes into bin/ for each entry point (~230 B raw).
SCRIPT_BYTES = 170

_TEXT_EXT = frozenset(
    """
    .json .txt .md .rst .pyi .h .hpp .c .cc .cpp .cu .cuh .html .htm .js .mjs .cjs .ts .css .yaml .yml
    .toml .cfg .ini .csv .tsv .xml .svg .pem .typed .in .sh .bat .ps1 .fish .csh .jinja .jinja2 .j2
    .tmpl .tpl .mako .pxd .pyx .pxi .inc .def .proto .map .lock .ipynb .tex .sql .rb .pl .r .lua
    .license .log .po .properties .cmake .am .ac
    """.split()
)
_TEXT_NAMES = frozenset(
    {
        "METADATA",
        "RECORD",
        "WHEEL",
        "LICENSE",
        "NOTICE",
        "AUTHORS",
        "COPYING",
        "INSTALLER",
        "REQUESTED",
        "top_level.txt",
        "entry_points.txt",
        "LICENCE",
        "README",
        "CHANGELOG",
    }
)
_SHLIB_RE = re.compile(r"\.(so(\.\d+)*|dylib|a|dll)$")
_BYTECODE_RE = re.compile(r"\.py[cod]$")  # cleanup_python_bytecode removes *.pyc, *.pyo, *.pyd


class WheelFormatError(ValueError):
    """The bytes are not a readable zip central directory."""


@dataclass(frozen=True)
class ZipMember:
    name: str
    method: int
    compressed: int
    uncompressed: int
    header_offset: int


def category(path: str) -> str:
    """`py`, `text`, `shlib` or `other` for the compression model."""
    base = path.rsplit("/", 1)[-1]
    if base.endswith(".py"):
        return "py"
    if _SHLIB_RE.search(base):
        return "shlib"
    dot = base.rfind(".")
    if (
        (dot >= 0 and base[dot:].lower() in _TEXT_EXT)
        or base in _TEXT_NAMES
        or base.upper().startswith(("LICEN", "COPYING", "NOTICE", "AUTHORS"))
    ):
        return "text"
    return "other"


def member_archive_bytes(m: ZipMember) -> float:
    """M2 estimate of one member's share of the level-9 tar.gz (can be slightly negative for tiny files)."""
    cat = category(m.name)
    if m.method == 0 and m.uncompressed > 0:
        return STORED_RATIO[cat] * m.uncompressed + PER_FILE * 0.5
    k = K_PY if cat == "py" else K_TEXT if cat == "text" else K_SHLIB if cat == "shlib" else K_OTHER
    return k * m.compressed + PER_FILE


def is_removed_by_build(path: str) -> bool:
    """Files `cleanup_python_bytecode` deletes before archiving (bytecode and __pycache__ dirs)."""
    return bool(_BYTECODE_RE.search(path)) or "__pycache__/" in path or path.startswith("__pycache__")


# --------------------------------------------------------------------------- parsing


def find_eocd(tail: bytes, tail_offset: int, total: int) -> tuple[int, int, int]:
    """(cd_offset, cd_size, entries) from the last bytes of a zip; follows a ZIP64 locator."""
    pos = tail.rfind(EOCD_SIG)
    while pos >= 0 and pos + 22 > len(tail):
        pos = tail.rfind(EOCD_SIG, 0, pos)
    if pos < 0:
        raise WheelFormatError("no end-of-central-directory record")
    (_, _disk, _cd_disk, _n_here, entries, cd_size, cd_offset, _clen) = struct.unpack(
        "<4sHHHHIIH", tail[pos : pos + 22]
    )
    if entries == 0xFFFF or cd_size == 0xFFFFFFFF or cd_offset == 0xFFFFFFFF:
        loc = pos - 20
        if loc < 0 or tail[loc : loc + 4] != ZIP64_LOCATOR_SIG:
            raise WheelFormatError("ZIP64 markers without a ZIP64 locator")
        (_, _d, z64_offset, _ndisks) = struct.unpack("<4sIQI", tail[loc : loc + 20])
        rel = z64_offset - tail_offset
        if rel < 0 or tail[rel : rel + 4] != ZIP64_EOCD_SIG:
            raise WheelFormatError("ZIP64 end-of-central-directory record outside the fetched tail")
        (_, _size, _vm, _vn, _disk, _cdd, _nh, entries, cd_size, cd_offset) = struct.unpack(
            "<4sQHHIIQQQQ", tail[rel : rel + 56]
        )
    if cd_offset + cd_size > total:
        raise WheelFormatError("central directory beyond the end of the file")
    return cd_offset, cd_size, entries


def parse_central_directory(cd: bytes) -> list[ZipMember]:
    members: list[ZipMember] = []
    pos = 0
    n = len(cd)
    while pos + 46 <= n and cd[pos : pos + 4] == CD_SIG:
        (_sig, _vm, _vn, flags, method, _t, _d, _crc, csize, usize, nlen, xlen, clen, _dn, _ia, _ea, off) = (
            struct.unpack("<4sHHHHHHIIIHHHHHII", cd[pos : pos + 46])
        )
        raw_name = cd[pos + 46 : pos + 46 + nlen]
        name = raw_name.decode("utf-8" if flags & 0x800 else "cp437", "replace")
        extra = cd[pos + 46 + nlen : pos + 46 + nlen + xlen]
        if usize == 0xFFFFFFFF or csize == 0xFFFFFFFF or off == 0xFFFFFFFF:
            usize, csize, off = _zip64_extra(extra, usize, csize, off)
        members.append(ZipMember(name, method, csize, usize, off))
        pos += 46 + nlen + xlen + clen
    return members


def _zip64_extra(extra: bytes, usize: int, csize: int, off: int) -> tuple[int, int, int]:
    i = 0
    while i + 4 <= len(extra):
        tag, size = struct.unpack("<HH", extra[i : i + 4])
        if tag == 1:
            data = extra[i + 4 : i + 4 + size]
            j = 0
            if usize == 0xFFFFFFFF and j + 8 <= len(data):
                usize = struct.unpack("<Q", data[j : j + 8])[0]
                j += 8
            if csize == 0xFFFFFFFF and j + 8 <= len(data):
                csize = struct.unpack("<Q", data[j : j + 8])[0]
                j += 8
            if off == 0xFFFFFFFF and j + 8 <= len(data):
                off = struct.unpack("<Q", data[j : j + 8])[0]
            break
        i += 4 + size
    return usize, csize, off


# A fetcher returns (data, offset_of_data, total_size) for a byte range; start=None means "the last
# `length` bytes". It raises RangeNotSupported when the server ignores Range on a large file.
Fetch = Callable[[int | None, int], tuple[bytes, int, int]]


class RangeNotSupported(Exception):
    """The server answered a range request with the whole (large) body; `size` is its length if known."""

    def __init__(self, size: int | None = None):
        super().__init__(f"range requests not supported (size {size})")
        self.size = size


@dataclass
class WheelIndex:
    """The central directory of a wheel plus the bytes fetched so far (its tail)."""

    total: int
    members: list[ZipMember]
    tail: bytes
    tail_offset: int
    requests: int = 1

    def member(self, name: str) -> ZipMember | None:
        for m in self.members:
            if m.name == name:
                return m
        return None


def read_index(fetch: Fetch, tail_bytes: int = TAIL_BYTES) -> WheelIndex:
    data, off, total = fetch(None, tail_bytes)
    requests = 1
    cd_offset, cd_size, _entries = find_eocd(data, off, total)
    if cd_offset < off:
        head, hoff, _ = fetch(cd_offset, off - cd_offset)
        requests += 1
        if hoff != cd_offset or len(head) != off - cd_offset:
            raise WheelFormatError("short range response")
        data, off = head + data, cd_offset
    cd = data[cd_offset - off : cd_offset - off + cd_size]
    return WheelIndex(total, parse_central_directory(cd), data, off, requests)


def read_member(index: WheelIndex, m: ZipMember, fetch: Fetch | None, limit: int = 4 << 20) -> bytes:
    """The uncompressed content of member `m` (from the fetched tail when it is inside it)."""
    if m.uncompressed > limit:
        raise WheelFormatError(f"{m.name} is too large to read ({m.uncompressed} B)")
    need = 30 + 1024 + m.compressed  # local header + generous name/extra allowance + data
    rel = m.header_offset - index.tail_offset
    if rel >= 0 and rel + 30 <= len(index.tail):
        blob = index.tail[rel:]
    elif fetch is not None:
        blob, _o, _t = fetch(m.header_offset, min(need, index.total - m.header_offset))
        index.requests += 1
    else:
        raise WheelFormatError(f"{m.name} is outside the fetched tail")
    if blob[:4] != LOCAL_SIG:
        raise WheelFormatError("bad local header")
    nlen, xlen = struct.unpack("<HH", blob[26:30])
    start = 30 + nlen + xlen
    if len(blob) < start + m.compressed:
        if fetch is None:
            raise WheelFormatError(f"{m.name} is outside the fetched tail")
        blob, _o, _t = fetch(m.header_offset, start + m.compressed)
        index.requests += 1
    payload = blob[start : start + m.compressed]
    if m.method == 0:
        return payload
    if m.method == 8:
        return zlib.decompressobj(-15).decompress(payload)
    raise WheelFormatError(f"unsupported compression method {m.method}")


# --------------------------------------------------------------------------- statistics


@dataclass
class TopLevelStats:
    name: str
    kind: str  # package | module | dist-info | scripts | data | headers | other
    files: int = 0
    uncompressed: int = 0
    compressed: int = 0
    archive: float = 0.0
    py_bytes: int = 0  # uncompressed `.py` bytes (pip compiles each to bytecode where a build keeps it)

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "kind": self.kind,
            "files": self.files,
            "uncompressed_bytes": self.uncompressed,
            "archive_bytes": int(round(max(self.archive, 0.0))),
        }


@dataclass
class WheelStats:
    """What a wheel adds to the build dir, per installed top-level name (after bytecode cleanup)."""

    filename: str
    wheel_bytes: int
    top_level: dict[str, TopLevelStats] = field(default_factory=dict)
    metadata: str | None = None  # METADATA text when it was read
    console_scripts: int = 0
    method: str = "central-directory"
    requests: int = 0

    @property
    def archive_bytes(self) -> int:
        return int(round(max(sum(t.archive for t in self.top_level.values()), 0.0)))

    @property
    def uncompressed_bytes(self) -> int:
        return sum(t.uncompressed for t in self.top_level.values())

    @property
    def files(self) -> int:
        return sum(t.files for t in self.top_level.values())

    def to_dict(self) -> dict:
        return {
            "filename": self.filename,
            "wheel_bytes": self.wheel_bytes,
            "top_level": [
                t.to_dict() | {"_archive": t.archive, "_compressed": t.compressed, "_py": t.py_bytes}
                for t in self.top_level.values()
            ],
            "metadata": self.metadata,
            "console_scripts": self.console_scripts,
            "method": self.method,
            "requests": self.requests,
        }

    @classmethod
    def from_dict(cls, d: dict) -> WheelStats:
        ws = cls(
            d["filename"],
            d["wheel_bytes"],
            metadata=d.get("metadata"),
            console_scripts=d.get("console_scripts", 0),
            method=d.get("method", "central-directory"),
            requests=d.get("requests", 0),
        )
        for t in d.get("top_level", []):
            ws.top_level[t["name"]] = TopLevelStats(
                t["name"],
                t["kind"],
                t["files"],
                t["uncompressed_bytes"],
                t.get("_compressed", 0),
                t.get("_archive", t["archive_bytes"]),
                t.get("_py", 0),
            )
        return ws


def installed_path(member: str, data_dir: str) -> str | None:
    """Where pip --target puts a wheel member (None: not installed, e.g. a directory entry)."""
    if member.endswith("/"):
        return None
    if member.startswith(data_dir + "/"):
        rest = member[len(data_dir) + 1 :]
        kind, _, sub = rest.partition("/")
        if not sub:
            return None
        if kind in ("purelib", "platlib"):
            return sub
        if kind == "scripts":
            return "bin/" + sub
        if kind == "headers":
            return "include/" + sub
        if kind == "data":
            return sub
        return None
    return member


def _kind(top: str, rest: bool) -> str:
    if top.endswith(".dist-info"):
        return "dist-info"
    if top == "bin":
        return "scripts"
    if top == "include":
        return "headers"
    if not rest:
        return "module" if top.endswith((".py", ".so")) or _SHLIB_RE.search(top) else "other"
    return "package"


def count_console_scripts(entry_points_txt: str) -> int:
    n, section = 0, None
    for line in entry_points_txt.splitlines():
        line = line.strip()
        if line.startswith("["):
            section = line.strip("[]").strip()
        elif line and not line.startswith(("#", ";")) and "=" in line and section in ("console_scripts", "gui_scripts"):
            n += 1
    return n


def wheel_stats(
    filename: str, index: WheelIndex, fetch: Fetch | None = None, *, want_metadata: bool = True
) -> WheelStats:
    """Per-top-level statistics of a wheel, plus its METADATA text and console-script count."""
    stats = WheelStats(filename, index.total)
    dist_info = data_dir = None
    for m in index.members:
        top = m.name.split("/", 1)[0]
        if top.endswith(".dist-info") and m.name.endswith("/METADATA") and m.name.count("/") == 1:
            dist_info = top
            data_dir = top[: -len(".dist-info")] + ".data"
            break
    if data_dir is None:
        base = filename.split("-")
        data_dir = f"{base[0]}-{base[1]}.data" if len(base) > 1 else "?.data"
    for m in index.members:
        path = installed_path(m.name, data_dir)
        if path is None or is_removed_by_build(path):
            continue
        top, sep, _ = path.partition("/")
        t = stats.top_level.get(top)
        if t is None:
            t = stats.top_level[top] = TopLevelStats(top, _kind(top, bool(sep)))
        t.files += 1
        t.uncompressed += m.uncompressed
        t.py_bytes += m.uncompressed if path.endswith(".py") else 0
        t.compressed += m.compressed
        t.archive += member_archive_bytes(m)
    if dist_info is not None:
        ep = index.member(f"{dist_info}/entry_points.txt")
        if ep is not None:
            try:
                stats.console_scripts = count_console_scripts(read_member(index, ep, fetch).decode("utf-8", "replace"))
            except (WheelFormatError, zlib.error, OSError):
                stats.console_scripts = 0
        if want_metadata:
            md = index.member(f"{dist_info}/METADATA")
            if md is not None:
                try:
                    stats.metadata = read_member(index, md, fetch).decode("utf-8", "replace")
                except (WheelFormatError, zlib.error, OSError):
                    stats.metadata = None
    stats.requests = index.requests
    return stats


def ratio_stats(filename: str, wheel_bytes: int, ratio: float) -> WheelStats:
    """Fallback when the central directory cannot be read: wheel size × measured ratio (M1k)."""
    stats = WheelStats(filename, wheel_bytes, method="wheel-size-ratio")
    name = filename.split("-", 1)[0]
    stats.top_level[name] = TopLevelStats(name, "package", 0, 0, wheel_bytes, ratio * wheel_bytes)
    return stats
