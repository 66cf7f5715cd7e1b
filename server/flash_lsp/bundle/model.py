"""Inputs and outputs of the archive-size predictor (plain dataclasses, JSON-able via to_dict)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .tags import RUNPOD_PLATFORMS

MIB = 1048576
# tetra-rp 0.20-0.24 and runpod-flash ≤ 1.10.0: 500 MB, compared as st_size / 1048576 > 500.
DEFAULT_LIMIT_BYTES = 500 * MIB
NEAR_LIMIT_FRACTION = 0.8


@dataclass(frozen=True)
class SizeRequest:
    """What the analysis core knows about the build.

    requirements: the strings the build passes to pip, after its own --exclude filtering, in order.
    python_version: target "X.Y" (the local interpreter's in tetra-rp 0.2x).
    no_deps: `flash build --no-deps`.
    project_files: (relpath, size) of every file the build ships that pip does not install: project
        files and generated ones (manifest, handlers). Sizes are uncompressed bytes.
    project_root: where the project files can be read (exact compression); None: modelled by type.
    exclusions: the `--exclude` tokens as the build parses them (stripped, lower-cased).
    excluded_requirements: the requirement strings the build's filter removed (for hints).
    gpu: the project has at least one GPU endpoint (worker images with torch preinstalled).
    limit_bytes: the build's limit; tarball_filter: top-level names the archive step skips
        (empty for tetra-rp 0.2x, which has no archive-level filter).
    bundled_bytes: compressed bytes of files the build copies in from elsewhere (runpod-flash's
        bundled `runpod_flash` package).
    """

    requirements: tuple[str, ...]
    python_version: str
    no_deps: bool = False
    project_files: tuple[tuple[str, int], ...] = ()
    project_root: str | None = None
    exclusions: tuple[str, ...] = ()
    excluded_requirements: tuple[str, ...] = ()
    gpu: bool = False
    limit_bytes: int = DEFAULT_LIMIT_BYTES
    platforms: tuple[str, ...] = RUNPOD_PLATFORMS
    tarball_filter: tuple[str, ...] = ()
    bundled_bytes: int = 0
    bytecode_ratio: float = 0.0  # compressed bytecode per raw `.py` byte installed (0: the build drops bytecode)

    @classmethod
    def make(cls, requirements, python_version: str, **kw) -> SizeRequest:
        """Build a request from lists (converted to tuples)."""
        conv = {
            k: tuple(tuple(x) if isinstance(x, list) else x for x in v) if isinstance(v, (list, tuple)) else v
            for k, v in kw.items()
        }
        return cls(tuple(requirements), python_version, **conv)


@dataclass
class TopLevel:
    name: str
    kind: str  # package | module | dist-info | scripts | headers | other
    files: int
    uncompressed_bytes: int
    archive_bytes: int


@dataclass
class PackageSize:
    name: str
    version: str
    filename: str
    url: str
    wheel_bytes: int | None
    archive_bytes: int
    uncompressed_bytes: int | None
    files: int | None
    required_by: list[str]
    direct: bool
    via: list[str]  # first chain of distribution names from a top requirement to this one
    top_level: list[TopLevel]
    size_method: str  # exact | sampled | central-directory | wheel-size-ratio | local-record | unknown
    sha256: str | None = None

    @classmethod
    def from_dict(cls, d: dict) -> PackageSize:
        d = dict(d)
        d["top_level"] = [TopLevel(**t) for t in d.get("top_level", [])]
        return cls(**{k: d.get(k) for k in cls.__dataclass_fields__})


@dataclass
class Problem:
    """Something that makes the build's pip fail (so there is no archive)."""

    kind: str  # no-wheel | conflict | requires-python | invalid-requirement | resolution-failed
    message: str
    package: str | None = None
    requirements: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class Hint:
    """Advice as data; the core turns hints into diagnostics."""

    kind: str
    severity: str  # error | warning | info
    message: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class SizeEstimate:
    """The predicted archive and how it was obtained.

    archive_bytes = Σ packages[].archive_bytes + project_bytes + overhead_bytes (None when the build
    would fail to install its dependencies). project_bytes is the *compressed* contribution of the
    shipped project and generated files (project_raw_bytes: their uncompressed total).
    """

    archive_bytes: int | None
    limit_bytes: int
    confidence: str  # authoritative | provisional | cached | offline-estimate
    state: str  # ready | updating | error
    packages: list[PackageSize] = field(default_factory=list)
    project_bytes: int = 0
    project_raw_bytes: int = 0
    project_parts: dict[str, int] = field(default_factory=dict)  # compressed bytes per top-level entry
    overhead_bytes: int = 0
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    hints: list[Hint] = field(default_factory=list)
    python_version: str = ""
    platforms: list[str] = field(default_factory=list)
    no_deps: bool = False
    requirements: list[str] = field(default_factory=list)
    resolver: str = ""
    cached_from: str | None = None  # the confidence of the stored answer when confidence == "cached"
    computed_at: float = 0.0  # epoch seconds of the resolution
    key: str = ""
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def dependencies_bytes(self) -> int:
        return sum(p.archive_bytes for p in self.packages)

    @property
    def over_limit(self) -> bool:
        return self.archive_bytes is not None and self.archive_bytes / MIB > self.limit_bytes / MIB

    def to_dict(self) -> dict:
        d = asdict(self)
        d["dependencies_bytes"] = self.dependencies_bytes
        d["over_limit"] = self.over_limit
        return d

    @classmethod
    def from_dict(cls, d: dict) -> SizeEstimate:
        d = dict(d)
        d.pop("dependencies_bytes", None)
        d.pop("over_limit", None)
        d["packages"] = [PackageSize.from_dict(p) for p in d.get("packages", [])]
        d["problems"] = [Problem(**p) for p in d.get("problems", [])]
        d["hints"] = [Hint(**h) for h in d.get("hints", [])]
        return cls(**{k: d[k] for k in cls.__dataclass_fields__ if k in d})
