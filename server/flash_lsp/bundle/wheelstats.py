"""Per-wheel archive statistics: exact for small wheels, calibrated central-directory model for large.

* **exact** (wheel ≤ `EXACT_LIMIT`, default 2 MiB): the wheel is downloaded whole and its installed
  tree (after the build's bytecode cleanup, with pip's RECORD/INSTALLER changes and console scripts)
  is written through a level-9 tar stream (`tarsim`). Pure-Python wheels are where the
  central-directory model errs most (zip's per-file deflate vs one gzip stream, producers' deflate
  levels), and they are small.
* **sampled** (larger wheels): the M2 model over the central directory (`wheelcd`), with one correction
  factor per wheel for its compressible files (Python, text, data; not shared libraries) measured by
  recompressing a few windows of members (`SAMPLE_WINDOWS` × `SAMPLE_WINDOW` bytes, fetched with
  range requests). Cross-file redundancy (transformers: M2 +13.7 %, sampled −1.6 %) and producers'
  deflate levels are what this corrects.
* **central-directory**: the M2 model alone (sampling disabled or failed).
* **wheel-size-ratio**: the server refused range requests: 0.951 × wheel size (`docs/size-model.md`,
  "Wheel sizes: the compression model").
"""

from __future__ import annotations

import hashlib
import io
import struct
import zipfile
import zlib
from collections.abc import Callable

from . import tarsim, wheelcd
from .wheelcd import Fetch, TopLevelStats, WheelFormatError, WheelIndex, WheelStats, ZipMember

EXACT_LIMIT = 2 << 20
EXACT_SHLIB_MODEL = 64 << 10  # shared libraries above this size are modelled even in exact mode
SAMPLE_WINDOWS = 4
SAMPLE_WINDOW = 256 << 10
M1K_RATIO = 0.951
MIN_SAMPLE_MODEL_BYTES = 8192
CORRECTION_BOUNDS = (0.55, 1.35)
# Only compressible files are corrected. For shared libraries M2's 0.993 was better than any
# sample-based factor (a 256 KiB prefix of a .so is not representative): measured on numpy, pillow,
# opencv, hf_xet, tokenizers, pydantic_core (mean |err| 0.9 % with M2 vs 1.0 % corrected).
CORRECTED_GROUPS = frozenset({"text"})
RECORD_PYC_LINE = 9  # compressed bytes pip's RECORD gains per .py file (the __pycache__ line)
_SCRIPT = """#!/usr/bin/python3
# -*- coding: utf-8 -*-
import re
import sys
from {module} import {attr}
if __name__ == '__main__':
    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])
    sys.exit({call}())
"""


def _group(cat: str) -> str:
    return "shlib" if cat == "shlib" else "text"


def _dist_info_and_data(names: list[str], filename: str) -> tuple[str | None, str]:
    for n in names:
        top, _, rest = n.partition("/")
        if top.endswith(".dist-info") and rest == "METADATA":
            return top, top[: -len(".dist-info")] + ".data"
    base = filename.split("-")
    return None, (f"{base[0]}-{base[1]}.data" if len(base) > 1 else "?.data")


def _scripts(entry_points: str) -> list[tuple[str, bytes]]:
    out, section = [], None
    for line in entry_points.splitlines():
        line = line.strip()
        if line.startswith("["):
            section = line.strip("[]").strip()
            continue
        if section not in ("console_scripts", "gui_scripts") or "=" not in line or line.startswith(("#", ";")):
            continue
        name, _, target = (s.strip() for s in line.partition("="))
        module, _, attr = target.partition(":")
        attr = attr.split("[")[0].strip() or "main"
        text = _SCRIPT.format(module=module.strip(), attr=attr.split(".")[0], call=attr)
        out.append((f"bin/{name}", text.encode()))
    return out


def _record_with_install_changes(record: bytes, py_paths: list[str], python_tag: str) -> bytes:
    """RECORD as pip rewrites it: plus a `__pycache__` line per .py file and INSTALLER; sorted."""
    lines = [ln for ln in record.decode("utf-8", "replace").splitlines() if ln.strip()]
    extra = []
    for p in py_paths:
        d, _, base = p.rpartition("/")
        pyc = f"{d + '/' if d else ''}__pycache__/{base[:-3]}.{python_tag}.pyc,,"
        extra.append(pyc)
    rows = sorted(set(lines + extra))
    dist_info_record = next((ln.split(",")[0] for ln in lines if ln.split(",")[0].endswith("/RECORD")), None)
    if dist_info_record:
        rows.append(
            dist_info_record.rsplit("/", 1)[0] + "/INSTALLER,sha256=ceHRvVo7fL5WRhh1Ej5uAtLafMXHE5_0KjWCM4K_o7w,4"
        )
        rows.sort()
    return ("\n".join(rows) + "\n").encode()


def installed_members(zf: zipfile.ZipFile, filename: str, python_version: str = "3.11") -> list[tuple[str, bytes]]:
    """(installed path, bytes) of everything pip --target leaves for this wheel, after cleanup."""
    names = zf.namelist()
    dist_info, data_dir = _dist_info_and_data(names, filename)
    out: list[tuple[str, bytes]] = []
    py_paths: list[str] = []
    record_name = f"{dist_info}/RECORD" if dist_info else None
    record_data = b""
    for info in zf.infolist():
        path = wheelcd.installed_path(info.filename, data_dir)
        if path is None or wheelcd.is_removed_by_build(path):
            continue
        data = zf.read(info)
        if info.filename == record_name:
            record_data = data
            continue
        if path.endswith(".py"):
            py_paths.append(path)
        out.append((path, data))
    if dist_info:
        tag = "cpython-" + python_version.replace(".", "")
        out.append((record_name, _record_with_install_changes(record_data, py_paths, tag)))
        out.append((f"{dist_info}/INSTALLER", b"pip\n"))
        ep = f"{dist_info}/entry_points.txt"
        if ep in names:
            out.extend(_scripts(zf.read(ep).decode("utf-8", "replace")))
    return out


def stats_from_bytes(filename: str, data: bytes, *, python_version: str = "3.11") -> WheelStats:
    """Exact statistics of a whole wheel (bytes in memory)."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise WheelFormatError(str(exc)) from exc
    members = installed_members(zf, filename, python_version)
    stats = WheelStats(filename, len(data), method="exact")
    groups: dict[str, list[tuple[str, bytes]]] = {}
    modelled: dict[str, float] = {}
    zinfo = {
        wheelcd.installed_path(i.filename, _dist_info_and_data(zf.namelist(), filename)[1]): i for i in zf.infolist()
    }
    for path, content in members:
        top, sep, _ = path.partition("/")
        t = stats.top_level.get(top)
        if t is None:
            t = stats.top_level[top] = TopLevelStats(top, wheelcd._kind(top, bool(sep)))
        t.files += 1
        t.uncompressed += len(content)
        t.py_bytes += len(content) if path.endswith(".py") else 0
        info = zinfo.get(path)
        if info is not None and len(content) > EXACT_SHLIB_MODEL and wheelcd.category(path) == "shlib":
            # Level-9 deflate of shared libraries is slow (~10 MB/s) and M2 already predicts them within
            # ~0.5 %: model them, compress everything else.
            m = ZipMember(info.filename, info.compress_type, info.compress_size, info.file_size, info.header_offset)
            modelled[top] = modelled.get(top, 0.0) + wheelcd.member_archive_bytes(m)
            continue
        groups.setdefault(top, []).append((path, content))
    for info in zf.infolist():
        path = wheelcd.installed_path(info.filename, _dist_info_and_data(zf.namelist(), filename)[1])
        if path and path.partition("/")[0] in stats.top_level:
            stats.top_level[path.partition("/")[0]].compressed += info.compress_size
    for top, n in tarsim.measure_groups(groups).items():
        stats.top_level[top].archive = float(n)
    for top, n in modelled.items():
        stats.top_level[top].archive += n
    dist_info, _ = _dist_info_and_data(zf.namelist(), filename)
    if dist_info:
        try:
            stats.metadata = zf.read(f"{dist_info}/METADATA").decode("utf-8", "replace")
        except KeyError:
            pass
        try:
            stats.console_scripts = wheelcd.count_console_scripts(
                zf.read(f"{dist_info}/entry_points.txt").decode("utf-8", "replace")
            )
        except KeyError:
            pass
    return stats


# --------------------------------------------------------------------------- sampling


def _window_members(index: WheelIndex, data_dir: str, dist_info: str | None) -> list[tuple[ZipMember, str]]:
    out = []
    for m in index.members:
        path = wheelcd.installed_path(m.name, data_dir)
        if path is None or wheelcd.is_removed_by_build(path) or m.compressed <= 0:
            continue
        if dist_info and path.startswith(dist_info + "/"):
            continue
        out.append((m, path))
    out.sort(key=lambda mp: mp[0].header_offset)
    return out


def _decode_members(
    blob: bytes, blob_offset: int, members: list[tuple[ZipMember, str]]
) -> list[tuple[ZipMember, str, bytes, float]]:
    """(member, path, data, share) for members whose local header lies in `blob`.

    A member cut by the end of the window is decoded as far as it goes (`share` < 1 is the fraction
    of its compressed bytes that `data` stands for), so a wheel made of one huge shared library is
    still sampled.
    """
    out = []
    for m, path in members:
        rel = m.header_offset - blob_offset
        if rel < 0 or rel + 30 > len(blob) or blob[rel : rel + 4] != wheelcd.LOCAL_SIG:
            continue
        nlen, xlen = struct.unpack("<HH", blob[rel + 26 : rel + 30])
        start = rel + 30 + nlen + xlen
        avail = min(m.compressed, len(blob) - start)
        if avail <= 0 or (avail < m.compressed and avail < 65536):
            continue
        payload = blob[start : start + avail]
        try:
            if m.method == 8:
                data = zlib.decompressobj(-15).decompress(payload)
            elif m.method == 0:
                data = payload
            else:
                continue
        except zlib.error:
            continue
        out.append((m, path, data, avail / m.compressed))
    return out


def sample_corrections(
    index: WheelIndex,
    fetch: Fetch,
    filename: str,
    *,
    windows: int = SAMPLE_WINDOWS,
    window: int = SAMPLE_WINDOW,
) -> dict[str, float]:
    """Per group (`text`, `shlib`): real level-9 tar bytes ÷ M2 estimate, over sampled members."""
    dist_info, data_dir = _dist_info_and_data([m.name for m in index.members], filename)
    members = [
        mp for mp in _window_members(index, data_dir, dist_info) if _group(wheelcd.category(mp[1])) in CORRECTED_GROUPS
    ]
    if not members:
        return {}
    # Window starts: members at evenly spaced cumulative-compressed-size positions.
    total = sum(m.compressed for m, _ in members)
    starts, acc, k = [], 0, 0
    targets = [total * (i + 0.5) / windows for i in range(windows)]
    for i, (m, _p) in enumerate(members):
        while k < len(targets) and acc + m.compressed > targets[k] - window / 2:
            if not starts or starts[-1] != i:
                starts.append(i)
            k += 1
        acc += m.compressed
    picked: dict[int, tuple[ZipMember, str, bytes, float]] = {}
    fetched_until = -1
    for si in starts:
        m0 = members[si][0]
        if m0.header_offset < fetched_until:
            continue
        length = min(window, index.tail_offset - m0.header_offset) if m0.header_offset < index.tail_offset else 0
        if length <= 0:
            continue
        blob, off, _t = fetch(m0.header_offset, length)
        index.requests += 1
        fetched_until = off + len(blob)
        in_range = [mp for mp in members[si:] if mp[0].header_offset < fetched_until]
        if not in_range:
            continue
        for m, path, data, share in _decode_members(blob, off, in_range):
            picked[m.header_offset] = (m, path, data, share)
    if not picked:
        return {}
    by_group: dict[str, list[tuple[str, bytes]]] = {}
    model: dict[str, float] = {}
    for m, path, data, share in picked.values():
        g = _group(wheelcd.category(path))
        by_group.setdefault(g, []).append((path, data))
        if share >= 1.0:
            model[g] = model.get(g, 0.0) + wheelcd.member_archive_bytes(m)
        else:
            part = ZipMember(m.name, m.method, int(m.compressed * share), len(data), m.header_offset)
            model[g] = model.get(g, 0.0) + wheelcd.member_archive_bytes(part) - wheelcd.PER_FILE
    out: dict[str, float] = {}
    for g, items in by_group.items():
        if g not in CORRECTED_GROUPS or model[g] < MIN_SAMPLE_MODEL_BYTES:
            continue
        real = tarsim.measure_groups({g: items})[g]
        lo, hi = CORRECTION_BOUNDS
        out[g] = min(max(real / model[g], lo), hi)
    return out


def stats_from_index(
    filename: str,
    index: WheelIndex,
    fetch: Fetch | None,
    *,
    sample: bool = True,
) -> WheelStats:
    """M2 statistics from the central directory, corrected by sampled recompression when possible."""
    stats = wheelcd.wheel_stats(filename, index, fetch)
    corr: dict[str, float] = {}
    if sample and fetch is not None:
        try:
            corr = sample_corrections(index, fetch, filename)
        except (WheelFormatError, OSError, zlib.error, ValueError):
            corr = {}
    dist_info, data_dir = _dist_info_and_data([m.name for m in index.members], filename)
    if corr:
        for t in stats.top_level.values():
            t.archive = 0.0
    n_py = 0
    for m in index.members:
        path = wheelcd.installed_path(m.name, data_dir)
        if path is None or wheelcd.is_removed_by_build(path):
            continue
        n_py += path.endswith(".py")
        if corr:
            top = path.partition("/")[0]
            est = wheelcd.member_archive_bytes(m)
            if not (dist_info and top == dist_info):
                est *= corr.get(_group(wheelcd.category(path)), 1.0)
            stats.top_level[top].archive += est
    _add_install_changes(stats, dist_info, n_py)
    if corr:
        stats.method = "sampled"
    stats.requests = index.requests
    return stats


def _add_install_changes(stats: WheelStats, dist_info: str | None, n_py: int) -> None:
    if dist_info and dist_info in stats.top_level:
        di = stats.top_level[dist_info]
        di.files += 1
        di.uncompressed += 4 + 45 * n_py
        di.archive += 60 + RECORD_PYC_LINE * n_py
    if stats.console_scripts:
        t = stats.top_level.setdefault("bin", TopLevelStats("bin", "scripts"))
        t.files += stats.console_scripts
        t.uncompressed += 230 * stats.console_scripts
        t.archive += wheelcd.SCRIPT_BYTES * stats.console_scripts


def fetch_wheel_stats(
    get_range: Callable[[int | None, int], tuple[bytes, int, int]],
    filename: str,
    *,
    exact_limit: int = EXACT_LIMIT,
    sample: bool = True,
    python_version: str = "3.11",
    sha256: str | None = None,
) -> WheelStats:
    """Statistics of the wheel behind `get_range` (a range fetcher for its URL). A wheel read whole is
    checked against the `sha256` the resolver was given: a mismatch is a WheelFormatError."""
    index = wheelcd.read_index(get_range)
    if index.total <= exact_limit:
        if index.tail_offset == 0:
            data = index.tail
        else:
            head, off, _t = get_range(0, index.tail_offset)
            index.requests += 1
            if off != 0 or len(head) != index.tail_offset:
                raise WheelFormatError("short range response")
            data = head + index.tail
        if sha256 and hashlib.sha256(data).hexdigest() != sha256.lower():
            raise WheelFormatError("the wheel's sha256 is not the one its index claims")
        st = stats_from_bytes(filename, data, python_version=python_version)
        st.requests = index.requests
        return st
    return stats_from_index(filename, index, get_range, sample=sample)


def ratio_stats(filename: str, wheel_bytes: int) -> WheelStats:
    return wheelcd.ratio_stats(filename, wheel_bytes, M1K_RATIO)
