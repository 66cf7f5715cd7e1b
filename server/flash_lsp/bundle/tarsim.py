"""Measuring what files add to a level-9 ``tar.gz`` by actually compressing them.

The build writes ``tarfile.open(path, "w:gz")``: one gzip stream (level 9) over 512-byte tar headers
and file data, members in ``sorted(os.listdir())`` order per directory. `TarStream` reproduces that
stream for a list of (path, bytes) members and measures the compressed bytes per group of members
(a `Z_SYNC_FLUSH` at group boundaries costs ~5 bytes and keeps the dictionary).

Used for (1) small wheels, downloaded whole: exact; (2) samples of large wheels, to calibrate the
central-directory model per wheel; (3) project files read from disk.
"""

from __future__ import annotations

import tarfile
import zlib

# End-of-archive: two zero blocks padded to tarfile's 10240-byte record; deflate-9 of zeros.
END_BLOCKS_COMPRESSED = 20


def tar_sort_key(path: str) -> tuple:
    """Order in which tarfile.add(recursive) visits paths: sorted by component at every level."""
    return tuple(path.split("/"))


class TarStream:
    """A deflate-9 stream fed with tar members; `measure()` returns bytes out since the last call."""

    def __init__(self, mtime: float | None = None, uname: str = "root", gname: str = "root"):
        self._z = zlib.compressobj(9, zlib.DEFLATED, -15, zlib.DEF_MEM_LEVEL)  # as gzip.GzipFile
        self._out = 0
        self._mark = 0
        # A fixed 10-digit epoch: results are deterministic, and the PAX record has the real length.
        self.mtime = float(int(mtime if mtime is not None else 1_790_000_000))
        self.uname = uname
        self.gname = gname
        self._n = 0

    def _header(self, name: str, size: int, is_dir: bool) -> bytes:
        ti = tarfile.TarInfo("./" + name)
        ti.size = 0 if is_dir else size
        ti.type = tarfile.DIRTYPE if is_dir else tarfile.REGTYPE
        ti.mode = 0o755 if is_dir else 0o644
        # tarfile.add() takes st_mtime, a float: every member then gets a PAX header carrying the
        # full-precision mtime ("28 mtime=1795801725.4420304"). Installed files have distinct
        # sub-second mtimes; emulate their entropy deterministically.
        self._n += 1
        frac = ((self._n * 2654435761) % 10_000_000) / 10_000_000 or 0.5
        ti.mtime = self.mtime + frac
        ti.uname, ti.gname = self.uname, self.gname
        return ti.tobuf(tarfile.PAX_FORMAT, "utf-8", "surrogateescape")

    def add_dir(self, name: str) -> None:
        self._out += len(self._z.compress(self._header(name, 0, True)))

    def add_parents(self, name: str, seen: set[str]) -> None:
        """Entries for the directories above `name` that are not in `seen` yet (tarfile.add writes a
        directory before its contents); adds them to `seen`."""
        parts = name.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            d = "/".join(parts[:i])
            if d not in seen:
                seen.add(d)
                self.add_dir(d)

    def add_file(self, name: str, data: bytes) -> None:
        z = self._z
        n = len(z.compress(self._header(name, len(data), False)))
        n += len(z.compress(data))
        pad = (-len(data)) % 512
        if pad:
            n += len(z.compress(b"\0" * pad))
        self._out += n

    @property
    def emitted(self) -> int:
        """Compressed bytes out since the previous measure(), without flushing (a lower bound)."""
        return self._out - self._mark

    def measure(self) -> int:
        """Compressed bytes produced since the previous measure() (flushes the pending block)."""
        self._out += len(self._z.flush(zlib.Z_SYNC_FLUSH))
        got = self._out - self._mark
        self._mark = self._out
        return got


def measure_groups(groups: dict[str, list[tuple[str, bytes]]], *, with_dirs: bool = True) -> dict[str, int]:
    """Compressed bytes of each group of (path, data) members, written in tar order in one stream.

    Groups are visited in tar order of their first path; directories are emitted before their files
    like tarfile.add does.
    """
    stream = TarStream()
    out: dict[str, int] = {}
    seen_dirs: set[str] = set()
    order = sorted(groups, key=lambda g: min((tar_sort_key(p) for p, _ in groups[g]), default=(g,)))
    for g in order:
        members = sorted(groups[g], key=lambda m: tar_sort_key(m[0]))
        for path, data in members:
            if with_dirs:
                stream.add_parents(path, seen_dirs)
            stream.add_file(path, data)
        out[g] = stream.measure()
    return out
