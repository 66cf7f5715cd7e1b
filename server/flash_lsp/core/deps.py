"""What `flash build` hands to pip (`docs/tetra-build.md`, "Dependencies").

`requirements.txt` of the project root (read even when an ignore rule keeps it out of the archive),
verbatim, then the `dependencies=[...]` constants of `@remote` decorators on *sync* defs and classes
in shipped files under `workers/` only, de-duplicated by exact string, then `--exclude` filtering by
the build's own name extraction (lower-cased, no `-`/`_` normalisation).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .model import Span
from .summary import FileSummary

_NAME_SPLIT = re.compile(r"[<>=!\[;]")
_PLAIN_NAME = re.compile(r"[A-Z0-9](?:[A-Z0-9._-]*[A-Z0-9])?\Z", re.I | re.A)  # PEP 508 name alone


@dataclass(frozen=True)
class Requirement:
    """One requirement and where it came from (`requirements.txt` line or decorator element)."""

    text: Any
    path: str
    span: Span
    function: str | None = None


@dataclass
class Requirements:
    collected: list[Requirement] = field(default_factory=list)  # after de-duplication
    installed: list[Requirement] = field(default_factory=list)  # after --exclude
    excluded: list[Requirement] = field(default_factory=list)
    unmatched_exclusions: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    exclusions: list[str] = field(default_factory=list)  # `--exclude` tokens as the build parses them


def extract_package_name(requirement: str) -> str:
    """The build's name extraction: text before the first `<>=![;`, stripped, lower-cased."""
    return _NAME_SPLIT.split(requirement)[0].strip().lower()


def pip_rejects(requirement) -> str | None:
    """pip's complaint about one argv item the build passes it verbatim, when it is not a
    requirement pip can read (inline comments, option lines, garbage); None when it looks valid."""
    if not isinstance(requirement, str):
        return f"expected str, got {type(requirement).__name__}"
    if requirement.startswith("-"):
        return f"no such option: {requirement.split()[0]}"
    if requirement.startswith((".", "/")) or "://" in requirement.split("@", 1)[0]:
        return None
    if _PLAIN_NAME.match(requirement):  # valid as it is: no need to load `packaging` (a fifth of start-up)
        return None
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        Requirement(requirement)
    except InvalidRequirement:
        return f"ERROR: Invalid requirement: {requirement!r}"
    return None


def parse_exclusions(value: str | None) -> list[str]:
    """`--exclude a,b` as the build parses it."""
    return [p.strip().lower() for p in value.split(",")] if value else []


def requirements_txt(text: str) -> list[Requirement]:
    reqs = []
    for number, raw in enumerate(text.splitlines()):
        line = raw.strip()
        if line and not line.startswith("#"):
            start = raw.index(line)
            reqs.append(Requirement(line, "requirements.txt", Span(number, start, number, start + len(line))))
    return reqs


def decorator_dependencies(workers: list[tuple[str, FileSummary | None]]) -> tuple[list[Requirement], list[str]]:
    """Dependencies of `workers/**` files in glob order; unparsable files give a warning."""
    reqs: list[Requirement] = []
    warnings: list[str] = []
    for relpath, summary in workers:
        name = relpath.rsplit("/", 1)[-1]
        if name == "__init__.py":
            continue
        if summary is None or not summary.parsed:
            reason = summary.syntax_error[0] if summary and summary.syntax_error else "could not decode as UTF-8"
            warnings.append(f"Warning: Failed to parse {name}: {reason}")
            continue
        for decl in summary.dependencies:
            if decl.is_async or not decl.is_list_literal:
                continue
            reqs.extend(Requirement(value, relpath, span, decl.function) for value, span in decl.items)
    return reqs, warnings


def collect(
    requirements_text: str | None,
    workers: list[tuple[str, FileSummary | None]],
    exclusions: list[str],
    read_error: str | None = None,
) -> Requirements:
    result = Requirements(exclusions=list(exclusions))
    found = requirements_txt(requirements_text) if requirements_text is not None else []
    if read_error:
        result.warnings.append(f"Warning: Failed to read requirements.txt: {read_error}")
    from_decorators, warnings = decorator_dependencies(workers)
    result.warnings.extend(warnings)
    seen: set = set()
    for req in found + from_decorators:
        if req.text not in seen:
            seen.add(req.text)
            result.collected.append(req)
    matched: set[str] = set()
    for req in result.collected:
        name = extract_package_name(req.text) if isinstance(req.text, str) else None
        if exclusions and name in exclusions:
            result.excluded.append(req)
            matched.add(name)
        else:
            result.installed.append(req)
    result.unmatched_exclusions = sorted(set(exclusions) - matched)
    return result
