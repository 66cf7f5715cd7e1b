"""Fidelity harness: compare Flash LSP's predictions with what the real `flash build` does.

Usage (from the repo root)::

    python -m tests.fidelity PATH [PATH ...] [--profile tetra-0.24|tetra-0.20] [--keep] [--no-cache]

For every project directory and profile it

1. makes sure a reference venv with the real SDK exists (``<cache>/ref-venvs/<profile>``, created on
   demand with ``python3 -m venv`` + ``pip install tetra-rp==X``; cache = ``$FLASH_LSP_REF_CACHE`` or
   ``<repo>/.cache``),
2. copies the project to a temp dir, keeping its basename (the manifest's ``project_name``), and runs
   the real ``flash build --keep-build`` there in a clean environment,
3. collects the real manifest, generated handler files and shipped-file list (the real
   ``get_file_tree`` on a pristine copy),
4. asks our CLI (``flash-lsp manifest|handlers|files|check``) about the same pristine copy, and
5. compares the two, printing a readable diff; exit status 0 = identical, 1 = differences.

``compare_project(path, profile)`` returns the list of differences (empty = identical) for pytest.

What is compared:

* manifest: `flash-lsp manifest` stdout (exit 1 + empty stdout = "no manifest") against the
  flash_manifest.json the build wrote (also when it failed afterwards, e.g. a handler syntax error
  or pip), equal except ``generated_at`` and the order of the comma-separated ``gpuIds``; key order
  and the ``json.dumps(indent=2)`` format must match;
* handlers (only when the real build succeeded): root ``handler_*.py`` and
  ``handlers/handler_mothership.py``, identical except the ``Generated at:`` line;
* files: sorted relative paths, against the real ``get_file_tree`` (also checked against the
  build's "Found N files to package");
* check: ``build.succeeds`` == (real exit code 0); on failure ``errors[0]`` must occur in the real
  output (whitespace-normalised, project paths replaced by ``<PROJECT>``).

Our CLI gets ``--python <reference venv python>`` when it supports the option, because the real
build's deployment-field extraction imports project modules with that interpreter.

The real build is run through a thin wrapper (``flash_fidelity_build.py`` in the reference venv's
``bin/``, so ``sys.path`` is exactly that of the ``flash`` console script) that changes one thing:
when the build deletes ``.flash/.build`` after a fatal error, the directory is renamed to
``.flash/.build.failed`` instead, so that the manifest the build wrote before failing can be
compared too. Real results are cached per (project content, profile) under ``<cache>/real-builds``.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import difflib
import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures" / "projects"

PROFILES = {"tetra-0.24": "0.24.0", "tetra-0.20": "0.20.0"}
# runpod-flash 1.x reference venvs (compared by tests/fidelity_flash1.py, not by this module's main()).
FLASH1_PROFILES = {
    "flash-1.21": "1.21.0",
    "flash-1.17": "1.17.0",
    "flash-1.11": "1.11.2",  # no profile of its own: detected as flash-1.17 with 1.11.2's switches
    "flash-1.10": "1.10.2",
    "flash-1.9": "1.9.1",  # no profile of its own: our CLI detects it (flash-1.10 with 1.9.1's switches)
    "flash-1.7": "1.7.0",
}
RELEASE_VENV_RE = re.compile(r"flash-(1\.\d+\.\d+)")


def flash1_release(profile: str) -> str | None:
    """The runpod-flash release of a 1.x reference venv: a profile's (`flash-1.21`), or the exact
    release a venv of the release sweep is named after (`flash-1.13.0`); None for anything else."""
    m = RELEASE_VENV_RE.fullmatch(profile)
    return FLASH1_PROFILES.get(profile) or (m.group(1) if m else None)


# Bump when the way real results are collected changes (invalidates the real-build cache).
HARNESS_VERSION = 3

BUILD_TIMEOUT = 300
CLI_TIMEOUT = 120
PLACEHOLDER = "<PROJECT>"
GENERATED_AT_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$")
FOUND_RE = re.compile(r"Found (\d+) files to package")

# Runs `flash build` exactly like bin/flash does, except that deleting the build dir after a fatal
# error renames it to .flash/.build.failed (so the manifest written before the failure survives).
WRAPPER_NAME = "flash_fidelity_build.py"
WRAPPER = r'''"""flash-lsp fidelity harness: `flash build` that keeps the build dir of a failed build."""
import os
import shutil
import sys

_BUILD = os.path.realpath(os.path.join(os.getcwd(), ".flash", ".build"))
_FAILED = _BUILD + ".failed"
_skip_first = os.path.isdir(_BUILD)  # create_build_directory() removes a pre-existing build dir
_rmtree = shutil.rmtree


def _rmtree_keep(path, *args, **kwargs):
    global _skip_first
    if os.path.realpath(os.fspath(path)) == _BUILD:
        if _skip_first:
            _skip_first = False
        else:
            if os.path.isdir(_FAILED):
                _rmtree(_FAILED)
            os.rename(_BUILD, _FAILED)
            return None
    return _rmtree(path, *args, **kwargs)


shutil.rmtree = _rmtree_keep

from tetra_rp.cli.main import app  # noqa: E402

sys.argv[0] = os.path.join(os.path.dirname(os.path.abspath(__file__)), "flash")
sys.exit(app())
'''

LIST_FILES = r"""
import json, sys
from pathlib import Path
from tetra_rp.cli.utils.ignore import get_file_tree, load_ignore_patterns
p = Path(sys.argv[1])
files = sorted(f.relative_to(p).as_posix() for f in get_file_tree(p, load_ignore_patterns(p)))
print("@@FILES@@" + json.dumps(files))
"""

PIP_NOISE = re.compile(r"^(WARNING: )?Location .* is ignored")


# ----------------------------------------------------------------------------- reference venvs


def cache_root() -> Path:
    return Path(os.environ.get("FLASH_LSP_REF_CACHE") or REPO / ".cache")


@contextlib.contextmanager
def _locked(lock_path: Path):
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _write_atomic(path: Path, text: str) -> None:
    if path.exists() and path.read_text() == text:
        return
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def ensure_ref_venv(profile: str, log=print, *, name: str | None = None, extra: tuple[str, ...] = ()) -> Path:
    """The reference venv for `profile`, created (once, under a lock) if `bin/flash` is missing.

    `name` (default: the profile) names the venv directory; `extra` are more requirements installed
    with the SDK (the runpod-flash "full" environments hold the corpus projects' small requirements).
    """
    if profile in PROFILES:
        requirement = f"tetra-rp=={PROFILES[profile]}"
    elif flash1_release(profile):
        requirement = f"runpod-flash=={flash1_release(profile)}"
    else:
        raise ValueError(
            f"unknown profile {profile!r}; expected one of {sorted({**PROFILES, **FLASH1_PROFILES})} or flash-1.X.Y"
        )
    name = name or profile
    venv = cache_root() / "ref-venvs" / name
    flash = venv / "bin" / "flash"
    if not flash.exists():
        with _locked(venv.parent / f"{name}.lock"):
            if not flash.exists():
                _create_venv(venv, [requirement, *extra], log)
    if profile in PROFILES:
        _write_atomic(venv / "bin" / WRAPPER_NAME, WRAPPER)
    return venv


def _create_venv(venv: Path, requirements: list[str], log) -> None:
    python = os.environ.get("FLASH_LSP_REF_PYTHON") or shutil.which("python3") or sys.executable
    log(f"[fidelity] creating reference venv {venv} ({' '.join(requirements)}) ...")
    if venv.exists():
        shutil.rmtree(venv)
    venv.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    steps = [
        [python, "-m", "venv", str(venv)],
        [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check", *requirements],
    ]
    for cmd in steps:
        proc = subprocess.run(cmd, capture_output=True, text=True)
        out = "\n".join(
            line for line in (proc.stdout + proc.stderr).splitlines() if line.strip() and not PIP_NOISE.match(line)
        )
        if proc.returncode != 0:
            shutil.rmtree(venv, ignore_errors=True)
            raise RuntimeError(f"creating reference venv failed: {' '.join(cmd)}\n{out}")
        if out:
            log(out)
    log(f"[fidelity] reference venv ready in {time.monotonic() - started:.0f}s")


def clean_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for the real build: no PYTHON*/TETRA_*/RUNPOD_* variables, no venv, no colour."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTHON", "TETRA_", "RUNPOD_", "FLASH_", "VIRTUAL_ENV", "CONDA", "PYTEST"))
        and k not in ("COLUMNS", "LINES", "FORCE_COLOR", "CLICOLOR_FORCE", "TERM", "COLORTERM")
    }
    env.update({"NO_COLOR": "1", "TERM": "dumb", "COLUMNS": "200", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"})
    if extra:
        env.update(extra)
    return env


# ----------------------------------------------------------------------------- real builds


@dataclasses.dataclass
class RealResult:
    """What the real `flash build` did. Paths of the project copy are replaced by PLACEHOLDER."""

    profile: str
    returncode: int
    output: str
    manifest: str | None  # the text of flash_manifest.json as written (also before a failure)
    handlers: dict[str, str]  # relpath -> text (only collected when the build succeeded)
    files: list[str]  # real get_file_tree() on a pristine copy, sorted
    found_count: int | None  # "Found N files to package"
    duration: float
    manifest_survived_failure: bool = False  # the manifest came from .flash/.build.failed

    @property
    def succeeded(self) -> bool:
        return self.returncode == 0


def copy_project(src: Path, parent: Path) -> Path:
    """Copy `src` to `parent/<basename of src>` (symlinks kept as links)."""
    dest = parent / src.name
    shutil.copytree(src, dest, symlinks=True)
    return dest


def project_hash(path: Path) -> str:
    """Hash of every file (relative path, executable bit, bytes) under `path`."""
    h = hashlib.sha256(f"{HARNESS_VERSION}\0{path.name}\0".encode())
    for root, dirs, files in os.walk(path):
        dirs.sort()
        links = [d for d in dirs if os.path.islink(os.path.join(root, d))]  # not followed by os.walk
        for name in sorted(files + links):
            full = Path(root, name)
            rel = full.relative_to(path).as_posix()
            h.update(rel.encode("utf-8", "surrogateescape") + b"\0")
            if full.is_symlink():
                h.update(b"L" + os.readlink(full).encode("utf-8", "surrogateescape"))
            else:
                h.update(b"X" if os.access(full, os.X_OK) else b"-")
                h.update(hashlib.sha256(full.read_bytes()).digest())
    return h.hexdigest()[:20]


def _collect_handlers(build_dir: Path, pristine: Path) -> dict[str, str]:
    """Generated handler files: root `handler_*.py` (minus unchanged user files) + the mothership one."""
    out: dict[str, str] = {}
    candidates = sorted(build_dir.glob("handler_*.py"))
    mothership = build_dir / "handlers" / "handler_mothership.py"
    if mothership.is_file():
        candidates.append(mothership)
    for f in candidates:
        if not f.is_file():
            continue
        rel = f.relative_to(build_dir).as_posix()
        text = f.read_text(encoding="utf-8", errors="surrogateescape")
        user = pristine / rel
        if user.is_file() and user.read_bytes() == f.read_bytes():
            continue  # a project file that was merely copied
        out[rel] = text
    return out


def list_real_files(
    venv: Path, pristine: Path, env: dict[str, str] | None = None, script: str = LIST_FILES
) -> list[str]:
    """The files the real `get_file_tree` of `venv` lists for `pristine` (`script` prints them)."""
    proc = subprocess.run(
        [str(venv / "bin" / "python"), "-c", script, str(pristine)],
        cwd=pristine.parent,
        env=clean_env(env),
        capture_output=True,
        text=True,
        timeout=120,
    )
    for line in proc.stdout.splitlines():
        if line.startswith("@@FILES@@"):
            return json.loads(line[len("@@FILES@@") :])
    raise RuntimeError(f"real get_file_tree failed (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}")


def run_build_in(
    work: Path,
    venv: Path,
    args: list[str],
    env: dict[str, str],
    *,
    script: str = WRAPPER_NAME,
    timeout: float = BUILD_TIMEOUT,
) -> tuple[int, str, float]:
    """Run `script` of `venv/bin` (default: the harness's wrapper of the real `flash`) with `args`
    in `work`: (exit code, -9 on a timeout; stdout and stderr as one text, with the work path
    replaced by a placeholder; seconds)."""
    started = time.monotonic()
    try:
        proc = subprocess.run(
            [str(venv / "bin" / "python"), str(venv / "bin" / script), *args],
            cwd=work,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            timeout=timeout,
        )
        rc, output = proc.returncode, proc.stdout.decode("utf-8", "replace")
    except subprocess.TimeoutExpired as exc:
        rc, output = -9, (exc.output or b"").decode("utf-8", "replace") + f"\n[fidelity] TIMEOUT {timeout}s"
    duration = time.monotonic() - started
    for p in {str(work), os.path.realpath(work)}:
        output = output.replace(p, PLACEHOLDER)
    return rc, output, duration


def manifest_left(work: Path) -> tuple[str | None, bool]:
    """The manifest the build left in .flash/.build, else in .flash/.build.failed (then True)."""
    for d in (work / ".flash" / ".build", work / ".flash" / ".build.failed"):
        if (d / "flash_manifest.json").is_file():
            return (d / "flash_manifest.json").read_text(encoding="utf-8"), d.name == ".build.failed"
    return None, False


def result_of(cls, profile: str, work: Path, run: tuple[int, str, float], handlers, files, count_re, **extra):
    """A `RealResult` (or subclass `cls`) of the build `run` (from `run_build_in`) in `work`: the
    manifest it left and the file count `count_re` finds in its output."""
    rc, output, duration = run
    manifest, survived = manifest_left(work)
    m = count_re.search(output)
    return cls(
        profile=profile,
        returncode=rc,
        output=output,
        manifest=manifest,
        handlers=handlers,
        files=files,
        found_count=int(m.group(1)) if m else None,
        duration=round(duration, 2),
        manifest_survived_failure=survived,
        **extra,
    )


def store_result(cache_file: Path, project_name: str, result) -> None:
    """Write `result` to `cache_file`, removing the project's entries for older contents."""
    cache_file.parent.mkdir(parents=True, exist_ok=True)
    for stale in cache_file.parent.glob(f"{project_name}-*.json"):
        if stale != cache_file and re.fullmatch(re.escape(project_name) + r"-[0-9a-f]{20}\.json", stale.name):
            stale.unlink(missing_ok=True)
    _write_atomic(cache_file, json.dumps(dataclasses.asdict(result), indent=1))


def run_real_build(path: Path, profile: str, *, keep: bool = False, log=print) -> RealResult:
    """Run the real build on a temp copy of `path` (no cache)."""
    path = Path(path).resolve()
    venv = ensure_ref_venv(profile, log)
    tmp = Path(tempfile.mkdtemp(prefix=f"fid-real-{profile}-"))
    try:
        pristine = copy_project(path, tmp / "pristine")
        work = copy_project(path, tmp / "work")
        files = list_real_files(venv, pristine)
        rc, output, duration = run_build_in(work, venv, ["build", "--keep-build"], clean_env())
        build_dir = work / ".flash" / ".build"
        handlers = _collect_handlers(build_dir, pristine) if rc == 0 and build_dir.is_dir() else {}
        if keep:
            log(f"[fidelity] kept real build copy: {work}")
        return result_of(RealResult, profile, work, (rc, output, duration), handlers, files, FOUND_RE)
    finally:
        if not keep:
            shutil.rmtree(tmp, ignore_errors=True)


def real_results(path: Path, profile: str, *, use_cache: bool = True, keep: bool = False, log=print) -> RealResult:
    """Real build results for `path`, cached by project content under <cache>/real-builds/<profile>/."""
    path = Path(path).resolve()
    cache_file = cache_root() / "real-builds" / profile / f"{path.name}-{project_hash(path)}.json"
    if use_cache and not keep and cache_file.is_file():
        try:
            return RealResult(**json.loads(cache_file.read_text()))
        except (TypeError, ValueError):
            pass
    result = run_real_build(path, profile, keep=keep, log=log)
    if result.returncode != -9:  # never cache a timeout
        store_result(cache_file, path.name, result)
    return result


def session_params(request, test_name: str, param: str) -> list:
    """The `param` values of the `test_name` items this pytest session runs."""
    return [
        item.callspec.params[param]
        for item in request.session.items
        if getattr(item, "originalname", None) == test_name and hasattr(item, "callspec")
    ]


@contextlib.contextmanager
def two_at_a_time(compute, items: list):
    """Start `compute(item)` for every item, two at a time in the background; yields the function
    that waits for one item's result (started then when it was not among `items`)."""
    pool = ThreadPoolExecutor(max_workers=2)
    futures = {item: pool.submit(compute, item) for item in items}
    try:
        yield lambda item: futures.setdefault(item, pool.submit(compute, item)).result()
    finally:
        for future in futures.values():
            future.cancel()
        pool.shutdown(wait=True)


# ----------------------------------------------------------------------------- our CLI


def our_cli() -> list[str]:
    """How to run our CLI: flash-lsp next to this interpreter, else the repo venv's, else `-m`."""
    for cand in (Path(sys.executable).parent / "flash-lsp", REPO / ".venv" / "bin" / "flash-lsp"):
        if cand.exists():
            return [str(cand)]
    return [sys.executable, "-m", "flash_lsp"]


@dataclasses.dataclass
class CliRun:
    args: list[str]
    returncode: int
    stdout: str
    stderr: str

    @property
    def crashed(self) -> bool:
        """Failed in a way that is not a prediction (exit 1 is "the build fails / writes nothing")."""
        signs = ("Traceback (most recent call last)", "No module named", "ModuleNotFoundError", "ImportError")
        return self.returncode not in (0, 1) or any(s in self.stderr for s in signs)

    def describe(self) -> str:
        tail = "\n".join((self.stderr or self.stdout).strip().splitlines()[-12:])
        return f"`flash-lsp {' '.join(self.args)}` exited {self.returncode}:\n{_indent(tail or '(no output)')}"


_HELP_CACHE: dict[str, str] = {}


def cli_supports(subcommand: str, option: str) -> bool:
    """Whether `flash-lsp SUBCOMMAND --help` mentions `option` (cached per process)."""
    if subcommand not in _HELP_CACHE:
        try:
            proc = subprocess.run(our_cli() + [subcommand, "--help"], capture_output=True, text=True, timeout=60)
            _HELP_CACHE[subcommand] = proc.stdout
        except (OSError, subprocess.TimeoutExpired):
            _HELP_CACHE[subcommand] = ""
    return option in _HELP_CACHE[subcommand]


def run_cli(args: list[str], cwd: Path) -> CliRun:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TETRA_", "RUNPOD_"))}
    env.update({"NO_COLOR": "1", "COLUMNS": "200"})
    try:
        proc = subprocess.run(
            our_cli() + args, cwd=cwd, env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=CLI_TIMEOUT
        )
        return CliRun(
            args, proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace")
        )
    except subprocess.TimeoutExpired:
        return CliRun(args, -9, "", f"timed out after {CLI_TIMEOUT}s")
    except OSError as exc:
        return CliRun(args, -1, "", f"could not run our CLI: {exc}")


# ----------------------------------------------------------------------------- comparison


def _indent(text: str, prefix: str = "    ") -> str:
    return "\n".join(prefix + line for line in text.splitlines())


def _udiff(real: str, ours: str, name: str, limit: int = 80) -> str:
    lines = list(
        difflib.unified_diff(real.splitlines(), ours.splitlines(), f"real/{name}", f"ours/{name}", lineterm="", n=2)
    )
    if len(lines) > limit:
        lines = lines[:limit] + [f"... ({len(lines) - limit} more diff lines)"]
    return _indent("\n".join(lines))


def _normalise_manifest(obj):
    if isinstance(obj, dict):
        out = {}
        for k, v in obj.items():
            if k == "generated_at" and isinstance(v, str):
                v = "<GENERATED_AT>"
            elif k == "gpuIds" and isinstance(v, str):
                v = ",".join(sorted(set(v.split(","))))
            else:
                v = _normalise_manifest(v)
            out[k] = v
        return out
    if isinstance(obj, list):
        return [_normalise_manifest(v) for v in obj]
    return obj


def _normalise_handler(text: str) -> str:
    return "\n".join(
        "Generated at: <GENERATED_AT>" if line.startswith("Generated at:") else line for line in text.split("\n")
    )


def _ws(text: str) -> str:
    return " ".join(text.split())


def compare_manifest(real: RealResult, run: CliRun) -> list[str]:
    if run.crashed or (run.returncode == 1 and run.stdout.strip()):
        return [f"manifest: our CLI failed: {run.describe()}"]
    ours = run.stdout if run.returncode == 0 else None
    where = " (written before the build failed)" if real.manifest_survived_failure else ""
    if real.manifest is None and ours is None:
        return []
    if real.manifest is None:
        return [f"manifest: the real build wrote no manifest, but we printed one:\n{_indent(ours[:2000])}"]
    if ours is None:
        return [
            f"manifest: the real build wrote a manifest{where}, but we predicted none "
            f"(exit 1, empty stdout):\n{_indent(real.manifest[:3000])}"
        ]
    diffs = []
    try:
        our_obj = json.loads(ours)
    except ValueError as exc:
        return [f"manifest: our stdout is not JSON ({exc}):\n{_indent(ours[:1000])}"]
    if json.dumps(our_obj, indent=2) != ours:
        diffs.append(
            "manifest: our stdout is not formatted like json.dumps(obj, indent=2) (no trailing newline, ASCII-escaped)"
        )
    gen = our_obj.get("generated_at") if isinstance(our_obj, dict) else None
    if isinstance(gen, str) and not GENERATED_AT_RE.match(gen):
        diffs.append(f"manifest: our generated_at {gen!r} is not UTC ISO-8601 with 'Z'")
    real_obj = json.loads(real.manifest)
    real_text = json.dumps(_normalise_manifest(real_obj), indent=2)
    our_text = json.dumps(_normalise_manifest(our_obj), indent=2)
    if real_text != our_text:
        diffs.append(
            f"manifest differs{where} (generated_at and gpuIds order normalised):\n"
            + _udiff(real_text, our_text, "flash_manifest.json")
        )
    return diffs


def compare_handlers(real: RealResult, run: CliRun, out_dir: Path) -> list[str]:
    if not real.succeeded:
        return [f"handlers: our CLI crashed: {run.describe()}"] if run.crashed else []
    if run.returncode != 0:
        return [f"handlers: our CLI failed: {run.describe()}"]
    ours: dict[str, str] = {}
    for f in sorted(out_dir.rglob("*")):
        if f.is_file():
            ours[f.relative_to(out_dir).as_posix()] = f.read_text(encoding="utf-8", errors="surrogateescape")
    diffs = []
    missing = sorted(set(real.handlers) - set(ours))
    extra = sorted(set(ours) - set(real.handlers))
    if missing:
        diffs.append(f"handlers: real build wrote files we did not: {missing}")
    if extra:
        diffs.append(f"handlers: we wrote files the real build did not: {extra}")
    for rel in sorted(set(real.handlers) & set(ours)):
        a, b = _normalise_handler(real.handlers[rel]), _normalise_handler(ours[rel])
        if a != b:
            diffs.append(f"handler {rel} differs (Generated at line ignored):\n" + _udiff(a, b, rel))
    return diffs


def compare_files(real: RealResult, run: CliRun) -> list[str]:
    diffs = []
    if real.found_count is not None and real.found_count != len(real.files):
        diffs.append(
            f"files: HARNESS WARNING: real get_file_tree() gave {len(real.files)} files but the build said "
            f"'Found {real.found_count} files to package'"
        )
    if run.returncode != 0:
        return diffs + [f"files: our CLI failed: {run.describe()}"]
    ours = [line for line in run.stdout.splitlines() if line]
    if ours != sorted(ours):
        diffs.append("files: our list is not sorted")
    if sorted(ours) != real.files:
        missing = sorted(set(real.files) - set(ours))
        extra = sorted(set(ours) - set(real.files))
        diffs.append(f"files differ: shipped by the real build but not by us: {missing}; only by us: {extra}")
    return diffs


def read_check(run: CliRun, label: str = "check") -> tuple[bool | None, list, list[str]]:
    """`build.succeeds` (None: unknown) and `build.errors` of `check --format json`, or the problem
    with the run."""
    if run.crashed:
        return False, [], [f"{label}: our CLI failed: {run.describe()}"]
    try:
        build = json.loads(run.stdout)["build"]
        succeeds, errors = build["succeeds"], build["errors"]
        if not isinstance(succeeds, (bool, type(None))) or not isinstance(errors, list):
            raise TypeError("build.succeeds must be a bool or null (unknown) and build.errors a list")
    except (ValueError, KeyError, TypeError) as exc:
        return False, [], [f"{label}: our output lacks build.succeeds/errors ({exc!r}): {run.describe()}"]
    return succeeds, errors, []


def compare_check(real: RealResult, run: CliRun) -> list[str]:
    succeeds, errors, problem = read_check(run)
    if problem:
        return problem
    diffs = []
    if succeeds != real.succeeded:
        detail = f"our errors: {errors}" if errors else "we reported no errors"
        diffs.append(f"check: real build exit code {real.returncode}, but we predict succeeds={succeeds} ({detail})")
    elif not real.succeeded:
        if not errors:
            diffs.append("check: the real build failed but our errors list is empty")
        else:
            first = errors[0] if isinstance(errors[0], str) else json.dumps(errors[0])
            if _ws(first) not in _ws(real.output):
                diffs.append(f"check: our errors[0] does not occur in the real output:\n    ours: {first!r}")
    return diffs


def compare(real: RealResult, pristine: Path, profile: str) -> list[str]:
    """Run our CLI on `pristine` and compare with `real`."""
    p = str(pristine)
    # The real build ran with the reference venv's interpreter; tell our CLI when it has the option.
    python = str(cache_root() / "ref-venvs" / profile / "bin" / "python")
    common = ["--profile", profile] + (["--python", python] if cli_supports("manifest", "--python") else [])

    def cli(*args: str) -> CliRun:
        return run_cli([args[0], p, *args[1:], *common], pristine.parent)

    diffs = compare_manifest(real, cli("manifest"))
    with tempfile.TemporaryDirectory(prefix="fid-ours-") as out:
        diffs += compare_handlers(real, cli("handlers", "--out", out), Path(out))
    diffs += compare_files(real, cli("files"))
    check = cli("check", "--format", "json")
    # Our messages name the pristine copy where the real ones say PLACEHOLDER.
    diffs += compare_check(real, dataclasses.replace(check, stdout=check.stdout.replace(p, PLACEHOLDER)))
    return diffs


def compare_project(
    path, profile: str, *, use_cache: bool = True, keep: bool = False, real: RealResult | None = None, log=print
) -> list[str]:
    """Differences between the real build of `path` and our predictions (empty list = identical)."""
    path = Path(path).resolve()
    if real is None:
        real = real_results(path, profile, use_cache=use_cache, keep=keep, log=log)
    tmp = Path(tempfile.mkdtemp(prefix=f"fid-ours-{profile}-"))
    try:
        pristine = copy_project(path, tmp)
        before = project_hash(pristine)
        diffs = compare(real, pristine, profile)
        if project_hash(pristine) != before:
            diffs.append("our CLI modified the project directory (it must be read-only)")
        return diffs
    finally:
        if keep:
            log(f"[fidelity] kept our copy: {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def describe_real(real: RealResult) -> str:
    res = json.loads(real.manifest)["resources"] if real.manifest else {}
    return (
        f"real: exit {real.returncode} in {real.duration:.1f}s, {len(real.files)} files, "
        f"{'no manifest' if real.manifest is None else f'{len(res)} resources'}, {len(real.handlers)} handler files"
    )


def all_fixtures() -> list[Path]:
    return sorted(p for p in FIXTURES.iterdir() if p.is_dir()) if FIXTURES.is_dir() else []


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.fidelity", description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="*", type=Path, help="project directories (default: every fixture)")
    ap.add_argument("--profile", choices=sorted(PROFILES), action="append", help="default: both")
    ap.add_argument("--keep", action="store_true", help="keep the temp copies (paths are printed)")
    ap.add_argument("--no-cache", action="store_true", help="always rerun the real build")
    ap.add_argument("--real-only", action="store_true", help="only run/cache the real builds and summarise them")
    ap.add_argument("-v", "--verbose", action="store_true", help="print the real build output too")
    args = ap.parse_args(argv)
    paths = args.paths or all_fixtures()
    profiles = args.profile or sorted(PROFILES, reverse=True)
    failed = 0
    for path in paths:
        if not path.is_dir():
            print(f"{path}: not a directory", file=sys.stderr)
            return 2
        for profile in profiles:
            title = f"== {path.name} [{profile}]"
            real = real_results(path, profile, use_cache=not args.no_cache, keep=args.keep)
            if args.real_only:
                print(f"{title}: {describe_real(real)}")
                if args.verbose:
                    print(_indent(real.output))
                continue
            diffs = compare_project(path, profile, keep=args.keep, real=real)
            status = "identical" if not diffs else f"{len(diffs)} difference(s)"
            print(f"{title}: {status}; {describe_real(real)}")
            for d in diffs:
                print(_indent(d, "  | "))
            if diffs and (args.verbose or any(d.startswith("check:") for d in diffs)):
                print("  real build output:")
                print(_indent(real.output.strip(), "    | "))
            failed += bool(diffs)
    if not args.real_only:
        print(f"\n{failed} of {len(paths) * len(profiles)} comparison(s) differ")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
