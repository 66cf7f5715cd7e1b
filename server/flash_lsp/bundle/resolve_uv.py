"""The fast resolver: ``uv pip compile`` for the build's target, its pylock.toml read into a
`Resolution` (candidate wheels with sizes), and uv's errors classified like pip's (see `resolve`).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile

import tomllib

from .plan import ResolvePlan, resolver_env
from .resolve import Resolution, ResolutionError, ResolvedDist, requirement_name, run_process
from .tags import RUNPOD_PLATFORMS, canonical, pick_wheel, pip_tags

UV_TIMEOUT = 120.0


def find_uv() -> str | None:
    """The uv binary: the `uv` package's (a dependency from PyPI), else `uv` on PATH."""
    try:
        import uv  # type: ignore[import-not-found]

        path = uv.find_uv_bin()
        if path and os.path.exists(path):
            return path
    except Exception:
        pass
    return shutil.which("uv")


def uv_command(
    uv: str,
    infile: str,
    outfile: str,
    python_version: str,
    *,
    no_deps: bool,
    offline: bool = False,
    index_url: str | None = None,
    python: str | None = None,
) -> list[str]:
    """`uv pip compile` with no configuration file, no project discovery, no source build, and the
    interpreter named (`python`) so that uv looks for none itself."""
    cmd = [
        uv,
        "pip",
        "compile",
        "-q",
        "--no-config",
        "--no-sources",
        "--no-build",
        "--python-platform",
        "x86_64-manylinux_2_28",
        "--python-version",
        python_version,
        "--only-binary",
        ":all:",
        "--format",
        "pylock.toml",
        "-o",
        outfile,
        "--no-header",
    ]
    if python:
        cmd += ["--python", python]
    if no_deps:
        cmd.append("--no-deps")
    if offline:
        cmd.append("--offline")
    if index_url:
        cmd += ["--index-url", index_url]
    return cmd + [infile]


def parse_pylock(
    text: str, python_version: str, platforms: tuple[str, ...], resolver: str, requested: set[str] | None = None
) -> Resolution:
    data = tomllib.loads(text)
    supported = pip_tags(python_version, platforms)
    dists, diverged = [], []
    for pkg in data.get("packages", []):
        wheels = pkg.get("wheels") or []
        by_name = {}
        for w in wheels:
            fn = w.get("name") or w.get("url", "").rsplit("/", 1)[-1]
            by_name[fn] = w
        fn = pick_wheel(list(by_name), supported)
        name = pkg["name"]
        if fn is None:
            diverged.append(f"{name}=={pkg.get('version')}")
            # Keep uv's own (best) wheel for a provisional size.
            w = wheels[0] if wheels else {}
            fn = w.get("name") or w.get("url", "").rsplit("/", 1)[-1]
        else:
            w = by_name[fn]
        dists.append(
            ResolvedDist(
                name=name,
                version=str(pkg.get("version", "")),
                url=w.get("url", ""),
                filename=fn,
                sha256=(w.get("hashes") or {}).get("sha256"),
                size=w.get("size"),
                requested=canonical(name) in (requested or set()),
            )
        )
    return Resolution(dists, resolver, diverged=diverged)


_UV_VERSIONS: dict[str, str] = {}


async def uv_version(uv: str) -> str:
    if uv not in _UV_VERSIONS:
        rc, out, _ = await run_process([uv, "--version"], env=None, timeout=20)
        parts = out.split()
        _UV_VERSIONS[uv] = parts[1] if rc == 0 and len(parts) > 1 else "?"
    return _UV_VERSIONS[uv]


async def resolve_with_uv(
    plan: ResolvePlan,
    python_version: str,
    *,
    no_deps: bool = False,
    uv: str | None = None,
    python: str | None = None,
    env: dict[str, str] | None = None,
    platforms: tuple[str, ...] = RUNPOD_PLATFORMS,
    offline: bool = False,
    index_url: str | None = None,
    timeout: float = UV_TIMEOUT,
) -> Resolution:
    uv = uv or find_uv()
    if not uv:
        raise ResolutionError("other", "uv is not available", resolver="uv")
    requested = {canonical(requirement_name(r)) for r in plan.requirements}
    with tempfile.TemporaryDirectory(prefix="flash-lsp-uv-") as tmp:
        infile = plan.write(tmp)
        outfile = os.path.join(tmp, "pylock.toml")
        env2 = resolver_env(env)
        env2.setdefault("UV_NO_PROGRESS", "1")
        rc, out, err = await run_process(
            uv_command(
                uv,
                infile,
                outfile,
                python_version,
                no_deps=no_deps,
                offline=offline,
                index_url=index_url,
                python=python,
            ),
            env=env2,
            timeout=timeout,
            cwd=tmp,
        )
        if rc != 0 or not os.path.exists(outfile):
            raise classify_uv_error(out + "\n" + err)
        with open(outfile, encoding="utf-8") as fh:
            text = fh.read()
    res = parse_pylock(text, python_version, platforms, f"uv {await uv_version(uv)}", requested)
    return res


def classify_uv_error(output: str) -> ResolutionError:
    text = output
    if re.search(r"network (was|is) disabled|network connectivity is disabled|was not found in the cache", text):
        return ResolutionError("network", "not in uv's cache (offline)", output=text, resolver="uv")
    if re.search(
        r"(Failed to fetch|error sending request|dns error|Could not connect|[Cc]onnection refused|"
        r"Network unreachable|tcp connect error|Request failed after)",
        text,
    ):
        return ResolutionError("network", "the package index could not be reached", output=text, resolver="uv")
    if re.search(r"has no (usable )?wheels|no wheels with a matching|no wheels are available", text):
        pkgs = re.findall(r"([A-Za-z0-9][A-Za-z0-9._-]*)(?:[<>=!~][^ ]*)? has no (?:usable )?wheels", text)
        return ResolutionError("no-wheel", _first_sentence(text), packages=pkgs, output=text, resolver="uv")
    if "unsatisfiable" in text or "No solution found" in text:
        return ResolutionError("conflict", _first_sentence(text), output=text, resolver="uv")
    return ResolutionError("other", _first_sentence(text), output=text, resolver="uv")


def _first_sentence(text: str) -> str:
    """uv's explanation: the first `cause:` line(s), else the first non-empty line."""
    lines = [ln.strip() for ln in text.splitlines()]
    for i, ln in enumerate(lines):
        if ln.startswith("cause:"):
            out = [ln[len("cause:") :].strip()]
            for nxt in lines[i + 1 :]:
                if not nxt or nxt.startswith(("cause:", "hint:", "error:")):
                    break
                out.append(nxt)
            return " ".join(out)
    for ln in lines:
        s = ln.strip(" ╰─▶│×")
        if s and not s.startswith("warning"):
            return s
    return "uv failed"
