"""Parse `flash build` output into findings that point at source through data, not lines.

Message formats are the ones printed by tetra-rp 0.20–0.25 (`cli/commands/build.py`,
`build_utils/manifest.py`, `scanner.py`, `handler_generator.py`); the `✗`/`!` prefixes of
runpod-flash 1.13+ are accepted too, and runpod 2.0's discovery failures (`importing <file> failed:
…`: a warning, an error for a single-file target or when no App was found; docs/runpod2.md,
"Building from the editor"). The real build prints most errors several times (console
line, log record, traceback `ValueError: …`, outer `Build failed` traceback), so findings are
de-duplicated.

A finding names what it is about (function, resource, route, requirement, project file); turning
that into a source range is the caller's job, through a `Locator` passed to `locate()`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from .text import unbox

ERROR, WARNING, INFO = "error", "warning", "info"


@dataclass(frozen=True)
class BuildFinding:
    """One problem reported by the build. `kind` is the stable code; `line` is 0-based."""

    kind: str
    severity: str
    message: str
    function: str | None = None
    functions: tuple[str, ...] = ()
    resource: str | None = None
    resources: tuple[str, ...] = ()
    route: str | None = None
    requirement: str | None = None
    packages: tuple[str, ...] = ()
    file: str | None = None  # project-relative, "/" separated
    line: int | None = None
    size_mb: float | None = None
    limit_mb: float | None = None


@dataclass(frozen=True)
class SourceLocation:
    """A place in a project file; 0-based line and code-point column."""

    file: str
    line: int = 0
    column: int = 0
    end_line: int | None = None
    end_column: int | None = None


Locator = Callable[[BuildFinding], Iterable[SourceLocation]]


def locate(
    findings: Iterable[BuildFinding], locator: Locator | None = None
) -> list[tuple[BuildFinding, tuple[SourceLocation, ...]]]:
    """Attach locations: a finding with a `file` uses it; others ask `locator` (may give none)."""
    out = []
    for finding in findings:
        if finding.file is not None:
            places: tuple[SourceLocation, ...] = (SourceLocation(finding.file, finding.line or 0),)
        elif locator is not None:
            places = tuple(locator(finding))
        else:
            places = ()
        out.append((finding, places))
    return out


_LOG_PREFIX = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \| (?P<level>\w+)\s*\| ")
_BUILD_DIR = re.compile(r"[\\/]\.flash[\\/]\.build[\\/]")
_TOOL_LINE = re.compile(r"line (\d+)\)?\s*$")


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


DUPLICATE_FUNCTION = _rx(
    r"Duplicate function name '(?P<function>[^']*)' found in resources '(?P<r1>[^']*)' and '(?P<r2>[^']*)'"
)
DUPLICATE_ROUTE = _rx(
    r"Duplicate route '(?P<route>[^']*)' in resource '(?P<resource>[^']*)': both '(?P<f1>[^']*)' and '(?P<f2>[^']*)' are mapped to the same route"
)
RESERVED_PATH = _rx(
    r"Function '(?P<function>[^']*)' cannot use reserved path '(?P<path>[^']*)'\. Reserved paths: (?P<reserved>.*)"
)
LB_WITHOUT_ROUTE = _rx(
    r"(?P<type>\w+) endpoint '(?P<resource>[^']*)' requires method and path for function '(?P<function>[^']*)'\. Got method=(?P<method>.*?), path=(?P<path>.*)$"
)
HANDLER_SYNTAX = _rx(r"Handler has syntax errors: (?P<detail>.*)")
HANDLER_FILE = _rx(r"\(handler_(?P<resource>.+)\.py, line \d+\)")
HANDLER_FAILED = _rx(r"Handler generation failed: (?P<detail>.*)")
HANDLER_PATH = _rx(r"[\\/]\.flash[\\/]\.build[\\/](?:handlers[\\/])?handler_(?P<resource>.+)\.py'?")
SYNTAX_IN = _rx(r"Syntax error in (?P<path>.+?\.py): (?P<detail>.*)")
FAILED_PARSE = _rx(r"Failed to parse (?P<name>[^:]+\.py): (?P<detail>.*)")
MAIN_MISSING = _rx(r"main\.py not found in (?P<dir>.*)")
NOT_FASTAPI = _rx(r"main\.py does not appear to have a FastAPI app")
PIP_NO_VERSION = _rx(
    r"Could not find a version that satisfies the requirement (?P<req>.+?)(?: \(from versions: .*\))?$"
)
PIP_NO_DIST = _rx(r"No matching distribution found for (?P<req>.+)$")
PIP_INVALID = _rx(r"Invalid requirement: '(?P<req>[^']*)'")
PIP_INSTALL_FAILED = _rx(r"^pip install failed:")
DEPS_FAILED = _rx(r"^(?:Error: )?Failed to install dependencies")
PIP_TIMEOUT = _rx(r"pip install timed out \((?P<secs>\d+) seconds\)")
NO_PIP = _rx(r"Neither pip nor uv pip found")
TOO_LARGE = _rx(r"Archive exceeds RunPod limit(?: \((?P<size>[\d.]+) MB / (?P<limit>[\d.]+) MB\))?")
ARCHIVE_SIZE = _rx(r"^Archive size: (?P<size>[\d.]+) MB")
RUNPOD_LIMIT = _rx(r"^RunPod limit: (?P<limit>[\d.]+) MB")
EXCLUSIONS = _rx(r"No packages matched exclusions: (?P<packages>.*)$")
CODE_ANALYSIS = _rx(r"Code analysis failed: (?P<detail>.*)")
NO_RESOURCES = _rx(r"^(?:No resources detected|No @remote functions found)$")
GENERIC_ERROR = _rx(r"^(?:Error: |✗ )(?P<message>.+)$")
BUILD_FAILED = _rx(r"^Build failed: (?P<message>.+)$")
RP_IMPORT_FAILED = _rx(r"^(?P<error>Error: )?importing (?P<path>.+?\.py) failed: (?P<detail>.*)$")
RP_NO_APP = _rx(r"^(?:Error: )?no runpod\.App found")
_MISSING_MODULE = re.compile(r"No module named '(?P<module>[\w.]+)'")
IGNORED_ERRORS = ("Not a valid Flash project",)
# Traceback frames and their source lines repeat raise statements; only the exception line counts.
_TRACEBACK_SOURCE = re.compile(r'^(?:  File "|    )')


def _relpath(path: str, project_root: str | None) -> str:
    """A build-dir or absolute path as a project-relative one."""
    parts = _BUILD_DIR.split(path, maxsplit=1)
    if len(parts) == 2:
        return parts[1].replace("\\", "/")
    if project_root and path.startswith(project_root.rstrip("/\\") + "/"):
        return path[len(project_root.rstrip("/\\")) + 1 :].replace("\\", "/")
    return path.replace("\\", "/")


def _import_line(root: str | None, rel: str, module: str) -> int | None:
    """0-based line of the first `import module` / `from module…` in the project file, if any."""
    pattern = re.compile(rf"^\s*(?:from|import)\s+{re.escape(module.split('.')[0])}\b")
    try:
        lines = (Path(root or ".") / rel).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    return next((i for i, text in enumerate(lines) if pattern.match(text)), None)


def _tool_line(detail: str) -> int | None:
    match = _TOOL_LINE.search(detail)
    return int(match.group(1)) - 1 if match else None


def _about(
    kind: str, message: str, function: str | None = None, resource: str | None = None, severity: str = ERROR, **fields
) -> BuildFinding:
    """A finding about a function and/or a resource; `functions` and `resources` hold them too
    unless `fields` names others."""
    fields.setdefault("functions", () if function is None else (function,))
    fields.setdefault("resources", () if resource is None else (resource,))
    return BuildFinding(kind, severity, message, function=function, resource=resource, **fields)


class FindingCollector:
    """Incremental parser: `feed()` cleaned lines as they arrive, then read `findings()`."""

    def __init__(self, project_root: str | None = None) -> None:
        self.project_root = project_root
        self._found: dict[tuple, BuildFinding] = {}
        self._in_pip_failure = False
        self._size_key: tuple | None = None
        self._deps_failed = False
        self._pip_lines: list[str] = []
        self._no_app = False  # runpod 2.0 found no App: every import failure is fatal

    def _add(self, key: tuple, finding: BuildFinding) -> None:
        self._found.setdefault(key, finding)

    def feed(self, line: str) -> None:
        if _TRACEBACK_SOURCE.match(line):
            return
        text = unbox(line)
        if not text:
            return
        prefix = _LOG_PREFIX.match(text)
        if prefix:
            text = text[prefix.end() :]
        raw_error = line.lstrip().startswith(("Error:", "✗ "))
        for handler in (self._manifest, self._handlers, self._files, self._rp, self._deps, self._size, self._misc):
            if handler(text, raw_error):
                return
        generic = GENERIC_ERROR.match(line.strip()) or BUILD_FAILED.match(text)
        if generic and generic.group("message") not in IGNORED_ERRORS and not generic.group("message").isdigit():
            message = generic.group("message")
            self._add(("build_error", message), BuildFinding("build_error", ERROR, message))

    def _manifest(self, text: str, raw_error: bool) -> bool:
        if m := DUPLICATE_FUNCTION.search(text):
            f, resources = m["function"], (m["r1"], m["r2"])
            self._add(
                ("duplicate_function", f, resources),
                _about("duplicate_function", m.group(0), function=f, resources=resources),
            )
        elif m := DUPLICATE_ROUTE.search(text):
            self._add(
                ("duplicate_route", m["resource"], m["route"]),
                _about(
                    "duplicate_route",
                    m.group(0),
                    function=m["f2"],
                    functions=(m["f1"], m["f2"]),
                    resource=m["resource"],
                    route=m["route"],
                ),
            )
        elif m := RESERVED_PATH.search(text):
            self._add(
                ("reserved_path", m["function"], m["path"]),
                _about("reserved_path", m.group(0), function=m["function"], route=m["path"]),
            )
        elif m := LB_WITHOUT_ROUTE.search(text):
            self._add(
                ("lb_without_route", m["resource"], m["function"]),
                _about("lb_without_route", m.group(0), function=m["function"], resource=m["resource"]),
            )
        else:
            return False
        return True

    def _handlers(self, text: str, raw_error: bool) -> bool:
        if m := HANDLER_SYNTAX.search(text):
            res = HANDLER_FILE.search(m["detail"])
            resource = res["resource"] if res else None
            self._add(
                ("handler_syntax_error", m.group(0)),
                _about("handler_syntax_error", m.group(0), resource=resource),
            )
        elif text.startswith("Warning: Handler generation failed: ") or text.startswith("Handler generation failed: "):
            m = HANDLER_FAILED.search(text)
            res = HANDLER_PATH.search(m["detail"]) if m else None
            resource = res["resource"] if res else None
            message = m.group(0) if m else text
            self._add(
                ("handler_generation_failed", message),
                _about("handler_generation_failed", message, resource=resource, severity=WARNING),
            )
        else:
            return False
        return True

    def _files(self, text: str, raw_error: bool) -> bool:
        if m := SYNTAX_IN.search(text):
            rel = _relpath(m["path"], self.project_root)
            message = f"Syntax error in {rel}: {m['detail']}"
            self._add(
                ("syntax_error", rel),
                BuildFinding("syntax_error", WARNING, message, file=rel, line=_tool_line(m["detail"])),
            )
        elif m := FAILED_PARSE.search(text):
            # Same error seen by the dependency extractor, which prints the base name only.
            self._add(
                ("parse_failed", m["name"]),
                BuildFinding("syntax_error", WARNING, m.group(0), line=_tool_line(m["detail"])),
            )
        elif m := MAIN_MISSING.search(text):
            self._add(
                ("main_py_missing",),
                BuildFinding(
                    "main_py_missing",
                    ERROR,
                    f"main.py not found in {m['dir']}: flash build (tetra-rp) needs a main.py in the project root",
                ),
            )
        elif NOT_FASTAPI.search(text):
            self._add(
                ("main_py_not_fastapi",),
                BuildFinding(
                    "main_py_not_fastapi",
                    WARNING,
                    "main.py does not appear to have a FastAPI app",
                    file="main.py",
                    line=0,
                ),
            )
        elif m := CODE_ANALYSIS.search(text):
            self._add(("code_analysis_failed", m.group(0)), BuildFinding("code_analysis_failed", ERROR, m.group(0)))
        else:
            return False
        return True

    def _rp(self, text: str, raw_error: bool) -> bool:
        if RP_NO_APP.match(text):
            self._no_app = True
            for key, f in self._found.items():
                if f.kind == "import_failed":
                    self._found[key] = replace(f, severity=ERROR)
            return False  # the line itself is the build's error
        m = RP_IMPORT_FAILED.match(text)
        if not m:
            return False
        rel = _relpath(m["path"], self.project_root)
        missing = _MISSING_MODULE.search(m["detail"])
        line = _tool_line(m["detail"]) if not missing else _import_line(self.project_root, rel, missing["module"])
        severity = ERROR if (m["error"] or self._no_app) else WARNING
        finding = BuildFinding("import_failed", severity, f"importing {rel} failed: {m['detail']}", file=rel, line=line)
        previous = self._found.get(("import_failed", rel))
        if previous is None or severity == ERROR:
            self._found[("import_failed", rel)] = finding
        return True

    def _deps(self, text: str, raw_error: bool) -> bool:
        if PIP_INSTALL_FAILED.search(text):
            self._in_pip_failure = True
            return True
        if m := PIP_NO_VERSION.search(text) or PIP_NO_DIST.search(text) or PIP_INVALID.search(text):
            req = m["req"].strip()
            self._add(
                ("requirement_failed", req),
                BuildFinding(
                    "requirement_failed",
                    ERROR,
                    f"pip could not install {req!r}: {text.removeprefix('ERROR: ')}",
                    requirement=req,
                ),
            )
            return True
        if DEPS_FAILED.search(text):
            self._deps_failed = True
            self._in_pip_failure = False
            return True
        if m := PIP_TIMEOUT.search(text):
            self._add(("pip_timeout",), BuildFinding("pip_failed", ERROR, m.group(0)))
            return True
        if NO_PIP.search(text):
            self._add(
                ("no_pip",),
                BuildFinding("pip_failed", ERROR, "Neither pip nor uv pip found in the project's interpreter"),
            )
            return True
        if self._in_pip_failure and text.startswith("ERROR:"):
            self._pip_lines.append(text)
            return True
        return False

    def _size(self, text: str, raw_error: bool) -> bool:
        if m := TOO_LARGE.search(text):
            key = ("archive_too_large",)
            size = float(m["size"]) if m["size"] else None
            limit = float(m["limit"]) if m["limit"] else None
            severity = ERROR if (raw_error or text.startswith("BUILD FAILED")) else WARNING
            self._found[key] = BuildFinding(
                "archive_too_large", severity, "Archive exceeds RunPod limit", size_mb=size, limit_mb=limit
            )
            self._size_key = key
            self._refresh_size()
            return True
        if self._size_key and (m := ARCHIVE_SIZE.match(text)):
            self._found[self._size_key] = replace(self._found[self._size_key], size_mb=float(m["size"]))
            self._refresh_size()
            return True
        if self._size_key and (m := RUNPOD_LIMIT.match(text)):
            self._found[self._size_key] = replace(self._found[self._size_key], limit_mb=float(m["limit"]))
            self._refresh_size()
            return True
        return False

    def _refresh_size(self) -> None:
        f = self._found[self._size_key]
        if f.size_mb is not None and f.limit_mb is not None:
            msg = f"Archive exceeds RunPod limit: {f.size_mb:.1f} MB > {f.limit_mb:g} MB (over by {f.size_mb - f.limit_mb:.1f} MB)"
            self._found[self._size_key] = replace(f, message=msg)

    def _misc(self, text: str, raw_error: bool) -> bool:
        if m := EXCLUSIONS.search(text):
            packages = tuple(p.strip() for p in m["packages"].split(",") if p.strip())
            self._add(
                ("exclusion_unmatched", packages),
                BuildFinding("exclusion_unmatched", WARNING, m.group(0), packages=packages),
            )
        elif NO_RESOURCES.match(text):
            self._add(("no_resources",), BuildFinding("no_resources", INFO, "flash build found no @remote functions"))
        else:
            return False
        return True

    def findings(self) -> list[BuildFinding]:
        """Unique findings in first-seen order."""
        found = dict(self._found)
        syntax_files = {f.file.rsplit("/", 1)[-1] for f in found.values() if f.kind == "syntax_error" and f.file}
        for key in [k for k in found if k[0] == "parse_failed" and k[1] in syntax_files]:
            del found[key]
        result = list(found.values())
        if self._deps_failed and not any(f.kind in ("requirement_failed", "pip_failed") for f in result):
            detail = self._pip_lines[0] if self._pip_lines else "see the build output"
            result.append(BuildFinding("pip_failed", ERROR, f"Failed to install dependencies: {detail}"))
        return result


def parse_build_output(lines: Iterable[str], project_root: str | None = None) -> list[BuildFinding]:
    """Findings for a whole captured output (cleaned or raw lines)."""
    from .text import clean_line

    collector = FindingCollector(project_root)
    for line in _lines(lines):
        collector.feed(clean_line(line))
    return collector.findings()


def _lines(lines: Iterable[str]) -> Iterator[str]:
    if isinstance(lines, str):
        yield from lines.splitlines()
    else:
        yield from lines
