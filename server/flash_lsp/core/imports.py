"""Resolve `import` targets to project files (for explanations and go-to-definition)."""

from __future__ import annotations

from collections.abc import Iterable


def module_file(module: str, importer: str, files: Iterable[str]) -> str | None:
    """The project file a (possibly relative, dotted) module name refers to, if any."""
    files = set(files)
    level = len(module) - len(module.lstrip("."))
    name = module[level:]
    if level:
        package = importer.split("/")[:-1]
        if level > 1:
            package = package[: len(package) - (level - 1)]
        base = "/".join(package)
        parts = [base] if base else []
        if name:
            parts.append(name.replace(".", "/"))
        stem = "/".join(parts)
    else:
        stem = name.replace(".", "/")
    for candidate in (f"{stem}.py", f"{stem}/__init__.py"):
        if candidate in files:
            return candidate
    return None


def module_name(relpath: str) -> str:
    """The dotted name a project file is imported as (`pkg/__init__.py` is `pkg`)."""
    parts = relpath[:-3].split("/")
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)
