"""Package report after a successful build: size against the limit, where the bytes are, shipped
files that look like secrets or junk, and drift from the prediction.

Sizes come from the archive's member list, read as a stream (`tarfile` mode `r|gz`), so the
report reflects exactly what ships and works for archives of any size. The limit check is the
build's own: `st_size / 1048576` (MiB) compared strictly with `>`.
"""

from __future__ import annotations

import heapq
import re
import tarfile
from dataclasses import dataclass, field
from pathlib import Path

from ..core.secret_files import looks_secret
from .drift import DriftReport, Predictor, drift_for_project, is_generated, is_pip_path, record_paths

DEFAULT_LIMIT_MB = 500.0
ARCHIVE_NAMES = ("archive.tar.gz", "artifact.tar.gz")  # tetra-rp ≤0.24, then 0.25+ / runpod-flash
MIB = 1048576
_RECORD = re.compile(r"^[^/]+\.dist-info/RECORD$")

JUNK_DIRS = {
    ".venv": "a virtual environment",
    "venv": "a virtual environment",
    "node_modules": "Node.js dependencies",
    "tests": "tests",
}
SECRET_NAMES = {"id_rsa", "id_dsa", "id_ecdsa", "id_ed25519"}


@dataclass(frozen=True)
class SizeEntry:
    path: str
    bytes: int
    files: int = 1


@dataclass(frozen=True)
class FlaggedItem:
    """A shipped project path that probably should not ship."""

    kind: str  # "secret" | "junk" | "stale"
    path: str  # file, or directory ending in "/"
    reason: str
    files: int = 1
    bytes: int = 0


@dataclass(frozen=True)
class PackageReport:
    project_root: str
    archive: str | None  # project-relative
    archive_bytes: int | None
    limit_mb: float
    members: int = 0
    uncompressed_bytes: int = 0
    top_entries: tuple[SizeEntry, ...] = ()
    largest_files: tuple[SizeEntry, ...] = ()
    flagged: tuple[FlaggedItem, ...] = ()
    drift: DriftReport | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def archive_mib(self) -> float | None:
        return None if self.archive_bytes is None else self.archive_bytes / MIB

    @property
    def over_limit(self) -> bool:
        return self.archive_mib is not None and self.archive_mib > self.limit_mb

    def to_dict(self) -> dict:
        return {
            "project_root": self.project_root,
            "archive": self.archive,
            "archive_bytes": self.archive_bytes,
            "archive_mib": None if self.archive_mib is None else round(self.archive_mib, 3),
            "limit_mb": self.limit_mb,
            "over_limit": self.over_limit,
            "members": self.members,
            "uncompressed_bytes": self.uncompressed_bytes,
            "top_entries": [vars(e) for e in self.top_entries],
            "largest_files": [vars(e) for e in self.largest_files],
            "flagged": [vars(f) for f in self.flagged],
            "drift": None if self.drift is None else self.drift.to_dict(),
            "notes": list(self.notes),
        }

    def to_markdown(self) -> str:
        name = Path(self.project_root).name
        lines = [f"# Package report: {name}", ""]
        if self.archive is None:
            lines.append("No archive found in `.flash/`: run `flash build --keep-build` first.")
        else:
            mib = self.archive_mib or 0.0
            verdict = (
                f"**over the limit by {mib - self.limit_mb:.1f} MB**"
                if self.over_limit
                else f"{mib / self.limit_mb:.0%} of the limit"
            )
            lines.append(
                f"Archive `{self.archive}`: {mib:.1f} MB ({self.archive_bytes:,} bytes) of {self.limit_mb:g} MB, {verdict}."
            )
            lines.append(f"{self.members:,} files, {self.uncompressed_bytes / MIB:.1f} MB uncompressed.")
        for note in self.notes:
            lines.append(f"> {note}")
        if self.top_entries:
            lines += ["", "## Largest top-level entries", "", "| Entry | Size | Files |", "|---|---:|---:|"]
            lines += [f"| `{e.path}` | {_human(e.bytes)} | {e.files:,} |" for e in self.top_entries]
        if self.largest_files:
            lines += ["", "## Largest files", "", "| File | Size |", "|---|---:|"]
            lines += [f"| `{e.path}` | {_human(e.bytes)} |" for e in self.largest_files]
        lines += ["", "## Shipped files that look like secrets or junk", ""]
        if self.flagged:
            for f in self.flagged:
                count = f" ({f.files:,} files, {_human(f.bytes)})" if f.path.endswith("/") else ""
                lines.append(f"- **{f.kind}** `{f.path}`{count}: {f.reason}")
        else:
            lines.append("None found.")
        if self.drift is not None:
            lines += ["", "## Drift from the prediction", "", self.drift.to_markdown()]
        return "\n".join(lines) + "\n"


def _human(size: int) -> str:
    if size >= MIB:
        return f"{size / MIB:.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size} B"


def find_archive(project_root: Path, archive_name: str | None = None) -> Path | None:
    """`.flash/<archive_name>`, else the default names, else the newest `.flash/*.tar.gz`."""
    flash_dir = Path(project_root) / ".flash"
    if archive_name:
        path = flash_dir / archive_name
        return path if path.is_file() else None
    for name in ARCHIVE_NAMES:
        if (flash_dir / name).is_file():
            return flash_dir / name
    candidates = sorted(flash_dir.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime, reverse=True)
    return candidates[0] if candidates else None


def classify(relpath: str) -> tuple[str, str, str] | None:
    """(kind, flagged path, reason) for a shipped project file, or None."""
    parts = relpath.split("/")
    if parts[0] == ".flash":
        return "stale", ".flash/", "output of an earlier build (e.g. .flash/flash_manifest.json) packaged again"
    for i, part in enumerate(parts[:-1]):
        if part in JUNK_DIRS:
            return "junk", "/".join(parts[: i + 1]) + "/", f"{JUNK_DIRS[part]} shipped in the archive"
    base = parts[-1]
    if (
        base == ".env"
        or base.startswith(".env.")
        or ((base.endswith(".env") or ".env." in base) and looks_secret(relpath))
    ):
        return "secret", relpath, "environment file, usually holds secrets (add it to .flashignore/.gitignore)"
    if (base.endswith(".pem") and looks_secret(relpath)) or base in SECRET_NAMES:
        return "secret", relpath, "private key material"
    return None


def scan_archive(archive: Path, top_n: int = 10) -> dict:
    """Stream the archive once: counts, sizes per top-level entry, largest files, flagged paths."""
    members = total = 0
    top: dict[str, list[int]] = {}
    largest: list[tuple[int, str]] = []
    candidates: list[tuple[str, int]] = []
    installed: set[str] = set()
    with tarfile.open(archive, mode="r|gz") as tar:
        for member in tar:
            name = member.name[2:] if member.name.startswith("./") else member.name.lstrip("/")
            if not name or name == "." or not member.isfile():
                continue
            members += 1
            total += member.size
            entry = top.setdefault(name.split("/", 1)[0] + ("/" if "/" in name else ""), [0, 0])
            entry[0] += member.size
            entry[1] += 1
            if len(largest) < top_n:
                heapq.heappush(largest, (member.size, name))
            elif member.size > largest[0][0]:
                heapq.heapreplace(largest, (member.size, name))
            if _RECORD.match(name):
                fh = tar.extractfile(member)
                if fh is not None:
                    installed |= record_paths(fh.read().decode("utf-8", errors="replace"))
            if classify(name) is not None:
                candidates.append((name, member.size))
    flagged: dict[str, FlaggedItem] = {}
    for name, size in candidates:
        if is_generated(name) or is_pip_path(name, installed):
            continue
        kind, path, reason = classify(name)  # type: ignore[misc]
        old = flagged.get(path)
        flagged[path] = FlaggedItem(kind, path, reason, (old.files + 1) if old else 1, (old.bytes if old else 0) + size)
    order = {"secret": 0, "stale": 1, "junk": 2}
    return {
        "members": members,
        "uncompressed": total,
        "top": sorted((SizeEntry(p, b, n) for p, (b, n) in top.items()), key=lambda e: (-e.bytes, e.path))[:top_n],
        "largest": [SizeEntry(n, s) for s, n in sorted(largest, key=lambda x: (-x[0], x[1]))],
        "flagged": sorted(flagged.values(), key=lambda f: (order[f.kind], f.path)),
    }


def package_report(
    project_root: str | Path,
    *,
    archive_name: str | None = None,
    limit_mb: float = DEFAULT_LIMIT_MB,
    top_n: int = 10,
    predict: Predictor | None = None,
) -> PackageReport:
    """Report on `<project>/.flash/<archive>`; with `predict`, also drift against `.flash/.build`."""
    root = Path(project_root)
    archive = find_archive(root, archive_name)
    drift = drift_for_project(root, predict) if predict is not None else None
    if archive is None:
        return PackageReport(str(root), None, None, limit_mb, drift=drift)
    notes = []
    if not (root / ".flash" / ".build").is_dir():
        notes.append("The build dir was not kept (`--keep-build`); sizes come from the archive only.")
    try:
        scan = scan_archive(archive, top_n)
    except (tarfile.TarError, OSError, EOFError) as exc:
        notes.append(f"Cannot read the archive: {exc}")
        return PackageReport(
            str(root),
            archive.relative_to(root).as_posix(),
            archive.stat().st_size,
            limit_mb,
            drift=drift,
            notes=tuple(notes),
        )
    return PackageReport(
        project_root=str(root),
        archive=archive.relative_to(root).as_posix(),
        archive_bytes=archive.stat().st_size,
        limit_mb=limit_mb,
        members=scan["members"],
        uncompressed_bytes=scan["uncompressed"],
        top_entries=tuple(scan["top"]),
        largest_files=tuple(scan["largest"]),
        flagged=tuple(scan["flagged"]),
        drift=drift,
        notes=tuple(notes),
    )
