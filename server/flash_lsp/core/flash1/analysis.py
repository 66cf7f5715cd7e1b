"""The runpod-flash 1.x build predicted for one `Project` (docs/flash1.md, "Pipeline"): file
collection, the import-based scan, the manifest with its fingerprint, handlers and the outcome,
returned as the same `ProjectModel` the tetra path builds so that the CLI and the editor work
unchanged.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from ..ast_queries import odd_line_break, parser_lines
from ..discovery import DiscoveredFunction, Discovery, Registry
from ..handlers import HandlerResult
from ..manifest import now_timestamp
from ..model import Span
from ..module_exec import execution_key
from ..statement_edit import splice_statement
from ..summary import ConfigRef, Literal, RemoteDecl
from .api import endpoint_parameters
from .ast_scan import ast_scan
from .body_edit import apply_body_edit
from .closure import blocks_of, known_trees
from .deployment_ast import default_env_file
from .file_facts import facts
from .imports import Imports, Source
from .manifest import Built, build_manifest
from .requirements import add_to_outcome, error_prefix
from .requirements import collect as collect_requirements
from .scan_reuse import rescan
from .scanner import Function, Scan, printed, refresh_cross_calls, scan, scan_order
from .uncertain import uncertain_steps

if TYPE_CHECKING:
    from ..project import Project, ProjectModel


def analyze(project: Project, generated_at: str | None = None, rule_overrides: dict | None = None) -> ProjectModel:
    from ..project import BuildOutcome, checked_model

    profile = project.profile
    tree = project.files()
    timestamp = generated_at or now_timestamp()
    outcome = BuildOutcome()
    prediction = Prediction(project, tree.files)
    manifest, handlers = None, HandlerResult()
    prediction.facts.update(tree.files, prediction.scanned, prediction)
    with known_trees(prediction.facts.trees()):  # one parse per file for every step
        if prediction.run(outcome, timestamp):
            manifest = prediction.built.manifest
            handlers = _handlers(project, manifest, tree.files, outcome)
        requirements = collect_requirements(project, tree, project.exclusions)
    add_to_outcome(requirements, outcome, profile)
    if outcome.errors[:1] != ["Failed to load:"]:
        outcome.errors = [error_prefix(profile) + e for e in outcome.errors]
    return checked_model(
        project,
        rule_overrides,
        {"flash1": prediction},
        files=tree,
        summaries=dict(prediction.facts.summaries),  # editor lookups (with keep_last_good)
        discovery=prediction.discovery(),
        manifest=manifest,
        manifest_result=None,
        deployments={},
        handlers=handlers,
        requirements=requirements,
        outcome=outcome,
        generated_at=timestamp,
        has_main=True,
    )


class Prediction:
    """The scan and the manifest of one analysis, kept on the model for the 1.x rules."""

    def __init__(self, project: Project, files: list[str]):
        self.project = project
        self.files = files
        self.facts = facts(project)
        order = project.__dict__.get("_flash1_scan_order")
        if order is None or order[0] is not files:
            order = project.__dict__["_flash1_scan_order"] = (files, scan_order(files))
        self.scanned = order[1]
        self.scan: Scan | None = None
        self.built: Built | None = None
        self.imports: Imports | None = None
        self._sources: dict[str, tuple[str | None, Source, object]] = project.__dict__.setdefault("_flash1_sources", {})
        self._last_good: dict[str, Source] = project.__dict__.setdefault("_flash1_last_good", {})

    def run(self, outcome, timestamp: str) -> bool:
        """Predict up to the manifest; False when the build stops before writing one."""
        project, profile = self.project, self.project.profile
        if not any(p.endswith(".py") for p in self._all_python_files()):
            outcome.succeeds = False
            outcome.errors += [f"No Python files found in {project.root}", "Not a valid Flash project"]
            return False
        closure_error = _closure_error(project, self.files)
        if closure_error:
            outcome.succeeds = False
            outcome.errors.append(closure_error)
            return False
        build_dir = str(project.root / ".flash" / ".build")
        if profile.has("import_scan"):
            self._scan(build_dir, project.environment.pydantic_version or "2.12")
        else:  # the AST era: files in walk order, nothing imported
            walk = [p for p in self.files if p.endswith(".py") and p.rsplit("/", 1)[-1] != "__init__.py"]
            py_files = {p for p in self.files if p.endswith(".py")}
            self.imports = Imports(
                build_dir,
                py_files,
                [],
                self.source,
                project.environment.importable,
                project.environment.pydantic_version or "2.12",
            )
            self.scan = ast_scan({p: self.source(p) for p in walk}, walk)
        if self.scan.failures:
            outcome.succeeds = False
            outcome.errors += ["Failed to load:", *self.scan.failed_lines()]
            return False
        if self.scan.error:
            outcome.succeeds = False
            outcome.errors.append(printed(self.scan.error))
            return False
        if profile.has("import_scan"):  # a request at import may fail on the build machine
            outcome.uncertain = uncertain_steps(self.imports, [run.relpath for run in self.scan.runs])
        dotenv = _dotenv(project)
        env = {**dotenv, **project.env_vars}
        self.built = build_manifest(
            project.root.name,
            self.scan,
            self.imports,
            profile,
            env,
            timestamp,
            project.__dict__.get("python_version"),
            dotenv if profile.has("import_scan") else _default_env(project),
            project.environment.python_version,
        )
        if self.built.error:
            outcome.succeeds = False
            outcome.errors.append(printed(self.built.error))
            return False
        if profile.has("source_fingerprint"):
            self.built.manifest["source_fingerprint"] = self.facts.fingerprint()
        return True

    def source(self, relpath: str) -> Source:
        text = self.project.text(relpath)
        cached = self._sources.get(relpath)
        if cached is not None and cached[0] is text and text is not None:
            return cached[1]
        if cached is not None and self._body_edit(relpath, cached, text):
            self._sources[relpath] = (text, cached[1], cached[2])
            return cached[1]
        source = self._statement_edit(relpath, cached, text)
        if source is None:
            source = parse_source(relpath, text, self._raw(relpath) if text is None else None)
        if source.tree is not None:  # the key reads lines as the parser numbers them
            key = execution_key(source.tree, source.lines if source.plain or text is None else parser_lines(text))
        else:  # a file that does not parse: the scan reports its error where it is
            key = (source.error, source.error_span)
        stale = self.project.__dict__.setdefault("_flash1_stale", {})  # relpath → the error being typed
        stale.pop(relpath, None)
        if source.tree is not None:
            self._last_good[relpath] = source
        elif self.project.keep_last_good and relpath in self._last_good:
            # The editor's view: while a file does not parse, the rest of the project is analysed
            # with its last parsable version; its syntax error is still reported (FL420).
            stale[relpath] = source
            source = self._last_good[relpath]
            known = cached is not None and cached[1] is source
            key = cached[2] if known else execution_key(source.tree, source.lines)
        self._sources[relpath] = (text, source, key)
        return source

    def text_of(self, relpath: str) -> str | None:
        """The text `source(relpath)` was last brought up to date with."""
        return self._sources[relpath][0]

    def _body_edit(self, relpath: str, cached: tuple, text: str | None) -> bool:
        """Whether `text` only edits a function body the build cannot see (docs/flash1.md)."""
        scanned = self.project.__dict__.get("_flash1_scan")
        if text is None or cached[0] is None or scanned is None or relpath in self.stale_errors():
            return False
        if (cached[1].plain and ("\r" in text or odd_line_break(text))) or odd_line_break(cached[0]):
            return False  # its lines would no longer be (or are not) the parser's
        return apply_body_edit(cached[1], cached[0], text, frozenset(f.name for f in scanned[3].functions))

    def _statement_edit(self, relpath: str, cached: tuple | None, text: str | None) -> Source | None:
        """`parse_source(relpath, text)` when `text` edits one module-level statement of the
        cached parsed source (core/statement_edit.py), else None."""
        if cached is None or text is None or relpath in self.stale_errors():
            return None
        old = cached[1]
        if old.tree is None or old.error is not None or cached[0] is None or odd_line_break(cached[0]):
            return None  # (its lines are the parser's when the text has no odd line break)
        if text.startswith("\ufeff") or cached[0].startswith("\ufeff"):
            return None  # a byte-order mark: the file's import and its text read differently
        spliced = splice_statement(old.tree, old.lines, text)
        if spliced is None:
            return None
        tree, lines = spliced
        kept = {id(node) for node in old.tree.body}
        if _compiler_checks(tree.body if "global" in text else [n for n in tree.body if id(n) not in kept]):
            return None  # what only the compiler rejects: `parse_source` compiles the file
        return Source(tree, lines, plain="\r" not in text)  # (`splice_statement` refused odd line breaks)

    def parse_of(self, relpath: str) -> tuple[ast.Module, list[str]] | None:
        """The tree and lines of the file's current text, when its source is their parse and its
        lines are the parser's (the editor's summary then need not parse the file again)."""
        cached = self._sources.get(relpath)
        if cached is None or cached[0] is None or relpath in self.stale_errors():
            return None
        source, text = cached[1], cached[0]
        if source.tree is None or not source.plain or text is not self.project.text(relpath):
            return None
        return None if text.startswith("\ufeff") else (source.tree, source.lines)  # (a text with a BOM does not parse)

    def stale_errors(self) -> dict[str, Source]:
        """Files shown with their last parsable version, with the syntax error they have now."""
        return self.project.__dict__.get("_flash1_stale", {})

    def _raw(self, relpath: str) -> bytes | None:
        try:
            return (self.project.root / relpath).read_bytes()
        except OSError:
            return None

    def _scan(self, build_dir: str, pydantic: str) -> None:
        """The scan, reused while no file's module-level code changed (a keystroke in a function
        body only redoes the cross-call analysis, which reads bodies); when some did, only their
        imports are redone where that gives the full scan's result (docs/flash1.md, "Incremental
        scan")."""
        project = self.project
        py_files = sorted(p for p in self.files if p.endswith(".py"))
        keys = {p: self.facts.keys[p] for p in py_files}
        context = (project.environment, project.profile, build_dir, pydantic)
        cached = project.__dict__.get("_flash1_scan")
        client_mode = project.profile.has("client_mode")
        if cached is not None and cached[0] == context and cached[1].keys() == keys.keys():
            self.imports = cached[2]
            self.imports.source = self.source
            changed = {p for p, key in keys.items() if cached[1][p] != key}
            if not changed:
                self.scan = cached[3]
                refresh_cross_calls(self.scan.functions, self.imports)
                return
            self.scan = rescan(cached[3], self.imports, self.scanned, changed, client_mode, project.profile.features)
            if self.scan is not None:
                project.__dict__["_flash1_scan"] = (context, keys, self.imports, self.scan)
                return
        environment = project.environment
        accepted = endpoint_parameters(project.profile.features)
        self.imports = Imports(
            build_dir, set(py_files), self.scanned, self.source, environment.importable, pydantic, accepted
        )
        self.scan = scan(self.imports, self.scanned, client_mode, project.profile.features)
        project.__dict__["_flash1_scan"] = (context, keys, self.imports, self.scan)

    def key(self, relpath: str):
        """What the builder's import of `relpath` depends on in the file itself."""
        self.source(relpath)
        return self._sources[relpath][2]

    def _all_python_files(self) -> list[str]:
        """`flash build` first checks for any `*.py` under the project, ignored or not."""
        if any(p.endswith(".py") for p in self.files):
            return self.files
        return [str(p) for p in self.project.root.rglob("*.py")][:1]

    def discovery(self) -> Discovery:
        functions = [_discovered(f) for f in self.scan.functions] if self.scan else []
        return Discovery(
            functions,
            Registry(),
            self.scanned,
            {p: f"{f.kind}: {f.message}" for p, f in (self.scan.failures.items() if self.scan else ())},
        )


def parse_source(relpath: str, text: str | None, raw: bytes | None = None) -> Source:
    """The AST of a file, or the `SyntaxError` its import raises (as Python words it). A file that
    is not UTF-8 text is compiled from its bytes: Python honours a coding declaration."""
    source: str | bytes
    if text is None:
        if raw is None:
            return Source(None, [], "SyntaxError: the file cannot be read")
        source, lines = raw, raw.decode("latin-1").splitlines()
    else:  # the import decodes the file's bytes, which skips a UTF-8 byte-order mark
        source = text[1:] if text.startswith("\ufeff") else text
        lines = source.splitlines()
    name = relpath.rsplit("/", 1)[-1]
    try:
        tree = compile(source, name, "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
        if _compiler_checks(tree.body):
            compile(tree, name, "exec", dont_inherit=True)  # errors the parser lets through
    except SyntaxError as exc:
        line = (exc.lineno or 1) - 1
        return Source(
            None,
            lines,
            f"{type(exc).__name__}: {exc}",
            Span(line, max((exc.offset or 1) - 1, 0), line, len(lines[line]) if line < len(lines) else 0),
        )
    except ValueError as exc:  # null bytes
        return Source(None, lines, f"SyntaxError: {exc}")
    return Source(tree, lines, plain=isinstance(source, str) and "\r" not in source and not odd_line_break(source))


_COMPILER_ONLY = (ast.Return, ast.Nonlocal, ast.Break, ast.Continue, ast.Global)
_EXPRESSIONS_ONLY = (ast.Yield, ast.YieldFrom, ast.Await)
_WITH_VALUE = (ast.Expr, ast.Assign, ast.AugAssign, ast.AnnAssign)
_LEAVES = (ast.Constant, ast.Name)  # values that hold no other expression


def _compiler_checks(body: list[ast.stmt]) -> bool:
    """Whether code outside functions holds what only the compiler rejects ('return' outside
    function, 'break' outside loop, 'await' outside function…); compiling every file would double
    the cold analysis. Statements are visited block by block; expressions only of expression
    statements and assignments (where a module-level `await`/`yield` would be)."""
    stack: list[ast.AST] = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, _COMPILER_ONLY):
            return True
        if isinstance(node, _WITH_VALUE) and node.value is not None and not isinstance(node.value, _LEAVES):
            if any(isinstance(n, _EXPRESSIONS_ONLY) for n in ast.walk(node.value)):
                return True
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for block in blocks_of(type(node)):
            stack.extend(getattr(node, block, None) or ())
    return False


def _dotenv(project: Project) -> dict[str, str]:
    from ..environment import read_dotenv_text

    return read_dotenv_text(project.text(".env") or "")


def _default_env(project: Project) -> dict[str, str]:
    """The `env` default of 1.6.1–1.10.1 resource configs: python-dotenv's search from the installed
    `runpod_flash/core/resources` upwards, so a project's own `.venv` finds the project's `.env`
    (docs/flash1.md, "The AST era"). No build interpreter found: none."""
    from ..environment import read_dotenv_text

    found = default_env_file(project.environment.source)
    if found is None:
        return {}
    try:
        relpath = found.relative_to(project.root.resolve()).as_posix()
    except ValueError:
        relpath = None
    if relpath is not None:
        return read_dotenv_text(project.text(relpath) or "")
    if not project.environment.reads_outside:  # outside the project, in an untrusted workspace
        return {}
    try:
        return read_dotenv_text(found.read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return {}


def _closure_error(project: Project, files: list[str]) -> str | None:
    """The 1.19 local-module closure check (the file-collection module provides it)."""
    if not project.profile.has("closure_check"):
        return None
    try:
        from .files import closure_error
    except ImportError:
        return None
    return closure_error(project, files)


def _handlers(project: Project, manifest: dict, files: list[str], outcome) -> HandlerResult:
    from .handlers import generate

    result = generate(manifest, project.profile, project.root / ".flash" / ".build", frozenset(files))
    if result.error:
        outcome.succeeds = False
        outcome.errors.append(result.error)
    elif result.warning:
        outcome.warnings.append(result.warning)
    return result


def _discovered(fn: Function) -> DiscoveredFunction:
    """A scanner result in the shape the editor features and reports read."""
    kind = "class" if fn.is_class else "async" if fn.is_async else "function"
    variable = fn.config_variable or ""
    decl = RemoteDecl(
        name=fn.name,
        kind=kind,
        span=fn.span,
        decorator_span=fn.decorator_span or fn.span,
        config=ConfigRef("name" if variable else "inline", variable, fn.resource, fn.resource_type, None),
        method=Literal(fn.http_method is not None, True, fn.http_method),
        path=Literal(fn.http_path is not None, True, fn.http_path),
        parent="",
    )
    return DiscoveredFunction(
        fn.name,
        fn.module,
        fn.relpath,
        fn.resource,
        fn.resource_type,
        fn.is_async,
        fn.is_class,
        fn.http_method,
        fn.http_path,
        fn.is_load_balanced,
        fn.is_live_resource,
        fn.config_variable,
        decl,
        "module",
    )
