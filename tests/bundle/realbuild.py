"""Ground truth for the archive-size predictor: the REAL `flash build` of tetra-rp 0.24.

``real_build(requirements)`` writes a tiny project (``main.py`` with a FastAPI app and a
``requirements.txt`` listing the set), runs the real ``flash build --keep-build`` of the reference venv
in a pip environment isolated from this machine's pip configuration (``isolated_pip_env``; the
predictor is given the same environment), and records:

* ``archive_bytes``: ``st_size`` of ``.flash/archive.tar.gz``;
* ``pinned``: what pip installed (``name==version`` from the build dir's ``*.dist-info``), so that the
  accuracy test can predict the same distribution set forever (requirements.txt lines are passed to
  pip verbatim, so a fully pinned list resolves to exactly these wheels);
* ``project_files`` / ``generated_files``: (relpath, size) of the files the build shipped that pip did
  not install, i.e. what the analysis core hands to the predictor;
* optionally ``entries``: each top-level entry of the build dir tar.gz'ed alone (level 9), to see
  where a prediction error comes from.

Results are cached in ``<cache>/bundle-real/`` (cache = ``$FLASH_LSP_REF_CACHE`` or ``<repo>/.cache``),
keyed by the set, the resolved versions and the Python version. ``tests/fixtures/bundle/real_builds.json``
holds the results measured when this was written, so a rerun only predicts.

Run ``python -m tests.bundle.realbuild [SET ...]`` to (re)measure sets and print the records.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "tests" / "fixtures" / "bundle" / "real_builds.json"
PROFILE = "tetra-0.24"

# The dependency sets whose accuracy docs/benchmarks.md reports.
SETS: dict[str, list[str]] = {
    "requests": ["requests"],
    "numpy+pillow": ["numpy", "pillow"],
    "fastapi+uvicorn": ["fastapi", "uvicorn"],
    "opencv-python-headless": ["opencv-python-headless"],
    "transformers": ["transformers"],
    "diffusers+transformers+accelerate": ["diffusers", "transformers", "accelerate"],
}
# Sets whose real build downloads gigabytes and tars for many minutes: only rebuilt on request.
HEAVY = {"diffusers+transformers+accelerate"}

MAIN_PY = """from fastapi import FastAPI

app = FastAPI()


@app.get("/")
def root():
    return {"ok": True}
"""

_PIP_VARS_DROPPED = (
    "PIP_FIND_LINKS",
    "PIP_INDEX_URL",
    "PIP_EXTRA_INDEX_URL",
    "PIP_NO_INDEX",
    "PIP_CONSTRAINT",
    "PIP_REQUIREMENT",
    "PIP_TARGET",
    "PIP_PREFIX",
    "PIP_USER",
    "PIP_ONLY_BINARY",
    "PIP_NO_BINARY",
    "PIP_PRE",
)


def cache_root() -> Path:
    return Path(os.environ.get("FLASH_LSP_REF_CACHE") or REPO / ".cache")


def isolated_pip_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """`base` (default os.environ) without this machine's pip/uv configuration: PyPI only.

    PIP_CONFIG_FILE=/dev/null makes pip skip every configuration file; the TLS settings (PIP_CERT,
    SSL_CERT_FILE) stay, they do not change what is resolved.
    """
    env = dict(os.environ if base is None else base)
    for key in _PIP_VARS_DROPPED:
        env.pop(key, None)
    for key in list(env):
        if key.startswith("UV_") and key not in ("UV_CACHE_DIR",):
            env.pop(key)
    env["PIP_CONFIG_FILE"] = os.devnull
    env["UV_NO_CONFIG"] = "1"
    return env


def reference_venv(log=print) -> Path:
    """The tetra-rp 0.24 reference venv (tests/fidelity.py creates it on demand)."""
    from tests.fidelity import ensure_ref_venv

    return ensure_ref_venv(PROFILE, log)


def make_project(parent: Path, requirements: list[str], name: str = "sizeproj") -> Path:
    proj = parent / name
    proj.mkdir(parents=True)
    (proj / "main.py").write_text(MAIN_PY)
    (proj / "requirements.txt").write_text("".join(r + "\n" for r in requirements))
    return proj


def _pip_dists(build_dir: Path) -> dict[str, str]:
    out = {}
    for d in build_dir.glob("*.dist-info"):
        meta = d / "METADATA"
        name = version = None
        if meta.is_file():
            for line in meta.read_text(encoding="utf-8", errors="replace").splitlines():
                if line.startswith("Name:") and name is None:
                    name = line.split(":", 1)[1].strip()
                elif line.startswith("Version:") and version is None:
                    version = line.split(":", 1)[1].strip()
                elif not line.strip():
                    break
        if name and version:
            out[name] = version
    return dict(sorted(out.items(), key=lambda kv: kv[0].lower()))


def _pip_owned(build_dir: Path) -> set[str]:
    """Relative paths of files pip installed (from every RECORD), plus dist-info dirs and bin/."""
    owned: set[str] = set()
    for d in build_dir.glob("*.dist-info"):
        rec = d / "RECORD"
        if rec.is_file():
            for line in rec.read_text(encoding="utf-8", errors="replace").splitlines():
                path = line.rsplit(",", 2)[0] if line.count(",") >= 2 else line
                if path:
                    # pip --target installs into a home scheme (purelib = <home>/lib/python) and then
                    # moves everything up: "../../bin/x" and "../../share/..." are target-relative.
                    norm = (
                        os.path.normpath(os.path.join("lib", "python", path))
                        if path.startswith("..")
                        else os.path.normpath(path)
                    )
                    if not norm.startswith(".."):
                        owned.add(Path(norm).as_posix())
    return owned


def _tgz_size(build_dir: Path, names: list[str]) -> int:
    buf = _CountingSink()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for n in names:
            tar.add(build_dir / n, arcname=f"./{n}")
    return buf.n


class _CountingSink(io.RawIOBase):
    def __init__(self) -> None:
        self.n = 0

    def writable(self) -> bool:
        return True

    def write(self, b) -> int:
        self.n += len(b)
        return len(b)


def real_build(requirements: list[str], *, entries: bool = False, timeout: float = 3600, log=print) -> dict:
    """Run the real `flash build` on a tiny project listing `requirements`; see the module doc."""
    from tests.fidelity import clean_env, run_build_in

    venv = reference_venv(log)
    tmp = Path(tempfile.mkdtemp(prefix="size-real-"))
    try:
        proj = make_project(tmp, requirements)
        env = isolated_pip_env(clean_env())
        rc, output, seconds = run_build_in(proj, venv, ["build", "--keep-build"], env, script="flash", timeout=timeout)
        archive = proj / ".flash" / "archive.tar.gz"
        if rc != 0 or not archive.is_file():
            raise RuntimeError(f"real flash build failed (exit {rc}):\n{output[-4000:]}")
        build_dir = proj / ".flash" / ".build"
        dists = _pip_dists(build_dir)
        owned = _pip_owned(build_dir)
        proj_rel = {p.relative_to(proj).as_posix() for p in proj.rglob("*") if p.is_file() and ".flash" not in p.parts}
        project_files, generated_files = [], []
        for f in sorted(build_dir.rglob("*")):
            if not f.is_file():
                continue
            rel = f.relative_to(build_dir).as_posix()
            top = rel.split("/", 1)[0]
            if rel in owned or top.endswith(".dist-info") or top == "bin":
                continue
            (project_files if rel in proj_rel else generated_files).append([rel, f.stat().st_size])
        pip_version = subprocess.run(
            [str(venv / "bin" / "python"), "-m", "pip", "--version"], capture_output=True, text=True, env=env
        ).stdout.split()[1]
        record = {
            "requirements": list(requirements),
            "pinned": [f"{n}=={v}" for n, v in dists.items()],
            "python": f"{sys.version_info[0]}.{sys.version_info[1]}",
            "profile": PROFILE,
            "pip_version": pip_version,
            "archive_bytes": archive.stat().st_size,
            "project_files": project_files,
            "generated_files": generated_files,
            "build_seconds": round(seconds, 1),
            "measured_at": time.strftime("%Y-%m-%d"),
        }
        if entries:
            t0 = time.monotonic()
            record["entries"] = {n: _tgz_size(build_dir, [n]) for n in sorted(os.listdir(build_dir))}
            record["entries_seconds"] = round(time.monotonic() - t0, 1)
        return record
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def resolution_key(pinned: list[str], python: str) -> str:
    norm = sorted(re.sub(r"[-_.]+", "-", p.lower()) for p in pinned)
    return hashlib.sha256(json.dumps([PROFILE, python, norm]).encode()).hexdigest()[:16]


def recorded() -> dict[str, dict]:
    """The committed ground truth: set name -> record."""
    if FIXTURE.is_file():
        return json.loads(FIXTURE.read_text())
    return {}


def cached_build(set_name: str, requirements: list[str], *, log=print, entries: bool = False) -> dict:
    """A real build of `requirements`, cached under <cache>/bundle-real/ by its resolved versions.

    The cache key needs the resolution, which only the build knows; so the newest cached record of
    the set is reused when its `pinned` list is what the predictor resolves today (the caller checks).
    """
    d = cache_root() / "bundle-real"
    d.mkdir(parents=True, exist_ok=True)
    rec = real_build(requirements, entries=entries, log=log)
    key = resolution_key(rec["pinned"], rec["python"])
    (d / f"{re.sub(r'[^A-Za-z0-9]+', '_', set_name)}-{key}.json").write_text(json.dumps(rec, indent=1))
    return rec


def cached_records(set_name: str) -> list[dict]:
    d = cache_root() / "bundle-real"
    prefix = re.sub(r"[^A-Za-z0-9]+", "_", set_name) + "-"
    out = []
    if d.is_dir():
        for f in sorted(d.glob(prefix + "*.json"), key=lambda p: p.stat().st_mtime, reverse=True):
            try:
                out.append(json.loads(f.read_text()))
            except ValueError:
                pass
    return out


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(prog="python -m tests.bundle.realbuild")
    ap.add_argument("sets", nargs="*", help=f"default: all but {sorted(HEAVY)}")
    ap.add_argument("--entries", action="store_true", help="also tar.gz each top-level entry alone")
    ap.add_argument("--record", action="store_true", help=f"merge the results into {FIXTURE.relative_to(REPO)}")
    args = ap.parse_args(argv)
    names = args.sets or [s for s in SETS if s not in HEAVY]
    results = recorded() if args.record else {}
    for name in names:
        print(f"== {name}: building ...", flush=True)
        rec = cached_build(name, SETS[name], entries=args.entries)
        print(
            f"   {rec['archive_bytes']:,} B, {len(rec['pinned'])} dists, build {rec['build_seconds']} s"
            + (f", entries {rec.get('entries_seconds')} s" if args.entries else ""),
            flush=True,
        )
        if args.record:
            results[name] = rec
            FIXTURE.parent.mkdir(parents=True, exist_ok=True)
            FIXTURE.write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
