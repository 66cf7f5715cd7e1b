"""Find the project's Python and how to run its `flash` CLI, without importing the user's code.

Interpreter order: explicit setting → interpreter reported by the client → `<project>/.venv` →
`python3` on PATH. An interpreter that was named (setting or client) but does not exist is an
error, never a silent fallback.

The installed Flash distribution (`runpod-flash` or `tetra-rp`) and its `flash` console-script entry
point are read by a tiny `python -c` probe using `importlib.metadata` (metadata only; no Flash or
project import), run from a neutral directory so no project file can shadow a stdlib module.

How Flash is then run:

* the `flash` console script next to the interpreter, if it is Flash's (it imports `tetra_rp` or
  `runpod_flash`);
* else `<python> -c <bootstrap>` calling the entry point (`tetra_rp.cli.main:app`) exactly as the
  console script would. `python -m tetra_rp.cli.main` is *not* used: `-m` puts the project directory
  on `sys.path`, which lets the build's own module execution (0.22+ deployment-config extraction)
  import project modules that the real `flash` script cannot, and so changes the manifest.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

DISTRIBUTIONS = ("runpod-flash", "tetra-rp")  # preference when both are installed
IMPORT_NAMES = {"runpod-flash": "runpod_flash", "tetra-rp": "tetra_rp"}
INSTALL_HINT = "pip install tetra-rp"
PROBE_TIMEOUT = 30.0

# Runs in the project's interpreter. Standard library only; imports neither Flash nor project code.
PROBE = r"""
import sys
sys.path[:] = [p for p in sys.path if p != ""]  # -c put the working directory first
import json
from importlib import metadata
out = {"executable": sys.executable, "python": "%d.%d.%d" % sys.version_info[:3], "dists": []}
for name in ("runpod-flash", "runpod_flash", "tetra-rp", "tetra_rp", "runpod"):
    try:
        dist = metadata.distribution(name)
    except Exception:
        continue
    meta_name = dist.metadata["Name"] or name
    if any(d["name"] == meta_name for d in out["dists"]):
        continue
    eps = [e.value for e in dist.entry_points if e.group == "console_scripts" and e.name in ("flash", "rp")]
    out["dists"].append({"name": meta_name, "version": dist.version, "entry_point": eps[0] if eps else None})
print(json.dumps(out))
"""

# Like the console script: the project (cwd, which `-c` puts first on sys.path) is not importable.
BOOTSTRAP = (
    "import sys; sys.path[:] = [p for p in sys.path if p != '']; "
    "from {module} import {attr} as main; sys.argv[0] = 'flash'; sys.exit(main())"
)


class FlashNotFound(Exception):
    """No usable interpreter or no Flash in it. The message names the fix."""

    def __init__(self, message: str, *, interpreter: str | None = None, source: str | None = None) -> None:
        super().__init__(message)
        self.interpreter = interpreter
        self.source = source


@dataclass(frozen=True)
class FlashCommand:
    """How to run `flash` for one project: `argv` is the prefix before `build ...`."""

    argv: tuple[str, ...]
    interpreter: str
    package: str  # canonical distribution name: "tetra-rp" | "runpod-flash"
    version: str
    interpreter_source: str = "setting"  # "setting" | "client" | "project-venv" | "path"
    python_version: str = ""

    @property
    def import_name(self) -> str:
        return IMPORT_NAMES.get(self.package, self.package.replace("-", "_"))

    def command(self, *args: str) -> list[str]:
        return [*self.argv, *args]


def _venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _resolve_named(value: str, project_root: Path) -> Path | None:
    """A setting may be a path (relative to the project) or a bare command found on PATH."""
    expanded = os.path.expandvars(os.path.expanduser(value))
    if os.sep in expanded or (os.altsep and os.altsep in expanded):
        path = Path(expanded)
        return path if path.is_absolute() else project_root / path
    found = shutil.which(expanded)
    return Path(found) if found else None


def choose_interpreter(
    project_root: str | os.PathLike[str],
    *,
    setting: str | None = None,
    client_python: str | None = None,
) -> tuple[str, str]:
    """(interpreter path, source) by the documented order; raises FlashNotFound."""
    root = Path(project_root)
    for value, source, label in (
        (setting, "setting", "the interpreter setting"),
        (client_python, "client", "the editor's selected interpreter"),
    ):
        if not value:
            continue
        path = _resolve_named(value, root)
        if path is None or not path.exists():
            raise FlashNotFound(
                f"Python interpreter {value!r} from {label} does not exist. Fix the setting or select another interpreter.",
                interpreter=value,
                source=source,
            )
        return str(path), source
    venv_python = _venv_python(root / ".venv")
    if venv_python.exists():
        return str(venv_python), "project-venv"
    found = shutil.which("python3")
    if found:
        return found, "path"
    raise FlashNotFound(
        "No Python interpreter found: no interpreter setting, none selected in the editor, no .venv in the project "
        f"and no python3 on PATH. Create one with `python3 -m venv .venv` and `.venv/bin/{INSTALL_HINT}`.",
    )


async def probe(interpreter: str, timeout: float = PROBE_TIMEOUT) -> dict:
    """Run the metadata probe in `interpreter`; returns its JSON. Raises FlashNotFound on failure."""
    try:
        proc = await asyncio.create_subprocess_exec(
            interpreter,
            "-c",
            PROBE,
            cwd=tempfile.gettempdir(),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
    except OSError as exc:
        raise FlashNotFound(f"Cannot run Python interpreter {interpreter}: {exc}", interpreter=interpreter) from exc
    try:
        stdout, stderr = await asyncio.wait_for(proc.communicate(), timeout)
    except asyncio.TimeoutError:
        proc.kill()
        await proc.wait()
        raise FlashNotFound(
            f"Python interpreter {interpreter} did not answer within {timeout:.0f} s", interpreter=interpreter
        ) from None
    if proc.returncode != 0:
        detail = stderr.decode(errors="replace").strip().splitlines()[-1:] or [f"exit code {proc.returncode}"]
        raise FlashNotFound(f"Python interpreter {interpreter} failed to start: {detail[0]}", interpreter=interpreter)
    try:
        return json.loads(stdout.decode(errors="replace").strip().splitlines()[-1])
    except (ValueError, IndexError) as exc:
        raise FlashNotFound(
            f"Python interpreter {interpreter} gave an unreadable answer", interpreter=interpreter
        ) from exc


def _canonical(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def _script_package(script: Path) -> str | None:
    """The Flash import name a console script loads (`tetra_rp` / `runpod_flash`), if any."""
    try:
        with open(script, "rb") as fh:
            head = fh.read(4096).decode("utf-8", errors="replace")
    except OSError:
        return None
    for dist, module in IMPORT_NAMES.items():
        if module in head:
            return dist
    return None


def _shebang_works(script: Path) -> bool:
    """False when the script's `#!` interpreter is gone (a venv moved or copied after install): its
    entry point is then called through the interpreter instead."""
    try:
        with open(script, "rb") as fh:
            first = fh.readline(4096)
    except OSError:
        return False
    if not first.startswith(b"#!") or os.name == "nt":
        return True
    words = first[2:].decode("utf-8", "replace").split()
    return not words or not words[0].startswith("/") or os.path.exists(words[0])


def flash_script(interpreter: str) -> Path | None:
    """The `flash` console script in the interpreter's own directory (not following symlinks)."""
    folder = Path(interpreter).parent
    for name in ("flash", "flash.exe") if os.name == "nt" else ("flash",):
        candidate = folder / name
        if candidate.is_file() and os.access(candidate, os.X_OK) and _shebang_works(candidate):
            return candidate
    return None


def command_from_probe(interpreter: str, source: str, info: dict) -> FlashCommand:
    """Pick the distribution and argv from the probe result; raises FlashNotFound."""
    dists = {_canonical(d["name"]): d for d in info.get("dists", [])}
    sdk2 = dists.pop("runpod", None)  # runpod 1.x comes with runpod-flash; only 2.x builds
    if not dists and sdk2 is not None and _is_sdk2(sdk2["version"]):
        return _rp_command(interpreter, source, info, sdk2)
    if not dists:
        raise FlashNotFound(
            f"Flash is not installed in {interpreter} (Python {info.get('python', '?')}, chosen from {_SOURCE_LABELS.get(source, source)}). "
            f"Fix: `{interpreter} -m {INSTALL_HINT}`, or point the interpreter setting at the environment that has Flash.",
            interpreter=interpreter,
            source=source,
        )
    script = flash_script(interpreter)
    script_dist = _script_package(script) if script else None
    if script_dist in dists:
        package = script_dist
        argv: tuple[str, ...] = (str(script),)
    else:
        package = next(name for name in DISTRIBUTIONS if name in dists)
        entry = dists[package].get("entry_point") or f"{IMPORT_NAMES[package]}.cli.main:app"
        module, _, attr = entry.partition(":")
        argv = (interpreter, "-c", BOOTSTRAP.format(module=module.strip(), attr=(attr or "app").strip()))
    return FlashCommand(
        argv=argv,
        interpreter=interpreter,
        package=package,
        version=dists[package]["version"],
        interpreter_source=source,
        python_version=info.get("python", ""),
    )


def _is_sdk2(version: str) -> bool:
    from packaging.version import InvalidVersion, Version

    try:
        return Version(version) >= Version("2.0.0rc1")
    except InvalidVersion:
        return False


def _rp_command(interpreter: str, source: str, info: dict, dist: dict) -> FlashCommand:
    """runpod 2.0: its `rp` script next to the interpreter, else its entry point; the build is
    `rp flash deploy --build-only` (docs/runpod2.md, "Building from the editor")."""
    folder = Path(interpreter).parent
    script = folder / "rp"
    if script.is_file() and os.access(script, os.X_OK) and _shebang_works(script):
        argv: tuple[str, ...] = (str(script),)
    else:
        module, _, attr = (dist.get("entry_point") or "runpod.rp_cli.main:run").partition(":")
        argv = (
            interpreter,
            "-c",
            BOOTSTRAP.format(module=module.strip(), attr=(attr or "run").strip()).replace("'flash'", "'rp'"),
        )
    return FlashCommand(argv, interpreter, "runpod", dist["version"], source, info.get("python", ""))


_SOURCE_LABELS = {
    "setting": "the interpreter setting",
    "client": "the editor's selected interpreter",
    "project-venv": "the project's .venv",
    "path": "python3 on PATH",
}


async def resolve_flash(
    project_root: str | os.PathLike[str],
    *,
    setting: str | None = None,
    client_python: str | None = None,
    timeout: float = PROBE_TIMEOUT,
) -> FlashCommand:
    """Choose the interpreter, probe it and return how to run `flash`; raises FlashNotFound."""
    interpreter, source = choose_interpreter(project_root, setting=setting, client_python=client_python)
    info = await probe(interpreter, timeout)
    return command_from_probe(interpreter, source, info)
