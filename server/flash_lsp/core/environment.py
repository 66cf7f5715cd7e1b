"""The build interpreter's environment, read from disk (nothing is imported or executed).

The builder executes resource files in the `flash` CLI's own interpreter, so whether a top-level
import succeeds depends on what that interpreter has installed. We list its site-packages; with no
environment found we assume exactly what `pip install tetra-rp==0.24.0` brings.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

# Top-level import names installed by `pip install tetra-rp==0.24.0` into a fresh venv.
TETRA_BASELINE = frozenset(
    """InquirerPy _brotli _cffi_backend _distutils_hack _yaml agent_detector aiodns aiohappyeyeballs
    aiohttp aiohttp_retry aiosignal annotated_doc annotated_types anyio attr attrs backoff backports
    bcrypt boto3 botocore brotli certifi cffi charset_normalizer click cloudpickle colorama cpuinfo
    cryptography dateutil detect_installer dns dotenv email_validator fastapi fastapi_cli
    fastapi_cloud_cli fastar frozenlist google h11 httpcore httpcore2 httptools httpx httpx2 idna invoke
    itsdangerous jinja2 jmespath markdown_it markupsafe mdurl multidict multipart nacl opentelemetry
    paramiko pathspec pfzy pip pkg_resources prettytable prompt_toolkit propcache psutil pycares
    pycparser pydantic pydantic_core pydantic_extra_types pydantic_settings pygments python_multipart
    questionary requests rich rich_toolkit rignore runpod s3transfer sentry_sdk setuptools shellingham
    starlette tetra_rp tomli tomlkit tqdm tqdm_loggable truststore typer typing_extensions
    typing_inspection urllib3 uvicorn uvloop watchdog watchfiles wcwidth websockets yaml yarl""".split()
)


@dataclass(frozen=True)
class Environment:
    """Import names available to the build interpreter, and where we learnt them."""

    modules: frozenset[str]
    source: str  # a site-packages path, or "assumed: tetra-rp 0.24.0 and its dependencies"
    python_version: str = f"{sys.version_info.major}.{sys.version_info.minor}"
    pydantic_version: str | None = None  # major.minor of the installed pydantic (its error texts link to it)
    # a `.env` outside the project may be read (the build's dotenv search); False in an untrusted workspace
    reads_outside: bool = True

    def importable(self, top_level: str) -> bool:
        return top_level in self.modules


BASELINE = Environment(TETRA_BASELINE, "assumed: a fresh venv with tetra-rp and its dependencies")


def site_packages_of(interpreter: Path) -> list[Path]:
    """`lib/python3.X/site-packages` directories of a venv or installation, found by path only."""
    if not interpreter.name.startswith("python"):
        prefix = interpreter
    else:  # a venv's bin/python is a symlink to the base interpreter: its own prefix comes first
        prefix = interpreter.absolute().parent.parent
        if not (prefix / "pyvenv.cfg").exists() and interpreter.is_symlink():
            prefix = interpreter.resolve().parent.parent
    return sorted(prefix.glob("lib/python3*/site-packages")) + sorted(prefix.glob("Lib/site-packages"))


def list_modules(site_packages: Path) -> frozenset[str]:
    names = set()
    try:
        entries = list(os.scandir(site_packages))
    except OSError:
        return frozenset()
    for entry in entries:
        name = entry.name
        if name.endswith((".dist-info", ".egg-info", ".pth")) or name.startswith("__"):
            continue
        if entry.is_dir():
            names.add(name)
        elif name.endswith(".py"):
            names.add(name[:-3])
        elif name.endswith((".so", ".pyd")):
            names.add(name.split(".", 1)[0])
    return frozenset(names)


def build_interpreters(root: Path, interpreter: str | None = None) -> list[Path]:
    """Where the build's interpreter may be, in order: the one given; else the project's `.venv`,
    `venv`, then the venv of the `flash` command on PATH (read from its `#!` line, not run)."""
    if interpreter:
        return [Path(interpreter)]
    candidates = [root / ".venv", root / "venv"]
    flash = shutil.which("flash")
    if flash:
        try:
            with open(flash, "rb") as handle:
                first = handle.readline(512).decode("utf-8", "replace")
        except OSError:
            first = ""
        if first.startswith("#!") and first[2:].strip() and " " not in first[2:].strip():
            candidates.append(Path(first[2:].strip()))
    return candidates


def environment_stamp(root: Path, interpreter: str | None = None) -> tuple[tuple[str, int], ...]:
    """A cheap fingerprint of the interpreters `detect_environment` looks at: their site-packages
    directories and modification times. Creating a venv, or installing or removing a
    distribution (its `.dist-info` entry comes or goes), changes it. A few `stat`s, nothing read."""
    stamp = []
    for candidate in build_interpreters(root, interpreter):
        for site in site_packages_of(candidate):
            try:
                stamp.append((str(site), os.stat(site).st_mtime_ns))
            except OSError:
                continue
    return tuple(stamp)


def detect_environment(root: Path, interpreter: str | None = None, profile=None) -> Environment:
    """The build interpreter's site-packages (`build_interpreters`), else the baseline assumption
    (for a runpod-flash 1.x profile: a venv holding only runpod-flash)."""
    candidates = build_interpreters(root, interpreter)
    for candidate in candidates:
        for site in site_packages_of(candidate if candidate.is_dir() else candidate):
            modules = list_modules(site)
            if "tetra_rp" in modules or "runpod_flash" in modules or _runpod2(profile, site):
                version = site.parent.name.removeprefix("python")
                return Environment(
                    modules | declared_top_levels(site), str(site), version, _version_of(site, "pydantic")
                )
    if profile is not None and profile.family == "flash1":
        from .flash1.baseline import BASELINE_PYDANTIC, FLASH1_BASELINE

        return Environment(
            FLASH1_BASELINE, "assumed: a fresh venv with runpod-flash and its dependencies", "3.12", BASELINE_PYDANTIC
        )
    if profile is not None and profile.family == "runpod2":
        from .runpod2.baseline import BASELINE_PYTHON, RUNPOD2_BASELINE

        return Environment(
            RUNPOD2_BASELINE, "assumed: a fresh venv with runpod 2.0 and its dependencies", BASELINE_PYTHON
        )
    return BASELINE


def _runpod2(profile, site: Path) -> bool:
    """A runpod 2.0 profile builds with the interpreter whose `runpod` has the `apps` package."""
    return profile is not None and profile.family == "runpod2" and (site / "runpod" / "apps").is_dir()


def declared_top_levels(site_packages: Path) -> frozenset[str]:
    """Import names distributions declare in `top_level.txt` (editable and .pth installs)."""
    names: set[str] = set()
    for entry in site_packages.glob("*.dist-info/top_level.txt"):
        try:
            names.update(line.strip() for line in entry.read_text(encoding="utf-8").splitlines() if line.strip())
        except (OSError, UnicodeDecodeError):
            continue
    return frozenset(n.split("/")[0] for n in names)


def _version_of(site_packages: Path, dist: str) -> str | None:
    """major.minor of an installed distribution, from its dist-info directory name."""
    for entry in site_packages.glob(f"{dist}-*.dist-info"):
        parts = entry.name[len(dist) + 1 : -len(".dist-info")].split(".")
        return ".".join(parts[:2])
    return None


def dotenv_search_dirs(environment: Environment, package: str = "tetra_rp") -> list[Path]:
    """The directories `load_dotenv()` looks in for `.env`, nearest first: importing the package
    calls it from the package's `__init__.py`, so the search starts in the installed package and
    walks up to the filesystem root (docs/tetra-build.md). Empty when the environment was assumed."""
    site = Path(environment.source)
    if not site.is_absolute():
        return []
    start = Path(os.path.abspath(site / package))
    return [start, *start.parents]


def read_dotenv_text(text: str) -> dict[str, str]:
    """`KEY=VALUE` lines of a `.env` file (importing tetra_rp loads it into the build's environment)."""
    values: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values
