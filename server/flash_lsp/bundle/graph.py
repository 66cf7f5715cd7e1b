"""Which top-level requirement pulls in which distribution (for `required_by` and the notes)."""

from __future__ import annotations

import functools
import re
from collections import deque

from packaging.markers import InvalidMarker, Marker, UndefinedEnvironmentName
from packaging.requirements import InvalidRequirement, Requirement

from .tags import canonical

_NAME = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def target_environment(python_version: str) -> dict[str, str]:
    """Marker environment of the build target (Linux x86-64 CPython X.Y)."""
    return {
        "implementation_name": "cpython",
        "implementation_version": f"{python_version}.0",
        "os_name": "posix",
        "platform_machine": "x86_64",
        "platform_python_implementation": "CPython",
        "platform_release": "",
        "platform_system": "Linux",
        "platform_version": "",
        "python_full_version": f"{python_version}.0",
        "python_version": python_version,
        "sys_platform": "linux",
    }


@functools.lru_cache(maxsize=8192)
def parse_requirement(text: str) -> tuple[str, frozenset[str], Marker | None]:
    """(canonical name, extras, marker) of a requirement string; tolerant of what pip would reject."""
    try:
        r = Requirement(text)
        return canonical(r.name), frozenset(canonical(e) for e in r.extras), r.marker
    except InvalidRequirement:
        m = _NAME.match(text)
        return (canonical(m.group(1)) if m else text.strip().lower()), frozenset(), None


def _marker_ok(marker: Marker | None, env: dict[str, str], extras: frozenset[str]) -> bool:
    if marker is None:
        return True
    for extra in (extras or frozenset()) | {""}:
        try:
            if marker.evaluate(dict(env, extra=extra)):
                return True
        except (UndefinedEnvironmentName, InvalidMarker, ValueError, TypeError):
            return True
    return False


def dependency_edges(requires: dict[str, list[str]], python_version: str, resolved: set[str]):
    """A function (dist key, active extras) -> [(dep key, dep extras)] limited to `resolved`."""
    env = target_environment(python_version)
    parsed: dict[str, list[tuple[str, frozenset[str], Marker | None]]] = {
        k: [parse_requirement(r) for r in v] for k, v in requires.items()
    }

    def edges(key: str, extras: frozenset[str]) -> list[tuple[str, frozenset[str]]]:
        out = []
        for name, dep_extras, marker in parsed.get(key, ()):
            if name in resolved and name != key and _marker_ok(marker, env, extras):
                out.append((name, dep_extras))
            elif name == key and dep_extras - extras and _marker_ok(marker, env, extras):
                out.append((name, dep_extras))  # self-referencing extras, e.g. pkg[all] -> pkg[a,b]
        return out

    return edges


def required_by(
    top_requirements: list[str],
    requires: dict[str, list[str]],
    python_version: str,
    resolved: set[str],
) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """(dist key -> top requirement strings reaching it, dist key -> first chain of names from a top).

    `requires` maps dist keys to their Requires-Dist lines; markers are evaluated for the target.
    """
    edges = dependency_edges(requires, python_version, resolved)
    by: dict[str, list[str]] = {}
    chain: dict[str, list[str]] = {}
    for top in top_requirements:
        if not isinstance(top, str):
            continue
        name, extras, marker = parse_requirement(top)
        if name not in resolved or not _marker_ok(marker, target_environment(python_version), frozenset()):
            continue
        seen: dict[str, frozenset[str]] = {}
        queue = deque([(name, extras, [name])])
        while queue:
            key, ex, path = queue.popleft()
            prev = seen.get(key)
            if prev is not None and ex <= prev:
                continue
            seen[key] = (prev or frozenset()) | ex
            lst = by.setdefault(key, [])
            if top not in lst:
                lst.append(top)
            chain.setdefault(key, path)
            for dep, dep_ex in edges(key, seen[key]):
                queue.append((dep, dep_ex, path if dep == key else path + [dep]))
    return by, chain


def reachable(
    top_requirements: list[str],
    requires: dict[str, list[str]],
    python_version: str,
    resolved: set[str],
    blocked: set[str] = frozenset(),
) -> set[str]:
    """Distribution keys reachable from the tops without passing through `blocked` keys."""
    edges = dependency_edges(requires, python_version, resolved)
    seen: dict[str, frozenset[str]] = {}
    queue: deque = deque()
    for top in top_requirements:
        if not isinstance(top, str):
            continue
        name, extras, _m = parse_requirement(top)
        if name in resolved and name not in blocked:
            queue.append((name, extras))
    while queue:
        key, ex = queue.popleft()
        prev = seen.get(key)
        if prev is not None and ex <= prev:
            continue
        seen[key] = (prev or frozenset()) | ex
        for dep, dep_ex in edges(key, seen[key]):
            if dep not in blocked:
                queue.append((dep, dep_ex))
    return set(seen)
