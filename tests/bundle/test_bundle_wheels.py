"""The size model: central-directory reading, exact/sampled statistics, tar stream, pip tags."""

from __future__ import annotations

import io
import os
import random
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from flash_lsp.bundle import tags, tarsim, wheelcd, wheelstats
from flash_lsp.bundle.http import HttpClient
from flash_lsp.bundle.wheelcd import RangeNotSupported

from .stubs import make_wheel

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "bundle"


def _py_source(seed: int, n: int) -> str:
    rnd = random.Random(seed)
    words = ["value", "result", "config", "handler", "request", "payload", "index", "model", "token", "batch"]
    lines = [f'"""Module {seed}."""', "import os", ""]
    for i in range(n):
        a, b = rnd.choice(words), rnd.choice(words)
        lines.append(f"def {a}_{b}_{i}({a}, {b}={rnd.randint(0, 999)}):")
        lines.append(f"    return {a} * {b} + {rnd.random():.6f}  # {rnd.choice(words)}")
        lines.append("")
    return "\n".join(lines)


def _binary(seed: int, n: int) -> bytes:
    rnd = random.Random(seed)
    # Half-compressible "machine code": random bytes interleaved with repeated patterns.
    out = bytearray()
    while len(out) < n:
        out += rnd.randbytes(64) + b"\x48\x89\xe5\x00\x00" * rnd.randint(1, 20)
    return bytes(out[:n])


def sample_wheel(name="demo", version="1.0", *, n_modules=12, so_bytes=0, scripts=True, data=True, **kw):
    files = {f"{name}/__init__.py": "from .mod0 import *\n", f"{name}/py.typed": ""}
    for i in range(n_modules):
        files[f"{name}/mod{i}.py"] = _py_source(i, 40 + i * 5)
    files[f"{name}/data/table.json"] = '{"k": [' + ",".join(str(i) for i in range(2000)) + "]}"
    files[f"{name}/__pycache__/mod0.cpython-311.pyc"] = b"\x00" * 500  # removed by the build
    if so_bytes:
        files[f"{name}/_native.cpython-311-x86_64-linux-gnu.so"] = _binary(7, so_bytes)
        files[f"{name}.libs/libfoo-1a2b3c.so.1"] = _binary(8, so_bytes // 2)
    if data:
        files[f"{name}-{version}.data/scripts/demo-tool"] = "#!python\nprint('hi')\n"
        files[f"{name}-{version}.data/data/share/demo/readme.txt"] = "shared data\n" * 50
    ep = "[console_scripts]\ndemo = demo.mod0:value_result_0\ndemo2 = demo.mod1:main\n" if scripts else None
    return make_wheel(name, version, files, entry_points=ep, **kw)


def range_fetcher(data: bytes, counter: list | None = None):
    def fetch(start, length):
        if counter is not None:
            counter.append((start, length))
        total = len(data)
        if start is None:
            off = max(total - length, 0)
            return data[off:], off, total
        return data[start : start + length], start, total

    return fetch


# --------------------------------------------------------------------------- central directory


def test_read_index_matches_zipfile():
    fn, data = sample_wheel(so_bytes=20000)
    idx = wheelcd.read_index(range_fetcher(data))
    zf = zipfile.ZipFile(io.BytesIO(data))
    assert [(m.name, m.compressed, m.uncompressed) for m in idx.members] == [
        (i.filename, i.compress_size, i.file_size) for i in zf.infolist()
    ]
    assert idx.total == len(data)


def test_read_index_second_request_when_cd_exceeds_tail():
    files = {f"pkg/m{i:04d}_{'x' * 40}.py": f"x = {i}\n" for i in range(800)}
    fn, data = make_wheel("pkg", "1.0", files)
    calls = []
    idx = wheelcd.read_index(range_fetcher(data, calls), tail_bytes=4096)
    assert len(idx.members) == 803
    assert len(calls) == 2 and calls[1][0] is not None  # tail, then the start of the CD


def test_zip64_central_directory():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as zf:
        for i in range(66000):  # > 65535 entries: zipfile writes ZIP64 end records
            zf.writestr(f"p/{i}", b"")
        zf.writestr("p-1.0.dist-info/METADATA", "Name: p\nVersion: 1.0\n")
    data = buf.getvalue()
    idx = wheelcd.read_index(range_fetcher(data), tail_bytes=1 << 22)
    assert len(idx.members) == 66001
    assert idx.members[-1].name == "p-1.0.dist-info/METADATA"


def test_read_member_inside_and_outside_tail():
    fn, data = sample_wheel()
    calls = []
    fetch = range_fetcher(data, calls)
    idx = wheelcd.read_index(fetch, tail_bytes=2048)
    md = idx.member("demo-1.0.dist-info/METADATA")
    assert wheelcd.read_member(idx, md, fetch).startswith(b"Metadata-Version")
    first = idx.members[0]
    assert wheelcd.read_member(idx, first, fetch) == zipfile.ZipFile(io.BytesIO(data)).read(first.name)


def test_not_a_zip():
    with pytest.raises(wheelcd.WheelFormatError):
        wheelcd.read_index(range_fetcher(b"not a zip file at all" * 100))


def test_installed_paths_and_kinds():
    assert wheelcd.installed_path("demo-1.0.data/purelib/demo/x.py", "demo-1.0.data") == "demo/x.py"
    assert wheelcd.installed_path("demo-1.0.data/platlib/demo/x.so", "demo-1.0.data") == "demo/x.so"
    assert wheelcd.installed_path("demo-1.0.data/scripts/tool", "demo-1.0.data") == "bin/tool"
    assert wheelcd.installed_path("demo-1.0.data/headers/x.h", "demo-1.0.data") == "include/x.h"
    assert wheelcd.installed_path("demo-1.0.data/data/share/x", "demo-1.0.data") == "share/x"
    assert wheelcd.installed_path("demo/", "demo-1.0.data") is None
    assert wheelcd.is_removed_by_build("a/__pycache__/b.cpython-311.pyc")
    assert wheelcd.is_removed_by_build("a/b.pyd") and not wheelcd.is_removed_by_build("a/b.py")
    assert wheelcd.category("x/libfoo.so.1") == "shlib" and wheelcd.category("x/m.py") == "py"
    assert wheelcd.category("x-1.dist-info/METADATA") == "text" and wheelcd.category("x/model.bin") == "other"


def test_cd_statistics_top_levels_and_scripts():
    fn, data = sample_wheel(so_bytes=20000)
    idx = wheelcd.read_index(range_fetcher(data))
    st = wheelstats.stats_from_index(fn, idx, range_fetcher(data), sample=False)
    names = set(st.top_level)
    assert {"demo", "demo.libs", "demo-1.0.dist-info", "bin", "share"} <= names
    assert st.console_scripts == 2
    assert st.top_level["bin"].files == 3  # demo-tool from .data/scripts + 2 console scripts
    assert not any("__pycache__" in n for n in names)
    assert st.metadata and "Name: demo" in st.metadata
    assert st.method == "central-directory"


# --------------------------------------------------------------------------- exactness vs. a real pip install + tarfile


def _real_archive_share(tmp_path: Path, wheel_path: Path) -> dict[str, int]:
    """pip install --target (offline, this wheel only), cleanup, tar.gz each top-level entry alone."""
    target = tmp_path / "target"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--no-index",
            "--target",
            str(target),
            "-q",
            "--disable-pip-version-check",
            str(wheel_path),
        ],
        check=True,
        env={**os.environ, "PIP_CONFIG_FILE": os.devnull},
    )
    for p in list(target.rglob("__pycache__")):
        shutil.rmtree(p, ignore_errors=True)
    for pat in ("*.pyc", "*.pyo", "*.pyd"):
        for p in target.rglob(pat):
            p.unlink()
    out = {}
    for entry in sorted(os.listdir(target)):
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w:gz") as tar:
            tar.add(target / entry, arcname=f"./{entry}")
        out[entry] = len(buf.getvalue()) - 60  # minus the gzip header/trailer and end blocks of a lone archive
    return out


def test_exact_stats_match_real_install(tmp_path):
    fn, data = sample_wheel(so_bytes=30000)
    wheel = tmp_path / fn
    wheel.write_bytes(data)
    real = _real_archive_share(tmp_path, wheel)
    st = wheelstats.stats_from_bytes(fn, data)
    assert st.method == "exact"
    assert set(st.top_level) == set(real)
    pred_total = st.archive_bytes
    real_total = sum(real.values())
    assert abs(pred_total / real_total - 1) < 0.02, (pred_total, real_total)
    assert abs(st.top_level["demo"].archive / real["demo"] - 1) < 0.02


def test_sampled_stats_close_to_real_install(tmp_path):
    files = {f"big/sub{i // 50}/m{i}.py": _py_source(100 + i, 30) for i in range(300)}
    files["big/_core.so"] = _binary(3, 200_000)
    fn, data = make_wheel("big", "2.0", files, compresslevel=1)  # a producer that deflates poorly
    wheel = tmp_path / fn
    wheel.write_bytes(data)
    real_total = sum(_real_archive_share(tmp_path, wheel).values())
    fetch = range_fetcher(data)
    idx = wheelcd.read_index(fetch)
    m2 = wheelstats.stats_from_index(fn, idx, fetch, sample=False).archive_bytes
    sampled = wheelstats.stats_from_index(fn, wheelcd.read_index(fetch), fetch, sample=True)
    assert sampled.method == "sampled"
    err_m2 = abs(m2 / real_total - 1)
    err_sampled = abs(sampled.archive_bytes / real_total - 1)
    assert err_sampled < 0.04, (sampled.archive_bytes, real_total)
    assert err_sampled < err_m2


def test_fetch_wheel_stats_exact_vs_sampled_by_size():
    fn, data = sample_wheel()
    assert wheelstats.fetch_wheel_stats(range_fetcher(data), fn).method == "exact"
    st = wheelstats.fetch_wheel_stats(range_fetcher(data), fn, exact_limit=1000)
    assert st.method in ("sampled", "central-directory")


def test_ratio_fallback():
    st = wheelstats.ratio_stats("big-1.0-py3-none-any.whl", 1_000_000)
    assert st.method == "wheel-size-ratio" and st.archive_bytes == 951_000


def test_stats_roundtrip_dict():
    fn, data = sample_wheel()
    st = wheelstats.stats_from_bytes(fn, data)
    again = wheelcd.WheelStats.from_dict(st.to_dict())
    assert again.archive_bytes == st.archive_bytes and set(again.top_level) == set(st.top_level)


def test_recorded_tail_of_a_real_wheel():
    """The recorded last 64 KiB of numpy 2.4.6's manylinux wheel (16.9 MB) parse with the M2 model."""
    tail_file = FIXTURES / "numpy-2.4.6-cp311-tail.bin"
    tail = tail_file.read_bytes()
    total = int((FIXTURES / "numpy-2.4.6-cp311-tail.size").read_text())

    def fetch(start, length):
        off = total - len(tail)
        if start is None:
            assert length <= len(tail)
            return tail[len(tail) - length :], total - length, total
        if start < off:
            raise OSError("not recorded")  # METADATA/entry_points lie before the recorded bytes
        return tail[start - off : start - off + length], start, total

    idx = wheelcd.read_index(fetch)
    st = wheelstats.stats_from_index(
        "numpy-2.4.6-cp311-cp311-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl", idx, fetch, sample=False
    )
    assert {"numpy", "numpy.libs", "numpy-2.4.6.dist-info"} <= set(st.top_level)
    # Real archive share (tar.gz -9 of the installed tree): numpy 7,918,067 B, numpy.libs 8,529,359 B.
    assert abs(st.top_level["numpy.libs"].archive / 8_529_359 - 1) < 0.01
    assert abs(st.top_level["numpy"].archive / 7_918_067 - 1) < 0.05


# --------------------------------------------------------------------------- tar stream


def test_tar_stream_matches_tarfile(tmp_path):
    members = {f"pkg/m{i}.py": _py_source(i, 50).encode() for i in range(20)}
    members["pkg/data.bin"] = _binary(1, 50_000)
    root = tmp_path / "t"
    for p, b in members.items():
        (root / p).parent.mkdir(parents=True, exist_ok=True)
        (root / p).write_bytes(b)
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        tar.add(root / "pkg", arcname="./pkg")
    real = len(buf.getvalue())
    sim = tarsim.measure_groups({"pkg": list(members.items())})["pkg"]
    assert abs(sim / real - 1) < 0.01


# --------------------------------------------------------------------------- pip tags


def test_pip_tags_literal_manylinux():
    sup = tags.pip_tags("3.11")
    ok = [
        "a-1-cp311-cp311-manylinux_2_28_x86_64.whl",
        "a-1-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
        "a-1-cp311-cp311-manylinux1_x86_64.whl",
        "a-1-cp311-cp311-manylinux2010_x86_64.whl",
        "a-1-cp38-abi3-manylinux2014_x86_64.whl",
        "a-1-py3-none-any.whl",
    ]
    bad = [
        "a-1-cp311-cp311-manylinux_2_27_x86_64.whl",  # uv accepts this, the build's pip does not
        "a-1-cp311-cp311-manylinux_2_5_x86_64.whl",
        "a-1-cp312-cp312-manylinux_2_28_x86_64.whl",
        "a-1-cp311-cp311-manylinux_2_28_aarch64.whl",
        "a-1-cp311-cp311-macosx_11_0_arm64.whl",
        "a-1-cp311-cp311-musllinux_1_2_x86_64.whl",
    ]
    assert all(tags.wheel_priority(f, sup) is not None for f in ok)
    assert all(tags.wheel_priority(f, sup) is None for f in bad)


def test_pick_wheel_prefers_specific_abi():
    sup = tags.pip_tags("3.11")
    files = [
        "a-1-py3-none-any.whl",
        "a-1-cp37-abi3-manylinux1_x86_64.manylinux_2_28_x86_64.manylinux_2_5_x86_64.whl",
        "a-1-cp311-cp311-manylinux1_x86_64.manylinux_2_28_x86_64.manylinux_2_5_x86_64.whl",
    ]
    assert tags.pick_wheel(files, sup) == files[2]
    assert tags.pick_wheel(files[:2], sup) == files[1]
    assert tags.pick_wheel(["a-1-cp311-cp311-manylinux_2_27_x86_64.whl"], sup) is None
    assert tags.expand_platforms(tags.RUNPOD_PLATFORMS) == (
        "manylinux_2_28_x86_64",
        "manylinux_2_17_x86_64",
        "manylinux2014_x86_64",
        "manylinux2010_x86_64",
        "manylinux1_x86_64",
    )


def test_http_client_ranges_against_stub(stub_index):
    fn, data = sample_wheel()
    url = stub_index.add_file(fn, data)
    http = HttpClient()
    tail, off, total = http.get_range(url, None, 100)
    assert tail == data[-100:] and off == len(data) - 100 and total == len(data)
    mid, off, total = http.get_range(url, 10, 20)
    assert mid == data[10:30] and off == 10
    stub_index.ranges = False
    tail, off, total = http.get_range(url, None, 100)  # small file: the whole body is used
    assert tail == data[-100:] and total == len(data)
    big_fn, big = make_wheel("huge", "1.0", {"huge/blob.bin": os.urandom(5 << 20)}, compression=zipfile.ZIP_STORED)
    big_url = stub_index.add_file(big_fn, big)
    with pytest.raises(RangeNotSupported):
        http.get_range(big_url, None, 65536)
    http.close()
