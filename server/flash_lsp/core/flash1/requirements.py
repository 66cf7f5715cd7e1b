"""What runpod-flash 1.x hands to pip and packs into `.flash/artifact.tar.gz` (docs/flash1.md,
"Dependencies and size").

pip gets the project-root `requirements.txt` lines verbatim, then every `dependencies=[...]` string
of decorators named `remote` or `Endpoint` and of `x = Endpoint(dependencies=[...])` assignments in the
shipped `.py` files (not `__init__.py`), de-duplicated by exact text; requirements whose name is
excluded (`--exclude` and, from 1.8, the torch family) are removed. The archive then skips excluded
top-level packages, holds the bundled `runpod_flash` package instead of pip's copy, and must stay
within the release's limit (compressed size, in MiB).
"""

from __future__ import annotations

from pathlib import Path

from .. import deps as deps_mod
from .closure import Parsed, parse
from .handlers import release_of
from .per_file import per_file

# Packages the build always excludes: 1.8.0 listed numpy as well; 1.8.1+ only these four.
SIZE_PROHIBITIVE_PACKAGES = frozenset({"torch", "torchvision", "torchaudio", "triton"})
_BASE_IMAGE_PACKAGES_1_8_0 = SIZE_PROHIBITIVE_PACKAGES | {"numpy"}


def auto_excluded(profile) -> frozenset[str]:
    release = release_of(profile)
    if release >= (1, 8, 1):
        return SIZE_PROHIBITIVE_PACKAGES
    return _BASE_IMAGE_PACKAGES_1_8_0 if release >= (1, 8) else frozenset()


def warning_prefix(profile) -> str:
    """How the build marks a warning line: `! ` from 1.15, `Warning: ` before."""
    return "! " if release_of(profile) >= (1, 15) else "Warning: "


def error_prefix(profile) -> str:
    """How the build marks an error line (all but `Failed to load:` and its files): `✗ ` from 1.15, a
    mark the predicted errors leave out, `Error: ` before."""
    return "" if release_of(profile) >= (1, 15) else "Error: "


def collect(project, tree, exclusions: list[str]) -> deps_mod.Requirements:
    """The build's requirement list for `project` (its shipped files `tree`) and `--exclude` tokens."""
    profile = project.profile
    auto = auto_excluded(profile)
    result = deps_mod.Requirements(exclusions=list(exclusions))  # the user's; `auto` applies as well
    found: list[deps_mod.Requirement] = []
    if project.exists("requirements.txt"):
        text = project.text("requirements.txt")
        if text is None:
            result.warnings.append(
                f"{warning_prefix(profile)}Failed to read requirements.txt: {_decode_error(project, 'requirements.txt')}"
            )
        else:
            found += deps_mod.requirements_txt(text)
    prefix = warning_prefix(profile)

    def of_file(relpath: str) -> list[str | deps_mod.Requirement]:
        """The file's parse warning (a str) and its `dependencies=` strings."""
        name = relpath.rsplit("/", 1)[-1]
        if not relpath.endswith(".py") or name == "__init__.py":
            return []
        text = project.text(relpath)
        parsed = parse(text) if text is not None else Parsed(syntax_error=_decode_error(project, relpath))
        warning = [] if parsed.syntax_error is None else [f"{prefix}Failed to parse {name}: {parsed.syntax_error}"]
        return warning + [deps_mod.Requirement(value, relpath, span, function) for value, span, function in parsed.deps]

    for item in per_file(project, "requirements").joined(tree.scan_order, prefix, of_file):
        if isinstance(item, str):
            result.warnings.append(item)
        else:
            found.append(item)
    seen: set = set()
    for req in found:
        if req.text not in seen:
            seen.add(req.text)
            result.collected.append(req)
    excluded = set(exclusions) | auto
    matched: set[str] = set()
    for req in result.collected:
        name = deps_mod.extract_package_name(req.text)
        (result.excluded if name in excluded else result.installed).append(req)
        if name in excluded:
            matched.add(name)
    result.unmatched_exclusions = sorted(set(exclusions) - matched - auto)
    return result


def _decode_error(project, relpath: str) -> str:
    try:
        (Path(project.root) / relpath).read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        return str(exc)
    except OSError as exc:
        return str(exc)
    return "could not read it"


def add_to_outcome(requirements: deps_mod.Requirements, outcome, profile) -> None:
    """What collecting and installing the requirements adds to the build's outcome once the handlers
    are written: its warnings, and the failure when pip cannot read a requirement passed verbatim."""
    if not outcome.succeeds:
        return
    outcome.warnings += requirements.warnings
    if requirements.unmatched_exclusions:
        outcome.warnings.append(
            f"{warning_prefix(profile)}No packages matched exclusions: {', '.join(requirements.unmatched_exclusions)}"
        )
    rejected = next(
        (deps_mod.pip_rejects(r.text) for r in requirements.installed if deps_mod.pip_rejects(r.text)), None
    )
    if rejected:
        outcome.succeeds = False
        outcome.errors += [f"pip install failed:\n{rejected}", "Failed to install dependencies"]
