"""Migration proof: the old build before, the real runpod 2.0 build after, the same resources.

Usage (from the repo root)::

    python -m tests.migrate.proof [FIXTURE ...] [--no-cache]

For every project under ``tests/fixtures/migrate`` (or the ones named):

1. the real old build runs on the fixture: tetra-rp 0.24 ``flash build`` when it imports ``tetra_rp``,
   else runpod-flash 1.21 (the fidelity harnesses, with their caches);
2. a copy is migrated by the real CLI, ``flash-lsp migrate COPY --to runpod-2.0``;
3. the real ``rp flash deploy --build-only`` of runpod 2.0.0rc2 builds the copy (fake ``HOME``,
   ``PYTHONDONTWRITEBYTECODE=1``, no ``RUNPOD_*`` variables, a pip cache shared between runs); the
   ``runpod_manifest.json`` is read from the artifact, and each resource's ``gpuIds`` is computed by
   the SDK's own ``gpu_ids_value`` (what a deploy would send). Cached by the migrated project's content;
4. both manifests are reduced to one view per resource (``view_old``/``view_new``) and compared: every
   difference (resource, field) must be named by a migration note (``data.resource``/``data.setting``),
   and every note naming a compared field must stand for a difference.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import subprocess
import sys
import tarfile
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from flash_lsp.migrate import migrate_project
from tests import fidelity as base
from tests import fidelity_flash1 as flash1
from tests import fidelity_runpod2 as runpod2
from tests.migrate.views import compare, view_new, view_old

FIXTURES = base.REPO / "tests" / "fixtures" / "migrate"
RP_VERSION = "2.0.0rc2"
HARNESS_VERSION = 1
BUILD_TIMEOUT = 600
GPU_IDS = r"""
import json, sys
from runpod.apps.gpu import gpu_ids_value
manifest = json.load(sys.stdin)
print(json.dumps({r["name"]: gpu_ids_value(r.get("gpus")) for r in manifest["resources"] if "instanceIds" not in r}))
"""


def old_profile(path: Path) -> str:
    uses_tetra = any("tetra_rp" in f.read_text(encoding="utf-8") for f in path.rglob("*.py"))
    return "tetra-0.24" if uses_tetra else "flash-1.21"


def old_manifest(path: Path) -> tuple[str, dict | None, str]:
    """(profile, the real old build's manifest, its output)."""
    profile = old_profile(path)
    if profile == "tetra-0.24":
        real = base.real_results(path, profile, log=lambda *_: None)
    else:
        real = flash1.real_results(path, profile, "base", log=lambda *_: None)
    return profile, (json.loads(real.manifest) if real.manifest else None), real.output


@dataclasses.dataclass
class NewBuild:
    returncode: int
    output: str
    manifest: dict | None
    gpu_ids: dict
    duration: float


def migrate_copy(path: Path, parent: Path) -> Path:
    """Copy the fixture and migrate it with the real CLI."""
    copy = base.copy_project(path, parent)
    proc = subprocess.run(
        [*base.our_cli(), "migrate", str(copy), "--to", "runpod-2.0"],
        capture_output=True,
        text=True,
        timeout=base.CLI_TIMEOUT,
    )
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"flash-lsp migrate failed ({proc.returncode}):\n{proc.stderr}")
    return copy


def run_rp_build(project: Path) -> NewBuild:
    venv = runpod2.venv()  # the rc2 reference venv, with the fidelity harness's `rp` wrapper
    python = venv / "bin" / "python"
    with tempfile.TemporaryDirectory(prefix="rp-proof-home-") as home:
        env = base.clean_env(
            {
                "HOME": home,
                "PYTHONDONTWRITEBYTECODE": "1",
                "PIP_CACHE_DIR": str(base.cache_root() / "pip-rp2"),
                # the runtime packages from the local wheelhouse (other requirements from the index);
                # the proof compares resources, not sizes, so the archive is compressed fast
                "PIP_FIND_LINKS": str(runpod2.wheelhouse(python)),
                "RP_FIDELITY_GZIP_LEVEL": "1",
            }
        )
        args = ["flash", "deploy", "--build-only"]
        rc, output, duration = base.run_build_in(
            project, venv, args, env, script=runpod2.WRAPPER_NAME, timeout=BUILD_TIMEOUT
        )
    manifest = None
    for artifact in sorted(project.glob("*-artifact.tar.gz")):
        with tarfile.open(artifact) as tar:
            member = tar.extractfile("runpod_manifest.json")
            manifest = json.loads(member.read()) if member else None
    gpu_ids = {}
    if manifest is not None:
        ids = subprocess.run(
            [str(venv / "bin" / "python"), "-c", GPU_IDS],
            input=json.dumps(manifest),
            capture_output=True,
            text=True,
            env=base.clean_env(),
            timeout=60,
        )
        gpu_ids = json.loads(ids.stdout or "{}")
    return NewBuild(rc, output, manifest, gpu_ids, round(duration, 1))


def new_build(path: Path, *, use_cache: bool = True) -> NewBuild:
    """The real rc2 build of the migrated copy of `path`, cached by the migrated content."""
    with tempfile.TemporaryDirectory(prefix="rp-proof-") as tmp:
        project = migrate_copy(path, Path(tmp))
        digest = hashlib.sha256(f"{HARNESS_VERSION}|{RP_VERSION}|{base.project_hash(project)}".encode()).hexdigest()[
            :20
        ]
        cached = base.cache_root() / "real-builds" / "runpod-2.0-migrate" / f"{path.name}-{digest}.json"
        if use_cache and cached.is_file():
            return NewBuild(**json.loads(cached.read_text()))
        result = run_rp_build(project)
        if result.manifest is not None:
            cached.parent.mkdir(parents=True, exist_ok=True)
            for stale in cached.parent.glob(f"{path.name}-*.json"):
                stale.unlink(missing_ok=True)
            base._write_atomic(cached, json.dumps(dataclasses.asdict(result), indent=1))
        return result


def prove(path: Path, *, use_cache: bool = True) -> list[str]:
    """Problems with the migration of `path` (empty = proven)."""
    profile, before, old_output = old_manifest(path)
    if before is None:
        return [f"the real {profile} build wrote no manifest:\n{old_output[-2000:]}"]
    after = new_build(path, use_cache=use_cache)
    if after.manifest is None:
        return [f"rp flash deploy --build-only failed (exit {after.returncode}):\n{after.output[-3000:]}"]
    notes = [d.data for d in migrate_project(path).notes if d.data]
    return compare(view_old(before, profile, path), view_new(after.manifest, after.gpu_ids), notes)


def fixtures() -> list[Path]:
    return sorted(p for p in FIXTURES.iterdir() if p.is_dir())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--no-cache", action="store_true")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    paths = [p.resolve() for p in args.paths] or fixtures()
    started = time.monotonic()
    with ThreadPoolExecutor(args.workers) as pool:
        results = list(pool.map(lambda p: (p, prove(p, use_cache=not args.no_cache)), paths))
    failed = 0
    for path, problems in results:
        print(f"{'ok ' if not problems else 'FAIL'} {path.name}")
        for problem in problems:
            print("    " + problem.replace("\n", "\n    "))
        failed += bool(problems)
    print(f"{len(paths) - failed}/{len(paths)} proven in {time.monotonic() - started:.0f}s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
