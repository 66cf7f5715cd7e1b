"""The predictor end to end against a local stub index and fake pip/uv executables (no network)."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import sys
import time
import zipfile
from pathlib import Path

import pytest

from flash_lsp import cli
from flash_lsp.bundle import SizePredictor, SizeRequest
from flash_lsp.bundle import project as project_mod
from flash_lsp.bundle.model import SizeEstimate

from .stubs import FakeTools, make_wheel, pylock, report_item
from .test_bundle_wheels import _py_source

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "bundle"


def _publish(stub_index, specs):
    """specs: [(name, version, files, requires, requested)] -> (report items, pylock packages, sizes)."""
    items, lock = [], []
    for name, version, files, requires, requested in specs:
        fn, data = make_wheel(name, version, files, requires=requires)
        url = stub_index.add_file(fn, data)
        items.append(report_item(name, version, url, data, requires=requires, requested=requested))
        lock.append((name, version, [(url, len(data), hashlib.sha256(data).hexdigest())]))
    return items, lock


APP = [
    (
        "app",
        "1.0",
        {"app/__init__.py": _py_source(1, 200), "app/cli.py": _py_source(2, 50)},
        ["lib-one>=1", "lib_two"],
        True,
    ),
    ("lib-one", "2.0", {"lib_one/__init__.py": _py_source(3, 400)}, ["lib_two"], False),
    (
        "lib_two",
        "3.1",
        {"lib_two.py": _py_source(4, 100), "lib_two_data/big.json": "[" + ",".join(map(str, range(5000))) + "]"},
        [],
        False,
    ),
]


@pytest.fixture
def world(stub_index, fake_tools):
    items, lock = _publish(stub_index, APP)
    fake_tools.set_pip({"mode": "ok", "install": items})
    fake_tools.set_uv({"mode": "ok", "pylock": pylock(lock)})
    return stub_index, fake_tools, items, lock


def _predictor(fake_tools, stub_index, *, use_uv=False, **kw) -> SizePredictor:
    return SizePredictor(
        python=fake_tools.python,
        uv_path=fake_tools.uv,
        use_uv=use_uv,
        env=fake_tools.env(),
        index_url=stub_index.simple,
        **kw,
    )


def _req(**kw) -> SizeRequest:
    return SizeRequest.make(kw.pop("requirements", ["app"]), "3.11", **kw)


async def test_authoritative_estimate(world):
    stub_index, fake_tools, items, _ = world
    p = _predictor(fake_tools, stub_index)
    est = await p.estimate(_req(project_files=[("main.py", 300), ("flash_manifest.json", 541)]))
    assert est.confidence == "authoritative" and est.state == "ready"
    assert est.resolver.startswith("pip")
    assert est.limit_bytes == 500 * 1048576
    assert est.archive_bytes == sum(pk.archive_bytes for pk in est.packages) + est.project_bytes + est.overhead_bytes
    assert {pk.name for pk in est.packages} == {"app", "lib-one", "lib_two"}
    by = {pk.name: pk for pk in est.packages}
    assert by["lib_two"].required_by == ["app"] and by["lib_two"].via == ["app", "lib-two"]
    assert by["app"].direct and not by["lib-one"].direct
    assert all(pk.size_method == "exact" and pk.wheel_bytes for pk in est.packages)
    assert {t.name for t in by["lib_two"].top_level} == {"lib_two.py", "lib_two_data", "lib_two-3.1.dist-info"}
    call = fake_tools.calls("pip")[-1]
    assert call["requirements"] == ["app"] and "--dry-run" in call["argv"] and "--only-binary=:all:" in call["argv"]
    assert est.project_raw_bytes == 841 and est.project_bytes > 0
    json.dumps(est.to_dict())  # JSON-able
    again = SizeEstimate.from_dict(json.loads(json.dumps(est.to_dict())))
    assert again.archive_bytes == est.archive_bytes and again.packages[0].top_level
    p.close()


async def test_cache_hits_are_fast(world):
    stub_index, fake_tools, _, _ = world
    p = _predictor(fake_tools, stub_index)
    req = _req()
    first = await p.estimate(req)
    n_calls = len(fake_tools.calls("pip"))
    t0 = time.perf_counter()
    est = await p.estimate(req)
    l1 = time.perf_counter() - t0
    assert est.confidence == "cached" and est.cached_from == "authoritative"
    assert est.archive_bytes == first.archive_bytes
    assert len(fake_tools.calls("pip")) == n_calls
    # A new process: only the disk cache (L2).
    p2 = _predictor(fake_tools, stub_index)
    t0 = time.perf_counter()
    est2 = p2.cached(req)
    l2 = time.perf_counter() - t0
    assert est2 is not None and est2.archive_bytes == first.archive_bytes
    # Exclusion changes are not part of the key: still a hit.
    assert p2.cached(_req(exclusions=("nothing",))) is not None
    assert l1 < 0.05 and l2 < 0.05, (l1, l2)
    # Reordered / respaced requirement set: same key.
    assert p2.key_for(_req(requirements=["App "])) == p2.key_for(req)
    p.close()
    p2.close()


async def test_updates_provisional_then_authoritative(world):
    stub_index, fake_tools, _, _ = world
    p = _predictor(fake_tools, stub_index, use_uv=True)
    seen = []
    est = await p.estimate(_req(), on_update=seen.append)
    assert [(e.confidence, e.state) for e in seen] == [("provisional", "updating")]
    assert seen[0].resolver.startswith("uv 0.99.0")
    assert est.confidence == "authoritative" and est.state == "ready"
    assert seen[0].archive_bytes == est.archive_bytes  # same wheels, same statistics (cached per wheel)
    p.close()


async def test_fast_mode_stops_after_uv(world):
    stub_index, fake_tools, _, _ = world
    p = _predictor(fake_tools, stub_index, use_uv=True)
    est = await p.estimate(_req(), mode="fast")
    assert est.confidence == "provisional" and est.state == "ready"
    assert fake_tools.calls("pip") == []
    p.close()


async def test_uv_divergence_goes_to_pip(world):
    stub_index, fake_tools, items, lock = world
    fn, data = make_wheel(
        "nvidia-cublas",
        "13.0",
        {"nvidia/cublas/lib/libcublas.so.13": b"\x7fELF" * 1000},
        tag="py3-none-manylinux_2_27_x86_64",
    )
    url = stub_index.add_file(fn, data)
    fake_tools.set_uv({"mode": "ok", "pylock": pylock(lock + [("nvidia-cublas", "13.0", [(url, len(data))])])})
    p = _predictor(fake_tools, stub_index, use_uv=True)
    seen = []
    est = await p.estimate(_req(), mode="fast", on_update=seen.append)
    assert seen and seen[0].confidence == "provisional" and seen[0].state == "updating"
    assert any("nvidia-cublas==13.0" in n and "cannot install" in n for n in seen[0].notes)
    assert est.confidence == "authoritative" and "nvidia-cublas" not in {p.name for p in est.packages}
    p.close()


async def test_cancellation_kills_the_resolver(world, tmp_path):
    stub_index, fake_tools, _, _ = world
    pidfile = tmp_path / "pip.pid"
    fake_tools.set_pip({"mode": "sleep", "pidfile": str(pidfile)})
    p = _predictor(fake_tools, stub_index)
    task = asyncio.create_task(p.estimate(_req()))
    for _ in range(200):
        if pidfile.exists() and pidfile.read_text():
            break
        await asyncio.sleep(0.05)
    pid = int(pidfile.read_text())
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    for _ in range(100):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        # A zombie of an already reaped process group counts as gone.
        try:
            if open(f"/proc/{pid}/stat").read().split()[2] == "Z":
                break
        except OSError:
            break
        await asyncio.sleep(0.05)
    else:
        pytest.fail("the pip subprocess survived cancellation")
    p.close()


async def test_range_refused_falls_back_to_ratio(stub_index, fake_tools):
    fn, data = make_wheel("huge", "1.0", {"huge/blob.bin": os.urandom(5 << 20)}, compression=zipfile.ZIP_STORED)
    url = stub_index.add_file(fn, data)
    stub_index.ranges = False
    fake_tools.set_pip({"mode": "ok", "install": [report_item("huge", "1.0", url, data, requested=True)]})
    p = _predictor(fake_tools, stub_index)
    est = await p.estimate(_req(requirements=["huge"]))
    (pk,) = est.packages
    assert pk.size_method == "wheel-size-ratio"
    assert pk.archive_bytes == round(0.951 * len(data)) + 80
    assert any("0.951" in n for n in est.notes)
    p.close()


async def test_offline_serves_the_last_answer(world):
    stub_index, fake_tools, _, _ = world
    p = _predictor(fake_tools, stub_index, ttl=0)
    first = await p.estimate(_req())
    fake_tools.set_pip({"mode": "fail", "stderr": (FIX / "pip_errors" / "network.txt").read_text()})
    est = await p.estimate(_req())
    assert est.confidence == "cached" and est.state == "ready"
    assert est.archive_bytes == first.archive_bytes
    assert est.notes[0].startswith("offline")
    p.close()


def _fake_site(root: Path) -> Path:
    site = root / "site-packages"
    for name, version, files, requires in [
        ("app", "1.0", {"app/__init__.py": 30000, "app/_x.so": 200000}, ["lib-one"]),
        ("lib-one", "2.0", {"lib_one/__init__.py": 10000}, ["not-installed-here"]),
    ]:
        di = site / f"{name.replace('-', '_')}-{version}.dist-info"
        di.mkdir(parents=True)
        (di / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
            + "".join(f"Requires-Dist: {r}\n" for r in requires)
        )
        rows = [f"{p},sha256=x,{s}" for p, s in files.items()]
        rows.append(f"{name.replace('-', '_')}/__pycache__/x.cpython-311.pyc,,")
        rows += [f"{di.name}/METADATA,,", f"{di.name}/RECORD,,"]
        (di / "RECORD").write_text("\n".join(rows) + "\n")
    return site


async def test_offline_estimate_from_local_distributions(stub_index, fake_tools, tmp_path):
    site = _fake_site(tmp_path)
    fake_tools.set_pip({"mode": "fail", "stderr": (FIX / "pip_errors" / "network.txt").read_text()})
    p = _predictor(fake_tools, stub_index, local_paths=[str(site)])
    est = await p.estimate(_req())
    assert est.confidence == "offline-estimate" and est.state == "ready"
    by = {pk.name: pk for pk in est.packages}
    assert set(by) == {"app", "lib-one"} and by["lib-one"].required_by == ["app"]
    tops = {t.name: t for t in by["app"].top_level}
    assert tops["app"].uncompressed_bytes == 230000 and tops["app"].files == 2  # RECORD sizes, bytecode dropped
    assert any("not-installed-here" in n for n in est.notes)
    assert est.archive_bytes > 0
    p.close()


async def test_offline_mode_never_runs_resolvers(world, tmp_path):
    stub_index, fake_tools, _, _ = world
    p = _predictor(fake_tools, stub_index, offline=True, local_paths=[str(_fake_site(tmp_path))])
    est = await p.estimate(_req())
    assert est.confidence == "offline-estimate"
    assert fake_tools.calls() == []
    p.close()


async def test_no_wheel_problem_names_abi_and_alternatives(stub_index, fake_tools):
    for fn in [
        "oldpkg-1.0-cp38-cp38-manylinux2014_x86_64.whl",
        "oldpkg-1.0-cp39-cp39-manylinux2014_x86_64.whl",
        "oldpkg-1.0-cp311-cp311-macosx_11_0_arm64.whl",
        "oldpkg-1.0.tar.gz",
        "oldpkg-2.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
    ]:
        stub_index.add_listing("oldpkg", fn)
    stderr = (
        "ERROR: Could not find a version that satisfies the requirement oldpkg==1.0 (from versions: 2.0)\n"
        "ERROR: No matching distribution found for oldpkg==1.0\n"
    )
    fake_tools.set_pip({"mode": "fail", "stderr": stderr})
    p = _predictor(fake_tools, stub_index)
    est = await p.estimate(_req(requirements=["oldpkg==1.0"], project_files=[("main.py", 100)]))
    assert est.state == "error" and est.archive_bytes is None and est.confidence == "authoritative"
    (prob,) = est.problems
    assert prob.kind == "no-wheel" and prob.package == "oldpkg"
    assert "CPython 3.11 (cp311)" in prob.message and "cp38" in prob.message and "cp39" in prob.message
    assert prob.details["versions_with_wheel"] == ["2.0"]
    assert prob.details["python_versions_that_work"] == ["3.8", "3.9"]
    assert [h.kind for h in est.hints] == ["no-wheel"]
    p.close()


async def test_conflict_problem_names_both_requirements(stub_index, fake_tools):
    fake_tools.set_pip({"mode": "fail", "stderr": (FIX / "pip_errors" / "conflict.txt").read_text()})
    p = _predictor(fake_tools, stub_index)
    est = await p.estimate(_req(requirements=["requests==2.31.0", "urllib3<1.21"]))
    (prob,) = est.problems
    assert prob.kind == "conflict" and est.state == "error"
    assert "urllib3<1.21" in prob.message and "requests 2.31.0 depends on urllib3" in prob.message
    assert any(h.kind == "conflict" for h in est.hints)
    p.close()


async def test_empty_requirement_list(fake_tools, stub_index, tmp_path):
    (tmp_path / "proj").mkdir()
    (tmp_path / "proj" / "main.py").write_text(_py_source(9, 30))
    p = _predictor(fake_tools, stub_index)
    est = await p.estimate(
        SizeRequest.make(
            [],
            "3.11",
            project_files=[("main.py", (tmp_path / "proj" / "main.py").stat().st_size), ("handler_x.py", 4000)],
            project_root=str(tmp_path / "proj"),
        )
    )
    assert est.packages == [] and est.state == "ready" and est.confidence == "authoritative"
    assert est.archive_bytes == est.project_bytes + est.overhead_bytes
    assert fake_tools.calls() == []
    p.close()


def test_project_bytes_exact_and_modelled(tmp_path):
    root = tmp_path / "p"
    (root / "workers").mkdir(parents=True)
    files = {"main.py": _py_source(1, 80), "workers/endpoint.py": _py_source(2, 60), "README.md": "# hi\n" * 40}
    for rel, text in files.items():
        (root / rel).write_text(text)
    lst = [(rel, (root / rel).stat().st_size) for rel in files]
    exact, raw, method = project_mod.project_bytes(lst, str(root))
    assert method == "compressed" and raw == sum(s for _r, s in lst)
    from flash_lsp.bundle import tarsim

    # one stream, measured at each top-level entry: the same bytes as tarsim's groups
    groups: dict[str, list] = {}
    for r in files:
        groups.setdefault(project_mod.top_part(r), []).append((r, (root / r).read_bytes()))
    assert exact == sum(tarsim.measure_groups(groups).values())
    share = project_mod.project_share(lst, str(root))
    assert share.parts == tarsim.measure_groups(groups) and set(share.parts) == {"main.py", "workers/", "README.md"}
    modelled, _raw, method2 = project_mod.project_bytes(lst, None)
    assert method2 == "modelled" and 0.5 < modelled / exact < 2


def test_size_command_sizes_requirement_strings(world, monkeypatch, capsys, tmp_path):
    stub_index, fake_tools, _, _ = world
    for k, v in fake_tools.env({}).items():
        monkeypatch.setenv(k, v)
    size = ["size", "--requirement", "app", "--python", fake_tools.python, "--no-uv"]
    rc = cli.main([*size, "--format", "json", "--exclude", "lib_one,torch", "--gpu"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 0
    assert out["confidence"] == "authoritative" and out["archive_bytes"] > 0
    kinds = {h["kind"] for h in out["hints"]}
    assert "exclude-transitive" in kinds and "exclude-unmatched" in kinds
    rc = cli.main(size)
    text = capsys.readouterr().out
    assert rc == 0 and "predicted archive" in text and "confidence cached" in text
    assert cli.main([*size[:1], "proj", *size[1:]]) == cli.EXIT_USAGE
    assert "give no PATH" in capsys.readouterr().err


async def test_concurrent_estimates_share_one_resolver(world):
    stub_index, fake_tools, _, _ = world
    p = _predictor(fake_tools, stub_index)
    a, b = await asyncio.gather(p.estimate(_req()), p.estimate(_req()))
    assert a.archive_bytes == b.archive_bytes
    assert len([c for c in fake_tools.calls("pip") if "--dry-run" in c["argv"]]) == 1
    p.close()


async def test_old_pip_falls_back_to_this_interpreters_pip(world, tmp_path, monkeypatch):
    stub_index, fake_tools, _, _ = world
    old = FakeTools(tmp_path / "old-pip")
    old.set_pip({"mode": "fail", "stderr": "ERROR: no such option: --dry-run\n"})
    monkeypatch.setattr(sys, "executable", fake_tools.python)  # "this interpreter": a pip that works
    p = SizePredictor(python=old.python, use_uv=False, index_url=stub_index.simple)
    est = await p.estimate(_req())
    assert est.confidence == "authoritative" and est.archive_bytes
    assert any("pip < 22.2" in n for n in est.notes)
    assert len(old.calls("pip")) == 1 and fake_tools.calls("pip")
    p.close()


async def test_uv_failure_still_asks_pip(world):
    stub_index, fake_tools, _, _ = world
    fake_tools.set_uv({"mode": "fail", "stderr": (FIX / "uv_errors" / "network.txt").read_text()})
    p = _predictor(fake_tools, stub_index, use_uv=True)
    seen = []
    est = await p.estimate(_req(), on_update=seen.append)
    assert seen == [] and est.confidence == "authoritative" and est.state == "ready"
    assert "uv" in est.timings and "pip" in est.timings
    p.close()


def test_large_project_file_is_sampled(tmp_path):
    root = tmp_path / "p"
    root.mkdir()
    (root / "weights.bin").write_bytes(os.urandom(9 << 20))  # incompressible, over the read limit
    (root / "main.py").write_text(_py_source(3, 20))
    files = [("weights.bin", 9 << 20), ("main.py", (root / "main.py").stat().st_size)]
    n, raw, method = project_mod.project_bytes(files, str(root))
    assert method == "mixed" and raw == sum(s for _f, s in files)
    assert 0.99 < n / (9 << 20) < 1.02
