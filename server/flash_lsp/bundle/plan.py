"""What the resolvers may see of a project's requirements (docs/security.md, "Size prediction").

The build hands every requirement string to pip verbatim. Predicting its size must not run anything
from the project and, unless the workspace is trusted, must not contact anything but the user's own
package index. So the strings are sorted before pip or uv sees them:

* named requirements (``pkg``, ``pkg[extra]>=1; marker``) are resolved, wheels only;
* direct references (``pkg @ URL``, bare URLs, ``git+…``, ``-e …``, ``file://…``, local paths) are
  *not predictable*: pip would download and usually build them (run their ``setup.py`` or build
  backend). They are reported with what the build will do, never resolved;
* index options (``--index-url``, ``--extra-index-url``, ``--find-links``, ``--no-index``,
  ``--trusted-host``) are kept only for a trusted workspace (``--find-links`` to a local directory only
  inside the project); ``-r``/``-c`` files are read only for a trusted workspace and only inside the
  project (no symlink may lead out of it); every other option line is dropped with a note.

The result is written to a temporary requirements file of our own (`ResolvePlan.write`), and the
resolvers get an environment without the variables that point at another one (`resolver_env`).
"""

from __future__ import annotations

import os
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from packaging.requirements import InvalidRequirement, Requirement

MAX_INCLUDE_DEPTH = 5
MAX_INCLUDE_BYTES = 1 << 20
INDEX_OPTIONS = {
    "-i": "--index-url",
    "--index-url": "--index-url",
    "--extra-index-url": "--extra-index-url",
    "-f": "--find-links",
    "--find-links": "--find-links",
    "--trusted-host": "--trusted-host",
}
FLAG_OPTIONS = {"--no-index"}
INCLUDE_OPTIONS = {"-r": "-r", "--requirement": "-r", "-c": "-c", "--constraint": "-c"}
EDITABLE_OPTIONS = {"-e", "--editable"}


@dataclass(frozen=True)
class Unpredictable:
    """A requirement whose size only a build could tell; `action` says what `flash build` does with it."""

    requirement: str
    action: str


@dataclass
class ResolvePlan:
    requirements: list[str] = field(default_factory=list)  # named requirements, resolved wheels-only
    options: list[str] = field(default_factory=list)  # index options (trusted only), one per line
    constraints: list[str] = field(default_factory=list)  # named constraints from `-c` files
    unpredictable: list[Unpredictable] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)  # strings pip cannot read as requirements
    notes: list[str] = field(default_factory=list)  # option lines ignored, include files refused

    def index_set(self) -> list[str]:
        """The index options this plan adds to the user's own configuration (part of every cache key)."""
        return list(self.options)

    def write(self, directory: str) -> str:
        """Write the sanitized requirements (and constraints) file into `directory`; its path."""
        path = os.path.join(directory, "requirements.txt")
        lines = list(self.options)
        if self.constraints:
            cpath = os.path.join(directory, "constraints.txt")
            with open(cpath, "w", encoding="utf-8") as fh:
                fh.write("".join(c + "\n" for c in self.constraints))
            lines.append(f"-c {cpath}")
        lines += self.requirements
        with open(path, "w", encoding="utf-8") as fh:
            fh.write("".join(line + "\n" for line in lines))
        return path


def plan_requirements(requirements, project_root: str | None, *, trusted: bool) -> ResolvePlan:
    """Sort the build's requirement strings into what may be resolved and what may not."""
    plan = ResolvePlan()
    root = Path(project_root).absolute() if project_root else None
    for text in requirements:
        if not isinstance(text, str):
            plan.invalid.append(repr(text))
            continue
        _take(plan, text.strip(), root, root, trusted, depth=0, constraint=False)
    plan.requirements = list(dict.fromkeys(plan.requirements))
    plan.options = list(dict.fromkeys(plan.options))
    return plan


def _take(
    plan: ResolvePlan, text: str, root: Path | None, base: Path | None, trusted: bool, *, depth: int, constraint: bool
) -> None:
    """Sort one line; `base`: the directory relative paths start from (the including file's, as pip does)."""
    if not text or text.startswith("#"):
        return
    if text.startswith("-"):
        _option(plan, text, root, base, trusted, depth=depth)
        return
    direct = direct_reference(text)
    if direct is not None:
        plan.unpredictable.append(Unpredictable(text, direct))
        return
    try:
        Requirement(text)
    except InvalidRequirement:
        plan.invalid.append(text)
        return
    (plan.constraints if constraint else plan.requirements).append(text)


def direct_reference(text: str) -> str | None:
    """What the build does with `text` when it is not a plain named requirement (None: it is one)."""
    head = text.split(";", 1)[0].strip()
    try:
        req = Requirement(text)
    except InvalidRequirement:
        req = None
    url = req.url if req is not None and req.url else None
    if url is None and req is None:
        looks_like_path = head.startswith((".", "/", "~", "\\")) or (len(head) > 1 and head[1] == ":") or os.sep in head
        if "://" in head or head.startswith(("git+", "hg+", "svn+", "bzr+")) or looks_like_path:
            url = head
    if url is None:
        return None
    return describe_source(url)


def describe_source(url: str) -> str:
    scheme = urlsplit(url).scheme.lower() if "://" in url else ""
    if "+" in scheme:
        return (
            f"the build clones {url} with {scheme.split('+')[0]} and builds it (runs its setup.py or build "
            "backend on this machine); size not predictable without building"
        )
    if scheme in ("http", "https"):
        if url.split("#", 1)[0].split("?", 1)[0].endswith(".whl"):
            return f"the build downloads the wheel {url}; size not predictable without downloading it"
        return (
            f"the build downloads {url} and builds it (runs its setup.py or build backend on this machine); "
            "size not predictable without building"
        )
    return (
        f"the build installs the local source {url}, building it (its setup.py or build backend runs on this "
        "machine) unless it is a wheel; size not predictable without building"
    )


def _option(plan: ResolvePlan, text: str, root: Path | None, base: Path | None, trusted: bool, *, depth: int) -> None:
    name, value = _split_option(text)
    if name in EDITABLE_OPTIONS:
        target = value or "?"
        plan.unpredictable.append(
            Unpredictable(
                text,
                f"an editable install of {target}: the build runs its build "
                "backend on this machine; size not predictable without building",
            )
        )
        return
    if not trusted and (name in INDEX_OPTIONS or name in FLAG_OPTIONS or name in INCLUDE_OPTIONS):
        plan.notes.append(f"{text!r} is ignored: the workspace is not trusted (the build would obey it)")
        return
    if name in FLAG_OPTIONS:
        plan.options.append(name)
    elif name in INDEX_OPTIONS and value:
        local_dir = value.startswith("file:") or (INDEX_OPTIONS[name] == "--find-links" and "://" not in value)
        if local_dir:
            local = _inside(root, base, value.removeprefix("file://"))
            if local is None:
                plan.notes.append(
                    f"{text!r} is ignored: a local index or --find-links directory must be inside the project"
                )
                return
            value = str(local)
        elif INDEX_OPTIONS[name] != "--trusted-host" and urlsplit(value).scheme not in ("http", "https"):
            plan.notes.append(f"{text!r} is ignored: not an http(s) URL")
            return
        plan.options.append(f"{INDEX_OPTIONS[name]} {value}")
    elif name in INCLUDE_OPTIONS and value:
        _include(plan, text, value, root, base, trusted, depth=depth, constraint=INCLUDE_OPTIONS[name] == "-c")
    else:
        plan.notes.append(f"{text!r} is ignored by the size prediction (an option line)")


def _split_option(text: str) -> tuple[str, str]:
    """`--opt=value`, `--opt value`, `-ovalue`, `-o value` → (option, value)."""
    try:
        parts = shlex.split(text, comments=True)
    except ValueError:
        parts = text.split()
    if not parts:
        return text, ""
    first, rest = parts[0], " ".join(parts[1:])
    if first.startswith("--"):
        name, eq, val = first.partition("=")
        return name, (val if eq else rest).strip()
    return first[:2], (first[2:] or rest).strip()


def _include(
    plan: ResolvePlan,
    text: str,
    value: str,
    root: Path | None,
    base: Path | None,
    trusted: bool,
    *,
    depth: int,
    constraint: bool,
) -> None:
    path = _inside(root, base, value)
    if path is None:
        plan.notes.append(f"{text!r} is ignored: include files are read only inside the project")
        return
    if depth >= MAX_INCLUDE_DEPTH:
        plan.notes.append(f"{text!r} is ignored: requirement files nested more than {MAX_INCLUDE_DEPTH} deep")
        return
    try:
        if path.stat().st_size > MAX_INCLUDE_BYTES:
            plan.notes.append(f"{text!r} is ignored: larger than {MAX_INCLUDE_BYTES} bytes")
            return
        body = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        plan.notes.append(f"{text!r} could not be read: {exc.strerror or exc}")
        return
    for line in body.splitlines():
        _take(plan, line.split(" #", 1)[0].strip(), root, path.parent, trusted, depth=depth + 1, constraint=constraint)


def _inside(root: Path | None, base: Path | None, value: str) -> Path | None:
    """`value` (relative to `base`) as a real path inside `root`, None when it is not, or when a
    symlink (the file's or a directory's on the way) leads out of the project."""
    if root is None or base is None or not value:
        return None
    candidate = Path(value)
    try:
        real_root = root.resolve(strict=True)
        real = (candidate if candidate.is_absolute() else base / candidate).resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    return real if real == real_root or real_root in real.parents else None


# Variables that point a resolver at an environment or a configuration of the project's.
_PROJECT_POINTERS = (
    "PYTHONPATH",
    "PYTHONHOME",
    "PYTHONSTARTUP",
    "VIRTUAL_ENV",
    "CONDA_PREFIX",
    "UV_PROJECT",
    "UV_PROJECT_ENVIRONMENT",
    "UV_CONFIG_FILE",
    "UV_PYTHON",
)


def resolver_env(env: dict[str, str] | None) -> dict[str, str]:
    """`env` (default os.environ) without the variables that would make pip or uv use an environment
    or configuration other than the user's own (docs/security.md)."""
    out = dict(os.environ if env is None else env)
    for name in _PROJECT_POINTERS:
        out.pop(name, None)
    return out
