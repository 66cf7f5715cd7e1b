"""Fidelity harness for runpod 2.0: compare Flash LSP with the real `rp flash deploy --build-only`.

Usage (from the repo root)::

    python -m tests.fidelity_runpod2 [PATH ...] [--no-cache]

Every fixture project (default: ``tests/fixtures/runpod2/*``) is copied to a temp dir (same basename)
and built by the real ``rp`` of the reference venv ``<cache>/ref-venvs/runpod-2.0`` (``runpod==2.0.0rc2``,
made on demand) with a fake ``HOME`` and no ``RUNPOD_*`` variables. No login is needed; pip runs
``--no-index`` against a wheelhouse (``<cache>/runpod2-wheelhouse``, downloaded once from PyPI with
``WHEELHOUSE_REQUIREMENTS``), so the builds are offline, reproducible (the build installs unpinned
``--upgrade``) and take ~10 s instead of ~50 s. The build is run through a wrapper in the venv's
``bin/`` that only lowers the gzip level of the artifact unless the fixture's README.md says
``compare: size`` (level 9, as users get it): members and manifest do not depend on it, size does.

Collected per artifact (``<app>-artifact.tar.gz`` in the build dir, in build order): the
``runpod_manifest.json`` text, the project members (everything but ``env/`` and the manifest), the
size. Compared with our CLI (``flash-lsp manifest|files|check|size --profile runpod-2.0 --python
<venv python>``) on a pristine copy:

* manifest: our stdout equals the real manifests joined by a newline, byte for byte;
* files: our sorted list equals the first artifact's project members;
* check: ``build.succeeds == (exit code 0)``; on failure our ``build.errors``, joined, equal the
  real ``Error: …`` text (whitespace-normalised, project path -> ``<PROJECT>``); the real
  ``importing … failed`` warnings must each be among our ``build.warnings``;
* size (``compare: size`` fixtures): our ``archive_bytes`` within 3 % of the first artifact.

Real results are cached under ``<cache>/real-builds/runpod-2.0/`` by project content.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from tests import fidelity as base

FIXTURES = base.REPO / "tests" / "fixtures" / "runpod2"
PROFILE = "runpod-2.0"
REQUIREMENT = "runpod==2.0.0rc2"
HARNESS_VERSION = 1
SIZE_TOLERANCE = 0.03
# The runtime packages every artifact vendors (api ones included) and the fixtures' own small
# requirements: the wheelhouse pip installs from.
WHEELHOUSE_REQUIREMENTS = (
    "aiohttp[speedups]",
    "aiohttp-retry",
    "backoff",
    "cloudpickle",
    "py-cpuinfo",
    "requests",
    "tomli",
    "tomlkit",
    "tqdm-loggable",
    "fastapi[standard]",
    "uvicorn>=0.30",
    "tabulate==0.10.0",
    "termcolor==3.3.0",
    "toml==0.10.2",
    "six",
)
PLATFORMS = ("manylinux_2_28_x86_64", "manylinux_2_17_x86_64", "manylinux2014_x86_64")
WRAPPER_NAME = "rp_fidelity_build.py"
WRAPPER = '''"""flash-lsp fidelity harness: `rp`, with a fast gzip level unless RP_FIDELITY_GZIP_LEVEL says otherwise."""
import os
import sys
import tarfile

_level = int(os.environ.get("RP_FIDELITY_GZIP_LEVEL", "9"))
_gzopen = tarfile.TarFile.gzopen.__func__


def _gzopen_level(cls, name, mode="r", fileobj=None, compresslevel=9, **kwargs):
    return _gzopen(cls, name, mode, fileobj, _level if "w" in mode else compresslevel, **kwargs)


tarfile.TarFile.gzopen = classmethod(_gzopen_level)

from runpod.rp_cli.main import run  # noqa: E402

sys.argv[0] = os.path.join(os.path.dirname(os.path.abspath(__file__)), "rp")
sys.exit(run())
'''
SIZE_RE = re.compile(r"^compare:.*\bsize\b", re.MULTILINE)


def venv() -> Path:
    path = base.cache_root() / "ref-venvs" / PROFILE
    if not (path / "bin" / "rp").exists():
        with base._locked(path.parent / f"{PROFILE}.lock"):
            if not (path / "bin" / "rp").exists():
                base._create_venv(path, [REQUIREMENT], print)
    base._write_atomic(path / "bin" / WRAPPER_NAME, WRAPPER)
    return path


def python_version(python: Path) -> str:
    return subprocess.run(
        [str(python), "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def wheelhouse(python: Path) -> Path:
    """The wheels pip installs from during the real builds (downloaded once from PyPI)."""
    target = base.cache_root() / "runpod2-wheelhouse" / python_version(python)
    stamp = target / ".complete"
    if stamp.exists() and stamp.read_text() == "\n".join(WHEELHOUSE_REQUIREMENTS):
        return target
    with base._locked(target.parent / "wheelhouse.lock"):
        if not (stamp.exists() and stamp.read_text() == "\n".join(WHEELHOUSE_REQUIREMENTS)):
            target.mkdir(parents=True, exist_ok=True)
            cmd = [
                str(python),
                "-m",
                "pip",
                "download",
                "-q",
                "--disable-pip-version-check",
                "--only-binary",
                ":all:",
                "--implementation",
                "cp",
                "--python-version",
                target.name,
                "-d",
                str(target),
            ]
            for platform in PLATFORMS:
                cmd += ["--platform", platform]
            proc = subprocess.run(cmd + list(WHEELHOUSE_REQUIREMENTS), capture_output=True, text=True)
            if proc.returncode != 0:
                raise RuntimeError(f"downloading the wheelhouse failed:\n{proc.stderr[-2000:]}")
            stamp.write_text("\n".join(WHEELHOUSE_REQUIREMENTS))
    return target


@dataclasses.dataclass
class Real:
    """What the real build did (project path replaced by PLACEHOLDER)."""

    returncode: int
    output: str
    artifacts: list[dict]  # {"name", "manifest" (text), "members" (sorted project members), "bytes"}
    size_exact: bool  # built at gzip level 9

    @property
    def error_text(self) -> str:
        """From the first `Error: ` line to the end, without the prefix, whitespace-normalised."""
        lines = self.output.splitlines()
        start = next((i for i, line in enumerate(lines) if line.startswith("Error: ")), None)
        if start is None:
            return ""
        return base._ws("\n".join(lines[start:])[len("Error: ") :])

    @property
    def failed_imports(self) -> list[str]:
        return [
            line.strip() for line in self.output.splitlines() if line.startswith("importing ") and " failed: " in line
        ]


def _artifact(path: Path, placeholder_root: str) -> dict:
    with tarfile.open(path) as tar:
        names = tar.getnames()
        manifest = tar.extractfile("runpod_manifest.json").read().decode("utf-8")
    members = sorted(n for n in names if not n.startswith("env/") and n != "runpod_manifest.json")
    return {
        "name": path.name,
        "manifest": manifest.replace(placeholder_root, base.PLACEHOLDER),
        "members": members,
        "bytes": path.stat().st_size,
    }


def run_real_build(fixture: Path, log=print) -> Real:
    root = venv()
    python = root / "bin" / "python"
    exact = bool(SIZE_RE.search(_readme(fixture)))
    with tempfile.TemporaryDirectory(prefix="rp2-fidelity-") as tmp:
        home = Path(tmp) / "home"
        home.mkdir()
        work = base.copy_project(fixture, Path(tmp))
        env = base.clean_env(
            {
                "HOME": str(home),
                "PIP_NO_INDEX": "1",
                "PIP_FIND_LINKS": str(wheelhouse(python)),
                "PIP_DISABLE_PIP_VERSION_CHECK": "1",
                "RP_FIDELITY_GZIP_LEVEL": "9" if exact else "1",
            }
        )
        proc = subprocess.run(
            [str(python), str(root / "bin" / WRAPPER_NAME), "flash", "deploy", "--build-only"],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=base.BUILD_TIMEOUT,
            stdin=subprocess.DEVNULL,
        )
        output = (proc.stdout + proc.stderr).replace(str(work), base.PLACEHOLDER)
        built = sorted(work.glob("*-artifact.tar.gz"), key=lambda p: (p.stat().st_mtime_ns, p.name))
        artifacts = [_artifact(p, str(work)) for p in built if _built_now(p, fixture)]
    return Real(proc.returncode, output, artifacts, exact)


def _built_now(path: Path, fixture: Path) -> bool:
    return not (fixture / path.name).exists()  # a fixture may carry a stale artifact of its own


def _readme(fixture: Path) -> str:
    try:
        return (fixture / "README.md").read_text(encoding="utf-8")
    except OSError:
        return ""


def real_results(fixture: Path, *, use_cache: bool = True, log=print) -> Real:
    cache = (
        base.cache_root()
        / "real-builds"
        / PROFILE
        / f"{fixture.name}-{HARNESS_VERSION}-{base.project_hash(fixture)}.json"
    )
    if use_cache and cache.exists():
        return Real(**json.loads(cache.read_text()))
    real = run_real_build(fixture, log)
    cache.parent.mkdir(parents=True, exist_ok=True)
    base._write_atomic(cache, json.dumps(dataclasses.asdict(real)))
    return real


def compare(real: Real, fixture: Path) -> dict[str, list[str]]:
    """Differences per aspect (manifest, files, check, size); empty lists = identical."""
    python = str(venv() / "bin" / "python")
    out: dict[str, list[str]] = {"manifest": [], "files": [], "check": [], "size": []}
    with tempfile.TemporaryDirectory(prefix="rp2-ours-") as tmp:
        pristine = base.copy_project(fixture, Path(tmp))

        def ours(command: str, *extra: str) -> base.CliRun:
            run = base.run_cli([command, str(pristine), "--profile", PROFILE, "--python", python, *extra], Path(tmp))
            run.stdout, run.stderr = (t.replace(str(pristine), base.PLACEHOLDER) for t in (run.stdout, run.stderr))
            return run

        manifest = ours("manifest")
        expected = "\n".join(a["manifest"] for a in real.artifacts)
        if manifest.returncode not in (0, 1) or "Traceback (most recent call last)" in manifest.stderr:
            out["manifest"].append(manifest.describe())  # (`crashed` also flags "No module named" in our answer)
        elif manifest.stdout != expected:
            out["manifest"].append(
                "manifest differs:\n" + base._udiff(expected, manifest.stdout, "runpod_manifest.json")
            )
        if real.artifacts:
            files = ours("files")
            ours_files = sorted(files.stdout.splitlines())
            if ours_files != real.artifacts[0]["members"]:
                out["files"].append(
                    "members differ:\n"
                    + base._udiff("\n".join(real.artifacts[0]["members"]), "\n".join(ours_files), "members")
                )
        check = ours("check", "--format", "json")
        out["check"] = _compare_check(real, check)
        if real.size_exact and real.artifacts:
            out["size"] = _compare_size(real, ours("size", "--format", "json"))
    return out


def _compare_check(real: Real, run: base.CliRun) -> list[str]:
    try:
        report = json.loads(run.stdout)
    except ValueError:
        return [run.describe()]
    build = report["build"]
    problems = []
    if build["succeeds"] != (real.returncode == 0):
        problems.append(f"outcome: real exit {real.returncode}, ours succeeds={build['succeeds']} ({build['errors']})")
    elif real.returncode != 0 and base._ws(" ".join(build["errors"])) != real.error_text:
        problems.append(
            f"error text differs:\n    real: {real.error_text}\n    ours: {base._ws(' '.join(build['errors']))}"
        )
    missing = [w for w in real.failed_imports if w not in [base._ws(x) for x in build["warnings"]]]
    if missing:
        problems.append("import warnings missing: " + "; ".join(missing))
    return problems


def _compare_size(real: Real, run: base.CliRun) -> list[str]:
    try:
        ours = json.loads(run.stdout).get("archive_bytes")
    except ValueError:
        return [run.describe()]
    actual = real.artifacts[0]["bytes"]
    if not isinstance(ours, int) or abs(ours - actual) > SIZE_TOLERANCE * actual:
        return [
            f"size: real {actual:,} B, ours {ours if ours is None else f'{ours:,}'} B (tolerance {SIZE_TOLERANCE:.0%})"
        ]
    return []


def all_fixtures() -> list[Path]:
    return sorted(p for p in FIXTURES.iterdir() if p.is_dir()) if FIXTURES.is_dir() else []


def evaluate(fixture: Path, *, use_cache: bool = True) -> tuple[Real, dict[str, list[str]]]:
    real = real_results(fixture, use_cache=use_cache)
    return real, compare(real, fixture)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--no-cache", action="store_true")
    args = parser.parse_args(argv)
    from concurrent.futures import ThreadPoolExecutor

    fixtures = [p.resolve() for p in args.paths] or all_fixtures()
    failed = 0
    with ThreadPoolExecutor(max_workers=2) as pool:
        for fixture, (real, diffs) in zip(
            fixtures, pool.map(lambda f: evaluate(f, use_cache=not args.no_cache), fixtures), strict=False
        ):
            problems = [p for aspect in diffs.values() for p in aspect]
            failed += bool(problems)
            state = "OK " if not problems else "DIFF"
            print(f"{state} {fixture.name} (real exit {real.returncode}, {len(real.artifacts)} artifact(s))")
            for problem in problems:
                print(base._indent(problem))
    print(f"{len(fixtures) - failed}/{len(fixtures)} identical")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
