"""requirements.txt and the torch trap (docs/migration.md, "Requirements" and "torch").

The old packages' lines go: runpod 2.0 is installed where `rp` runs, and its worker runtime is vendored
by the build itself; listed in requirements.txt, the whole SDK with its dependencies would ship in every
artifact. A comment takes the first line's place and FL959 says so. runpod 2.0 leaves torch out of the artifact
only when every resource is a GPU resource on a built-in image; otherwise the torch family is vendored
(gigabytes, past the 1500 MB limit). GPU images ship torch, so the migration drops the torch family from
GPU resources' `dependencies` and, when any CPU or custom-image resource exists, comments the
requirement lines out and says so.
"""

from __future__ import annotations

import re

import libcst as cst

from ..core.model import Diagnostic, Span
from .notes import note
from .settings import Site, literal_str

RUNPOD_REQUIREMENT = "runpod>=2.0.0rc2"
REMOVED_COMMENT = f"# {RUNPOD_REQUIREMENT}: install it where you run rp, do not list it (rp vendors its worker runtime)"
OLD_DISTRIBUTIONS = frozenset({"runpod-flash", "tetra-rp", "runpod"})
TORCH_FAMILY = frozenset({"torch", "torchvision", "torchaudio", "triton"})
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def requirement_name(line: str) -> str | None:
    """The normalised distribution name of a requirement line (None for comments and options)."""
    if line.lstrip().startswith(("#", "-")):
        return None
    m = _NAME.match(line)
    return re.sub(r"[-_.]+", "-", m.group(1)).lower() if m else None


def rewrite_requirements(text: str, path: str, drop_torch: bool) -> tuple[str, list[Diagnostic]]:
    """The migrated requirements.txt text and what the migration says about it."""
    out, notes, placed = [], [], False
    for number, line in enumerate(text.splitlines(keepends=True)):
        name = requirement_name(line)
        if name in OLD_DISTRIBUTIONS:
            if not placed:
                out.append(REMOVED_COMMENT + ("\n" if line.endswith("\n") else ""))
                placed = True
                notes.append(
                    note(
                        "FL959",
                        path,
                        Span(number, 0, number, len(line.rstrip())),
                        f"'{line.strip()}' removed: install {RUNPOD_REQUIREMENT} where you run rp; listed here it "
                        "would vendor the whole SDK and its dependencies into the artifact",
                        setting="requirements",
                    )
                )
            continue
        if drop_torch and name in TORCH_FAMILY:
            out.append(f"# {line.rstrip()}  # left out by flash-lsp migrate: see docs on the torch trap\n")
            notes.append(
                note(
                    "FL954",
                    path,
                    Span(number, 0, number, len(line.rstrip())),
                    f"'{line.strip()}' commented out: runpod 2.0 vendors torch whenever one resource is CPU or uses "
                    "its own image (GPU images already ship it); add it to the dependencies of a CPU resource that "
                    "needs it, knowing it adds gigabytes",
                    setting="torch",
                )
            )
            continue
        out.append(line)
    return "".join(out), notes


def strip_torch(args: list[cst.Arg], site: Site) -> list[cst.Arg]:
    """Drop torch-family entries from a GPU resource's `dependencies=[...]` literal."""
    out = []
    for arg in args:
        if arg.keyword and arg.keyword.value == "dependencies" and isinstance(arg.value, cst.List):
            kept = []
            for element in arg.value.elements:
                spec = literal_str(element.value)
                if spec is not None and requirement_name(spec) in TORCH_FAMILY:
                    site.notes.append(
                        note(
                            "FL954",
                            site.path,
                            site.where(element),
                            f"'{spec}' left out of '{site.resource}': its GPU "
                            "image ships torch, and runpod 2.0 would vendor it beside a CPU resource",
                            resource=site.resource,
                            setting="dependencies",
                        )
                    )
                    continue
                kept.append(element)
            if kept:
                kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
            arg = arg.with_changes(value=arg.value.with_changes(elements=kept))
        out.append(arg)
    return out
