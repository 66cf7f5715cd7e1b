"""Resolving the requirement set for the build's target, without installing anything.

Two resolvers, both run as cancellable asyncio subprocesses in a temporary directory, reading a
requirements file we wrote (`plan.ResolvePlan.write`; docs/security.md):

* **pip** (authoritative): ``<python> -m pip install --dry-run --report FILE --target TMP`` with the
  build's exact flags (``--python-version X.Y --platform manylinux_2_28_x86_64 --platform
  manylinux_2_17_x86_64 --platform manylinux2014_x86_64 --implementation cp --only-binary=:all:
  --upgrade [--no-deps]``). The report gives each wheel's URL, sha256 and metadata, but no size.
* **uv** (fast): ``uv pip compile --no-config --no-sources --no-build --python-platform
  x86_64-manylinux_2_28 --python-version X.Y --only-binary :all: --format pylock.toml --python PY``:
  URLs, hashes and sizes of every candidate wheel, 3-5× faster cold. uv accepts ``manylinux_2_x``
  for any x ≤ 28 where the build's pip accepts only the literal platforms, so a uv answer whose
  chosen package has no wheel pip would take is marked *diverged* (torch ≥ 2.8 with cu13 wheels,
  for example) and only the pip answer counts. The uv side is in `resolve_uv`.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import os
import re
import signal
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .plan import ResolvePlan, resolver_env
from .tags import RUNPOD_PLATFORMS, canonical

PIP_TIMEOUT = 900.0


@dataclass
class ResolvedDist:
    name: str
    version: str
    url: str
    filename: str
    sha256: str | None = None
    size: int | None = None
    requires_dist: list[str] | None = None
    requested: bool = False
    requires_python: str | None = None

    @property
    def key(self) -> str:
        return canonical(self.name)

    def to_dict(self) -> dict:
        return dict(self.__dict__)

    @classmethod
    def from_dict(cls, d: dict) -> ResolvedDist:
        return cls(**{k: d.get(k) for k in cls.__dataclass_fields__})


@dataclass
class Resolution:
    dists: list[ResolvedDist]
    resolver: str  # "pip 23.2.1" / "uv 0.13.9"
    diverged: list[str] = field(default_factory=list)  # uv choices the build's pip would not install


class ResolutionError(Exception):
    """The resolver failed. `kind`: no-wheel | conflict | requires-python | invalid | network | other."""

    def __init__(
        self,
        kind: str,
        message: str,
        *,
        packages: list[str] | None = None,
        requirements: list[str] | None = None,
        output: str = "",
        resolver: str = "",
    ):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.packages = packages or []
        self.requirements = requirements or []
        self.output = output
        self.resolver = resolver


# --------------------------------------------------------------------------- subprocesses


async def run_process(
    cmd: list[str], *, env: dict[str, str] | None, timeout: float, cwd: str | None = None
) -> tuple[int, str, str]:
    """Run `cmd`; kill its whole process group on cancellation or timeout."""
    proc = await asyncio.create_subprocess_exec(
        *cmd,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
        cwd=cwd,
        start_new_session=hasattr(os, "killpg"),
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(), timeout)
    except BaseException:
        _kill(proc)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(proc.wait(), 5)
        raise
    return proc.returncode or 0, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")


def _kill(proc: asyncio.subprocess.Process) -> None:
    if proc.returncode is not None:
        return
    if not hasattr(os, "killpg"):  # Windows: no process groups
        with contextlib.suppress(ProcessLookupError, OSError):
            proc.kill()
        return
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, OSError):
        with contextlib.suppress(ProcessLookupError):
            proc.kill()


# --------------------------------------------------------------------------- pip


def pip_command(
    python: str,
    requirements_file: str,
    python_version: str,
    *,
    no_deps: bool,
    report: str,
    target: str,
    platforms: tuple[str, ...] = RUNPOD_PLATFORMS,
) -> list[str]:
    """The build's pip flags, reading the requirements from a file we wrote (`plan.ResolvePlan.write`)."""
    cmd = [
        python,
        "-m",
        "pip",
        "install",
        "--dry-run",
        "--ignore-installed",
        "--report",
        report,
        "--target",
        target,
        "--python-version",
        python_version,
        "--upgrade",
    ]
    for p in platforms:
        cmd += ["--platform", p]
    cmd += ["--implementation", "cp", "--only-binary=:all:", "--disable-pip-version-check", "--no-input"]
    if no_deps:
        cmd.append("--no-deps")
    return cmd + ["-r", requirements_file]


def parse_pip_report(report: dict, resolver: str) -> Resolution:
    dists = []
    for item in report.get("install", []):
        meta = item.get("metadata", {})
        info = item.get("download_info", {})
        url = info.get("url", "")
        hashes = (info.get("archive_info") or {}).get("hashes") or {}
        sha = hashes.get("sha256")
        if not sha:
            h = (info.get("archive_info") or {}).get("hash", "")
            sha = h.split("=", 1)[1] if h.startswith("sha256=") else None
        dists.append(
            ResolvedDist(
                name=meta.get("name", ""),
                version=meta.get("version", ""),
                url=url,
                filename=url.rsplit("/", 1)[-1].split("#", 1)[0],
                sha256=sha,
                requires_dist=list(meta.get("requires_dist") or []),
                requested=bool(item.get("requested")),
                requires_python=meta.get("requires_python"),
            )
        )
    return Resolution(dists, resolver)


def pip_version_fast(python: str) -> str | None:
    """pip's version from the interpreter's site-packages without running it (None: not found)."""
    exe = Path(python)
    roots = [exe.parent.parent / "lib"]
    for root in roots:
        if not root.is_dir():
            continue
        for d in root.glob("python3*/site-packages/pip-*.dist-info"):
            return d.name[len("pip-") : -len(".dist-info")]
    if Path(python).resolve() == Path(sys.executable).resolve():
        try:
            import importlib.metadata

            return importlib.metadata.version("pip")
        except Exception:
            return None
    return None


async def resolve_with_pip(
    plan: ResolvePlan,
    python_version: str,
    *,
    no_deps: bool = False,
    python: str | None = None,
    env: dict[str, str] | None = None,
    platforms: tuple[str, ...] = RUNPOD_PLATFORMS,
    timeout: float = PIP_TIMEOUT,
) -> Resolution:
    python = python or sys.executable
    with tempfile.TemporaryDirectory(prefix="flash-lsp-pip-") as tmp:
        report = os.path.join(tmp, "report.json")
        cmd = pip_command(
            python,
            plan.write(tmp),
            python_version,
            no_deps=no_deps,
            report=report,
            target=os.path.join(tmp, "target"),
            platforms=platforms,
        )
        env2 = resolver_env(env)
        env2.setdefault("PIP_DISABLE_PIP_VERSION_CHECK", "1")
        env2["PYTHONIOENCODING"] = "utf-8"
        rc, out, err = await run_process(cmd, env=env2, timeout=timeout, cwd=tmp)
        version = pip_version_fast(python) or "?"
        if rc != 0 or not os.path.exists(report):
            raise classify_pip_error(out + "\n" + err, f"pip {version}")
        with open(report, encoding="utf-8") as fh:
            res = parse_pip_report(json.load(fh), f"pip {version}")
    return res


_NETWORK_PAT = re.compile(
    r"(Could not fetch URL|Max retries exceeded|NewConnectionError|Failed to establish a new connection|"
    r"Temporary failure in name resolution|Name or service not known|Network is unreachable|"
    r"ConnectTimeoutError|ReadTimeoutError|Connection refused|SSLError|ProxyError|"
    r"No route to host|getaddrinfo failed)",
)


def classify_pip_error(output: str, resolver: str) -> ResolutionError:
    """Turn pip's error output into a ResolutionError with the packages and requirements involved."""
    text = output
    error = functools.partial(ResolutionError, output=text, resolver=resolver)
    unreachable = "the package index could not be reached"
    lines = [ln.rstrip() for ln in text.splitlines()]
    m_conf = re.search(r"Cannot install (.+?) because these package versions have conflicting dependencies", text)
    if m_conf or "ResolutionImpossible" in text:
        causes = []
        grab = False
        for ln in lines:
            if ln.strip().startswith("The conflict is caused by"):
                grab = True
                continue
            if grab:
                if not ln.strip():
                    if causes:
                        break
                    continue
                if ln.startswith(("To fix", "ERROR")):
                    break
                causes.append(ln.strip())
        pkgs = []
        if m_conf:
            pkgs = [p.strip() for p in re.split(r",\s*|\s+and\s+", m_conf.group(1)) if p.strip()]
        msg = "conflicting requirements: " + (
            "; ".join(causes) if causes else (m_conf.group(0) if m_conf else "ResolutionImpossible")
        )
        return error("conflict", msg, packages=pkgs, requirements=causes)
    m_py = re.search(r"Package '([^']+)' requires a different Python: (\S+) not in '([^']+)'", text)
    nf = re.findall(r"Could not find a version that satisfies the requirement (.+?) \(from versions: ([^)]*)\)", text)
    if nf:
        if _NETWORK_PAT.search(text) and all(v.strip() == "none" for _r, v in nf):
            return error("network", unreachable)
        reqs = []
        pkgs = []
        for req, _versions in nf:
            req = re.sub(r"\s*\(from .*$", "", req).strip()
            reqs.append(req)
            pkgs.append(requirement_name(req))
        msg = "; ".join(f"no wheel of {r} for the build's target" for r in reqs)
        return error("no-wheel", msg, packages=pkgs, requirements=reqs)
    if m_py:
        message = f"{m_py.group(1)} requires Python {m_py.group(3)} (pip checked {m_py.group(2)})"
        return error("requires-python", message, packages=[m_py.group(1)])
    m_inv = re.search(r"Invalid requirement: '?(.+?)'?(?:\n|:|$)", text)
    if m_inv:
        return error("invalid", f"invalid requirement: {m_inv.group(1)}", requirements=[m_inv.group(1)])
    if _NETWORK_PAT.search(text):
        return error("network", unreachable)
    last = next((ln for ln in reversed(lines) if ln.startswith("ERROR")), lines[-1] if lines else "pip failed")
    return error("other", last)


def requirement_name(req: str) -> str:
    m = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", req)
    return m.group(1) if m else req.strip()
