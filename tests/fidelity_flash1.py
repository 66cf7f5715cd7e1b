"""Fidelity harness for runpod-flash 1.x: compare Flash LSP with the real `flash build`.

Usage (from the repo root)::

    python -m tests.fidelity_flash1 [PATH ...] [--profile flash-1.21] [--env base|full] [--no-cache] [--status]
    python -m tests.fidelity_flash1 [PATH ...] --release 1.13.0|all    # the release sweep (tests/fidelity_flash1_sweep.py)

Every fixture project (default: ``tests/fixtures/flash1/*``) is built by the real runpod-flash release
of each 1.x profile in two environments (reference venvs under ``<cache>/ref-venvs``, made on demand):

* ``base``: ``<profile>`` holds runpod-flash and its dependencies only;
* ``full``: ``<profile>-full`` also holds ``FULL_REQUIREMENTS``, the union of the corpus projects' small
  requirements, so that a module-level ``import tabulate`` fails to load in one and loads in the other.

For each fixture x profile x environment the project is copied to a temp dir (same basename, the
manifest's ``project_name``) and ``flash build`` runs there with that environment's interpreter, a fake
``HOME``, no ``RUNPOD_*`` variables and ``RUNPOD_FLASH_SILENCE_DEPRECATION=1``. A fixture's README.md
may carry a line ``flash build args: --no-deps`` (the only extra arguments used). Collected:

* ``flash_manifest.json`` (also when the build failed after writing it: the wrapper in the venv's
  ``bin/`` renames a build dir the build deletes to ``.flash/.build.failed``); compared except
  ``generated_at`` (and the order inside ``gpuIds``);
* generated files (successful builds only): root ``handler_*.py`` that are not project files, and
  ``runpod_flash/runtime/_flash_resource_config.py``;
* shipped project files: what the build's ``get_file_tree`` returned for the project (or, when the build
  stopped before that, the same function on a pristine copy); on a successful build this is
  cross-checked against the archive: its members minus ``flash_manifest.json``, the generated handlers,
  the bundled ``runpod_flash/``, and what pip installed (files named in a ``*.dist-info/RECORD``, with
  ``../../bin/x`` meaning ``bin/x``, the ``*.dist-info`` directories, and ``bin/`` scripts that are no
  project file);
* outcome: exit code, and the error text: from the first ``Failed to load:``, ``✗`` or ``Error:``
  line to the end of the output, logging records and their tracebacks left out, ``✗`` marks dropped,
  whitespace-normalised, project path -> ``<PROJECT>``, sets of strings (``{'GET', 'POST'}``, printed
  in hash order) sorted.

Our CLI (``flash-lsp manifest|handlers|files|check PATH --profile P --python <env python>``) must give
the same manifest, generated files and file list; ``check --format json`` must give
``build.succeeds == (exit code 0)`` and, on failure, ``build.errors`` whose lines, joined and
normalised the same way, equal the real error text. An uncertain outcome (``build.succeeds`` null with
``build.uncertain`` steps: a request at import) matches a real success, and a real failure whose
``Failed to load:`` lists exactly the files those steps' ``fails`` name, each step's in that order and
with one error text (our manifest is then not compared). Real results are cached under
``<cache>/real-builds/<profile>-<env>/`` by project content, profile, environment and ``HARNESS_VERSION``.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import re
import sys
import tarfile
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests import fidelity as base

FIXTURES = base.REPO / "tests" / "fixtures" / "flash1"
PROFILES = dict(base.FLASH1_PROFILES)
ENVS = ("base", "full")
# Tiny pure-Python wheels not among runpod-flash's own dependencies (six, idna, attrs already are).
FULL_REQUIREMENTS = ("tabulate==0.10.0", "termcolor==3.3.0", "toml==0.10.2")
HARNESS_VERSION = 1
PRIMARY = "flash-1.21"
# The older releases run on the fixtures whose features they have (no closure check before 1.19,
# no client mode before 1.21; 1.7 discovers endpoints from the AST and imports nothing).
_AST_ERA_COMMON = (
    "qb_function",
    "qb_class_methods",
    "lb_routes",
    "legacy_cpu_lb",
    "flat_layout",
    "missing_import_endpoint",
)
OLDER_RELEASE_FIXTURES = {
    "flash-1.17": frozenset(
        {
            "qb_function",
            "qb_class_methods",
            "max_concurrency_async",
            "lb_routes",
            "mixed_qb_lb",
            "legacy_remote_live",
            "flat_layout",
            "missing_import_endpoint",
            "http_at_import",
            "http_at_import_chain",
            "shared_config",
            "same_name_two_files",
            "reexport_import",
            "closure_endpoint_file",
            "client_image",
        }
    ),
    "flash-1.7": frozenset(
        {*_AST_ERA_COMMON, "shared_config", "same_name_two_files", "syntax_error_helper", "gitignore_rules"}
    ),
    # 1.8.0–1.10.2: the Python-version fields, the 1.9 GPU groups, the 1.10 datacenters and volumes,
    # the 1.10.2 `.env` ignores and explicit `env`.
    "flash-1.10": frozenset(
        {*_AST_ERA_COMMON, "network_volume_datacenter", "env_files", "cpu_instance_types", "workers_idle_env"}
    ),
    "flash-1.9": frozenset({"qb_function", "lb_routes", "legacy_cpu_lb", "env_files", "network_volume_datacenter"}),
    # 1.11.0–1.11.2: import-based discovery, and resource classes that append `-fb` to their name.
    "flash-1.11": frozenset(
        {
            "qb_function",
            "legacy_remote_live",
            "legacy_cpu_lb",
            "lb_routes",
            "flashignore_leftover",
            "missing_import_endpoint",
            "shared_config",
            "env_files",
        }
    ),
}
# Releases no profile is named after: our CLI runs with `--profile auto` and must detect the release
# from the reference venv it is given (`--python`).
DETECTED_RELEASES = frozenset({"flash-1.9", "flash-1.11"})
RESOURCE_CONFIG = "runpod_flash/runtime/_flash_resource_config.py"
ARGS_RE = re.compile(r"^flash build args:(.*)$", re.MULTILINE)
BUILT_RE = re.compile(r"✓ built \S+\s+(\d+) files")
LOG_RECORD_RE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \| [A-Z]+ +\| ")
SET_DISPLAY_RE = re.compile(r"\{('[^',{}]*'(?:, '[^',{}]*')*)\}")
CHAINED_EXCEPTION = ("The above exception was the direct cause", "During handling of the above exception")
ERROR_START_RE = re.compile(r"^\s*(Failed to load:|✗ |Error: )")  # "Error: " before 1.15
# Signs that a real build was starved by a loaded machine (pip's 5 s `--version` probe timed out):
# such a result is retried once and never cached.
STARVED_RE = re.compile(r"Standard pip not found|timed out after \d+ seconds|\[fidelity\] TIMEOUT")
# The tetra wrapper (keeps a build dir the build deletes), for runpod_flash, and recording the file
# list the build collects from the project (`get_file_tree`) in $FLASH_FIDELITY_FILES.
_RECORD_FILES = """from runpod_flash.cli.main import app  # noqa: E402
import json  # noqa: E402
from pathlib import Path  # noqa: E402

import runpod_flash.cli.commands.build as _build  # noqa: E402

_get_file_tree = _build.get_file_tree


def _recording_get_file_tree(directory, *args, **kwargs):
    files = _get_file_tree(directory, *args, **kwargs)
    out = os.environ.get("FLASH_FIDELITY_FILES")
    if out and os.path.realpath(directory) == os.path.realpath(os.getcwd()) and not os.path.exists(out):
        with open(out, "w") as fh:
            json.dump(sorted(Path(f).relative_to(directory).as_posix() for f in files), fh)
    return files


_build.get_file_tree = _recording_get_file_tree
"""
WRAPPER = base.WRAPPER.replace("from tetra_rp.cli.main import app  # noqa: E402\n", _RECORD_FILES)
assert WRAPPER != base.WRAPPER

LIST_FILES = base.LIST_FILES.replace("tetra_rp.", "runpod_flash.")


@dataclasses.dataclass
class Flash1Result(base.RealResult):
    """A real 1.x build; `found_count` is the "built <app>  N files" count."""

    env: str = "base"
    archive_files: list[str] | None = None  # project files derived from the archive (successful builds)

    @property
    def errors(self) -> str:
        """The normalised error text ("" when the build succeeded)."""
        return "" if self.succeeded else error_text(self.output)


def venv_name(profile: str, env: str) -> str:
    return profile if env == "base" else f"{profile}-{env}"


def ensure_env(profile: str, env: str, log=print) -> Path:
    """The reference venv of `profile` for environment `env`, with the build wrapper in its bin/."""
    if env not in ENVS:
        raise ValueError(f"unknown environment {env!r}; expected one of {ENVS}")
    extra = FULL_REQUIREMENTS if env == "full" else ()
    venv = base.ensure_ref_venv(profile, log, name=venv_name(profile, env), extra=extra)
    base._write_atomic(venv / "bin" / base.WRAPPER_NAME, WRAPPER)
    return venv


def build_args(path: Path) -> list[str]:
    readme = path / "README.md"
    m = ARGS_RE.search(readme.read_text(encoding="utf-8")) if readme.is_file() else None
    return m.group(1).split() if m else []


def _without_log_records(lines: list[str]) -> list[str]:
    """Drop logging records (``<timestamp> | ERROR | ...``) and the tracebacks printed with them."""
    out, state = [], "text"
    for line in lines:
        if LOG_RECORD_RE.match(line):
            state = "record"
        elif state in ("record", "exception") and line.startswith("Traceback"):
            state = "traceback"
        elif state == "traceback":
            state = "traceback" if line.startswith(" ") else "exception"  # the exception line ends it
        elif state == "exception" and (not line.strip() or line.startswith(CHAINED_EXCEPTION)):
            pass  # between the tracebacks of chained exceptions
        else:
            state = "text"
            out.append(line)
    return out


def error_text(output: str) -> str:
    """The build's error text: from the first error line to the end, log records left out, normalised."""
    lines = _without_log_records(output.splitlines())
    start = next((i for i, line in enumerate(lines) if ERROR_START_RE.match(line)), None)
    return "" if start is None else normalise_errors(lines[start:])


def normalise_errors(lines: list[str]) -> str:
    text = base._ws(" ".join(line.replace("✗", " ") for line in lines))
    # A set of strings prints in hash order, which changes from run to run: compare it sorted.
    return SET_DISPLAY_RE.sub(lambda m: "{" + ", ".join(sorted(m.group(1).split(", "))) + "}", text)


class Flash1CliRun(base.CliRun):
    """A run of our CLI. 1.x error texts quote ``ModuleNotFoundError``: only a traceback or an exit
    status other than 0 and 1 is a crash."""

    @property
    def crashed(self) -> bool:
        return self.returncode not in (0, 1) or "Traceback (most recent call last)" in self.stderr


def _installed_by_pip(build_dir: Path) -> set[str]:
    installed: set[str] = set()
    for record in build_dir.glob("*.dist-info/RECORD"):
        for row in record.read_text(encoding="utf-8", errors="replace").splitlines():
            rel = row.split(",", 1)[0]
            installed.add("bin/" + rel[len("../../bin/") :] if rel.startswith("../../bin/") else rel)
    return installed


def archive_project_files(work: Path, pristine: Path, generated: set[str]) -> list[str] | None:
    """Project files in the archive: members minus generated, bundled and pip-installed ones.

    pip's console scripts land in ``bin/``; those of runpod-flash have no RECORD left (the build
    deletes its dist-info), so a ``bin/`` member that is not a project file counts as installed.
    """
    archive = work / ".flash" / "artifact.tar.gz"
    if not archive.is_file():
        return None
    installed = _installed_by_pip(work / ".flash" / ".build")
    with tarfile.open(archive) as tar:
        members = [m.name[2:] for m in tar.getmembers() if m.isfile() or m.issym()]
    return sorted(
        m
        for m in members
        if m not in generated
        and m != "flash_manifest.json"
        and not m.startswith("runpod_flash/")
        and m not in installed
        and not (m.startswith("bin/") and not (pristine / m).is_file())
        and not m.split("/", 1)[0].endswith(".dist-info")
    )


def run_real_build(path: Path, profile: str, env: str, log=print) -> Flash1Result:
    """Run the real build of `profile` in environment `env` on a temp copy of `path` (no cache)."""
    path = Path(path).resolve()
    venv = ensure_env(profile, env, log)
    with tempfile.TemporaryDirectory(prefix=f"fid1-real-{profile}-{env}-") as tmp_name:
        tmp = Path(tmp_name)
        pristine = base.copy_project(path, tmp / "pristine")
        work = base.copy_project(path, tmp / "work")
        (tmp / "home").mkdir()
        recorded = tmp / "files.json"
        extra = {
            "HOME": str(tmp / "home"),
            "RUNPOD_FLASH_SILENCE_DEPRECATION": "1",
            "FLASH_FIDELITY_FILES": str(recorded),
        }
        run = base.run_build_in(work, venv, ["build", *build_args(path)], base.clean_env(extra))
        rc = run[0]
        # The build's own file list; when it stopped before collecting one, the same function run alone.
        files = (
            json.loads(recorded.read_text())
            if recorded.is_file()
            else base.list_real_files(venv, pristine, {"RUNPOD_FLASH_SILENCE_DEPRECATION": "1"}, LIST_FILES)
        )
        build_dir = work / ".flash" / ".build"
        handlers: dict[str, str] = {}
        if rc == 0 and build_dir.is_dir():
            handlers = base._collect_handlers(build_dir, pristine)
            handlers.pop("handlers/handler_mothership.py", None)
            if (build_dir / RESOURCE_CONFIG).is_file():
                handlers[RESOURCE_CONFIG] = (build_dir / RESOURCE_CONFIG).read_text(encoding="utf-8")
        archive_files = archive_project_files(work, pristine, set(handlers)) if rc == 0 else None
        return base.result_of(
            Flash1Result, profile, work, run, handlers, files, BUILT_RE, env=env, archive_files=archive_files
        )


def cache_file(path: Path, profile: str, env: str) -> Path:
    key = f"{HARNESS_VERSION}|{base.flash1_release(profile)}|{env}|{FULL_REQUIREMENTS if env == 'full' else ()}"
    digest = hashlib.sha256(f"{key}|{base.project_hash(path)}".encode()).hexdigest()[:20]
    return base.cache_root() / "real-builds" / venv_name(profile, env) / f"{path.name}-{digest}.json"


def real_results(path: Path, profile: str, env: str, *, use_cache: bool = True, log=print) -> Flash1Result:
    """Real build results for `path`, cached on disk by project content, profile and environment."""
    path = Path(path).resolve()
    cached = cache_file(path, profile, env)
    if use_cache and cached.is_file():
        try:
            data = json.loads(cached.read_text())
            data.pop("errors", None)  # written by the first harness version; derived from the output now
            return Flash1Result(**data)
        except (TypeError, ValueError):
            pass
    result = run_real_build(path, profile, env, log)
    if STARVED_RE.search(result.output):
        log(f"[fidelity] {path.name} [{profile}/{env}]: the build was starved (timeout); retrying once")
        result = run_real_build(path, profile, env, log)
    if not STARVED_RE.search(result.output):
        base.store_result(cached, path.name, result)
    return result


# ----------------------------------------------------------------------------- comparison


def failed_to_load(output: str) -> dict[str, str] | None:
    """File → error of each line a real build's `Failed to load:` lists, in its order (None: it
    did not stop there)."""
    lines = _without_log_records(output.splitlines())
    start = next((i for i, line in enumerate(lines) if line.strip() == "Failed to load:"), None)
    if start is None:
        return None
    files = {}
    for line in lines[start + 1 :]:
        if not line.startswith(" ") or not line.strip():
            break
        file, _, error = line.strip().partition(": ")
        files[file] = error
    return files


def uncertain_fails(run: base.CliRun) -> list[list[str]]:
    """Per `build.uncertain` step of `check --format json` (import-time requests), the files
    that fail to load when it fails, in the build's order."""
    try:
        steps = json.loads(run.stdout)["build"].get("uncertain", [])
        return [list(step.get("fails") or [step["file"]]) for step in steps]
    except (ValueError, KeyError, TypeError, AttributeError):
        return []


def uncertain_files(run: base.CliRun) -> list[str]:
    """Every file an uncertain step would fail, sorted."""
    return sorted({f for fails in uncertain_fails(run) for f in fails})


def stopped_at_uncertain(real: Flash1Result, run: base.CliRun) -> bool:
    """The real build failed to load exactly the files our uncertain steps would fail, each step's
    files in our order and with one error text (the request's error, raised again by its importers)."""
    steps = uncertain_fails(run)
    listed = failed_to_load(real.output) or {}
    if not steps or real.succeeded or sorted(listed) != uncertain_files(run):
        return False
    order = list(listed)
    return all(sorted(fails, key=order.index) == fails and len({listed[f] for f in fails}) == 1 for fails in steps)


def compare_outcome(real: Flash1Result, run: base.CliRun) -> list[str]:
    """`check --format json`: same success, and on failure the same error text. An uncertain
    outcome (unknown, with `build.uncertain` steps) accepts a real success, and a real failure
    whose `Failed to load` lists exactly the files the uncertain steps fail (`stopped_at_uncertain`)."""
    succeeds, errors, problem = base.read_check(run, "outcome")
    if problem:
        return problem
    if succeeds is None and uncertain_files(run):
        if real.succeeded or stopped_at_uncertain(real, run):
            return []
        return [f"outcome: uncertain at {uncertain_files(run)}, but the real build failed otherwise: {real.errors!r}"]
    if succeeds != real.succeeded:
        return [
            f"outcome: real exit code {real.returncode}, we predict succeeds={succeeds}; "
            f"real errors: {real.errors!r}; ours: {errors!r}"
        ]
    if real.succeeded:
        return []
    ours = normalise_errors([e if isinstance(e, str) else json.dumps(e) for e in errors])
    if ours != real.errors:
        return [f"outcome: error text differs\n    real: {real.errors!r}\n    ours: {ours!r}"]
    return []


def compare_archive(real: Flash1Result) -> list[str]:
    """Harness self-check: the archive's project files are the real get_file_tree list."""
    if real.archive_files is None or real.archive_files == real.files:
        return []
    return [f"files: HARNESS WARNING: archive project files {real.archive_files} != get_file_tree {real.files}"]


def compare(real: Flash1Result, path: Path) -> dict[str, list[str]]:
    """Our CLI on a pristine copy of `path` against `real`, differences by aspect (empty = identical)."""
    python = str(base.cache_root() / "ref-venvs" / venv_name(real.profile, real.env) / "bin" / "python")
    with tempfile.TemporaryDirectory(prefix=f"fid1-ours-{real.profile}-") as tmp:
        pristine = base.copy_project(Path(path).resolve(), Path(tmp))
        before = base.project_hash(pristine)
        p = str(pristine)

        def cli(*args: str) -> base.CliRun:
            detected = real.profile in DETECTED_RELEASES or base.RELEASE_VENV_RE.fullmatch(real.profile)
            profile = "auto" if detected else real.profile
            run = base.run_cli([args[0], p, *args[1:], "--profile", profile, "--python", python], pristine.parent)
            return Flash1CliRun(**dataclasses.asdict(run))

        check = cli("check", "--format", "json")
        check = dataclasses.replace(check, stdout=check.stdout.replace(p, base.PLACEHOLDER))
        manifest = cli("manifest")
        # Stopped by a request we called uncertain: our manifest is the one of the run where it works.
        uncertain_stop = stopped_at_uncertain(real, check) and not manifest.crashed
        out: dict[str, list[str]] = {"manifest": [] if uncertain_stop else base.compare_manifest(real, manifest)}
        with tempfile.TemporaryDirectory(prefix="fid1-handlers-") as hdir:
            out["handlers"] = base.compare_handlers(real, cli("handlers", "--out", hdir), Path(hdir))
        out["files"] = base.compare_files(real, cli("files")) + compare_archive(real)
        out["outcome"] = compare_outcome(real, check)
        if base.project_hash(pristine) != before:
            out["outcome"].append("our CLI modified the project directory (it must be read-only)")
    return out


def all_fixtures() -> list[Path]:
    return sorted(p for p in FIXTURES.iterdir() if p.is_dir()) if FIXTURES.is_dir() else []


@dataclasses.dataclass(frozen=True)
class Case:
    fixture: Path
    profile: str
    env: str

    @property
    def id(self) -> str:
        return f"{self.fixture.name}-{self.profile}-{self.env}"


def cases() -> list[Case]:
    """Every fixture x env for flash-1.21; the older releases on the fixtures listed for them."""
    out = []
    for fixture in all_fixtures():
        for profile in PROFILES:
            if profile == PRIMARY or fixture.name in OLDER_RELEASE_FIXTURES[profile]:
                out.extend(Case(fixture, profile, env) for env in ENVS)
    return out


def evaluate(case: Case, *, use_cache: bool = True) -> tuple[Flash1Result, dict[str, list[str]]]:
    real = real_results(case.fixture, case.profile, case.env, use_cache=use_cache)
    return real, compare(real, case.fixture)


def evaluate_all(selected: list[Case], *, workers: int = 2, use_cache: bool = True) -> dict:
    """`evaluate` on every case, `workers` at a time (the real builds are the slow part)."""
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {case: pool.submit(evaluate, case, use_cache=use_cache) for case in selected}
        return {case: fut.result() for case, fut in futures.items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.fidelity_flash1", description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="*", type=Path, help="fixture directories (default: every flash1 fixture)")
    ap.add_argument("--profile", choices=sorted(PROFILES), action="append", help="default: every profile")
    ap.add_argument("--env", choices=ENVS, action="append", help="default: both")
    ap.add_argument(
        "--release",
        action="append",
        help="sweep: this exact 1.x release (or 'all') on the fixtures of its covering profile "
        "(with PATHs: those); --env picks the one environment (default base)",
    )
    ap.add_argument("--no-cache", action="store_true", help="always rerun the real build")
    ap.add_argument("--real-only", action="store_true", help="only run/cache the real builds and summarise them")
    ap.add_argument("--status", action="store_true", help="write STATUS.md next to the fixtures")
    ap.add_argument("--write-gaps", action="store_true", help="write KNOWN_GAPS.md next to the fixtures")
    ap.add_argument("-v", "--verbose", action="store_true", help="print the real build output too")
    args = ap.parse_args(argv)
    wanted = {p.resolve() for p in args.paths}
    if args.release:
        from tests.fidelity_flash1_sweep import RELEASES, sweep_cases

        releases = RELEASES if "all" in args.release else args.release
        names = [p.resolve().name for p in args.paths] or None
        selected = sweep_cases(releases, names, (args.env or ["base"])[0])
    else:
        selected = [
            c
            for c in cases()
            if (not wanted or c.fixture.resolve() in wanted)
            and (not args.profile or c.profile in args.profile)
            and (not args.env or c.env in args.env)
        ]
    if args.real_only:
        with ThreadPoolExecutor(max_workers=2) as pool:
            reals = list(
                pool.map(lambda c: real_results(c.fixture, c.profile, c.env, use_cache=not args.no_cache), selected)
            )
        for case, real in zip(selected, reals, strict=False):
            print(f"== {case.id}: real exit {real.returncode} in {real.duration:.1f}s")
            print(base._indent(real.output.strip(), "    | "))
        return 0
    results = evaluate_all(selected, use_cache=not args.no_cache)
    for case, (real, diffs) in results.items():
        flat = [d for ds in diffs.values() for d in ds]
        print(f"== {case.id}: real exit {real.returncode}; {'identical' if not flat else f'{len(flat)} difference(s)'}")
        for d in flat:
            print(base._indent(d, "  | "))
        if args.verbose:
            print(base._indent(real.output.strip(), "    | "))
    if args.status or args.write_gaps:
        from tests import fidelity_flash1_report as report

        if args.status:
            report.write_status(results)
        if args.write_gaps:
            report.write_gaps(results)
    failed = sum(any(d.values()) for _, d in results.values())
    print(f"\n{failed} of {len(results)} comparison(s) differ")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
