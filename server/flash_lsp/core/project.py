"""`Project`: the incremental model of one Flash project, and the predicted build.

Per-file summaries are cached by content; an edit re-summarises one file and redoes only the cheap
project-wide steps (resolution, grouping, manifest, handlers). Unsaved editor buffers are passed as
overrides and win over the disk. Nothing here imports or executes the user's code.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from . import deps as deps_mod
from .ast_queries import odd_line_break, parser_lines
from .body_edit import apply_body_edit
from .build_process import BuildProcess
from .collector import relaxed_gc
from .deployment import Deployment
from .discovery import DiscoveredFunction, Discovery, scanned_paths
from .disk import read_bytes, utf8_text
from .environment import BASELINE, Environment
from .files import IGNORE_FILES, FileTree, collect_files
from .grammar import RUNNING, version_of
from .handlers import HandlerResult
from .manifest import (
    ManifestResult,
    dump_manifest,
)
from .model import Diagnostic
from .module_exec import ExecResult, execution_key, simulate
from .profiles import DEFAULT_PROFILE, Profile
from .statement_edit import splice_statement
from .summary import FileSummary, failed, summarize

ALL_FILES = "\0all"  # in a `watch_changes` set: any file may have changed


class BuildAborted(Exception):
    """A module the builder executes exits the interpreter: `flash build` dies on the spot."""


@dataclass(frozen=True)
class UncertainStep:
    """Import-time code whose failure depends on the build machine (a network request, say): if it
    fails, the build stops with `Failed to load:` listing `fails`, each with the error it raised
    (docs/flash1.md, "Uncertain outcomes")."""

    file: str
    line: int  # 0-based, like every span
    effect: str
    fails: tuple[str, ...] = ()  # the files that fail to load with it, in the build's order

    @property
    def message(self) -> str:
        return (
            f"the build may stop with Failed to load: {', '.join(self.fails or (self.file,))} "
            f"if {self.effect} at {self.file}:{self.line + 1} fails"
        )

    def to_json(self) -> dict:
        return {
            "file": self.file,
            "line": self.line + 1,
            "effect": self.effect,
            "fails": list(self.fails or (self.file,)),
            "message": self.message,
        }


@dataclass
class BuildOutcome:
    """How the predicted `flash build` ends, in the build's own words. `succeeds` is the outcome
    when every step in `uncertain` works."""

    succeeds: bool = True
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    uncertain: list[UncertainStep] = field(default_factory=list)


@dataclass
class ProjectModel:
    """Everything Flash LSP shows about one project, for one set of file contents."""

    root: Path
    profile: Profile
    project_name: str
    files: FileTree
    summaries: dict[str, FileSummary]
    discovery: Discovery
    manifest: dict | None
    manifest_result: ManifestResult | None
    deployments: dict[Any, Deployment]
    handlers: HandlerResult
    requirements: deps_mod.Requirements
    outcome: BuildOutcome
    environment: Environment
    generated_at: str
    has_main: bool
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def functions(self) -> list[DiscoveredFunction]:
        return self.discovery.functions

    @property
    def build_dir(self) -> Path:
        cached = self.__dict__.get("_build_dir")
        if cached is None:
            cached = self.__dict__["_build_dir"] = self.root / ".flash" / ".build"
        return cached

    def manifest_text(self) -> str | None:
        if "runpod2" in self.__dict__:  # one manifest per App (core/runpod2/analysis.py)
            return self.__dict__["runpod2"].manifest_text()
        return dump_manifest(self.manifest) if self.manifest is not None else None


def checked_model(project: Project, rule_overrides: dict | None, family: dict | None = None, **fields) -> ProjectModel:
    """The `ProjectModel` of `project` (root, profile, name and environment taken from it) with
    `fields`, the `family` analysis state its family's rules read, and its diagnostics (none
    when the project's caller reads none: `Project(with_diagnostics=False)`)."""
    model = ProjectModel(
        root=project.root,
        profile=project.profile,
        project_name=project.root.name,
        environment=project.environment,
        **fields,
    )
    model.__dict__.update(family or {})
    if project.with_diagnostics:
        from .rules import run_rules

        model.diagnostics = run_rules(model, project, rule_overrides)
    return model


class Project:
    """One project root, its caches and the editor's unsaved buffers."""

    def __init__(
        self,
        root: str | Path,
        profile: Profile = DEFAULT_PROFILE,
        environment: Environment | None = None,
        env_vars: Mapping[str, str] | None = None,
        exclusions: list[str] | None = None,
        keep_last_good: bool = False,
        summary_cache: MutableMapping[str, FileSummary] | None = None,
        trust_disk_cache: bool = False,
        only: list[str] | None = None,
        with_diagnostics: bool = True,
    ):
        """`keep_last_good`: while a file does not parse, analyse its last parsable version (the
        editor's view; the CLI predicts the build, which skips the file). `summary_cache`: a
        persistent map of summaries keyed by path and content hash. `trust_disk_cache`: reuse
        file contents read earlier without a `stat` until `invalidate` (the server learns about
        disk changes from file-watch events). `only`: analyse just these files of `root` (a
        file opened outside every project), without walking the directory. `with_diagnostics`
        False: the caller reads no diagnostics (a command that prints a build output), so the
        rules do not run and `ProjectModel.diagnostics` stays empty."""
        self.with_diagnostics = with_diagnostics
        self.trust_disk_cache = trust_disk_cache
        self.only = only
        self.root = Path(root).resolve()
        self._prefix = os.path.join(self.root, "")  # + a relative path: a file's path without a path object
        self.keep_last_good = keep_last_good
        self.summary_cache = summary_cache
        self._last_good: dict[str, FileSummary] = {}
        self.profile = profile
        self.environment = environment or BASELINE
        self.env_vars = dict(env_vars or {})
        self.exclusions = list(exclusions or [])
        self.overrides: dict[str, str] = {}
        self._tree: FileTree | None = None
        self._disk: dict[str, tuple[tuple[int, int], str | None]] = {}
        self._read_ahead: dict[str, tuple[tuple[int, int], bytes | None]] = {}
        self._verbatim: set[str] = set()  # files whose text in `_disk` is their bytes decoded as they are
        self._summaries: dict[str, FileSummary] = {}
        self._exec: dict[str, tuple[FileSummary, int, int, ExecResult]] = {}  # (summary, key, env key, result)
        self._env_cache: tuple[str | None, dict[str, str], int] | None = None
        self._scanned_for: FileTree | None = None
        self._last_discovery = None
        self._current: set[str] = set()  # summaries known to match the text (with trust_disk_cache)
        self._changed: set[str] = set()  # files edited or invalidated since the last analysis
        self._previous: tuple[list[str], dict[str, FileSummary]] | None = None
        self._deployments: dict[tuple, Deployment] = {}  # memo by (summary, file, variable, env)
        self._deployments_used: dict[tuple, Deployment] = {}
        self.handler_memo: dict[tuple, str] = {}
        self._manifest_memo: dict[tuple, tuple] = {}
        self.rule_memo: dict[tuple, tuple] = {}  # per-file diagnostics by (rule, path), see rules.per_file
        self._scanned_list: list[str] = []
        self._watchers: list[set[str]] = []

    def watch_changes(self) -> set[str]:
        """A set the project adds every edited or invalidated path to (`ALL_FILES` when it forgets
        the whole disk); its owner empties it once it has looked."""
        changes: set[str] = set()
        self._watchers.append(changes)
        return changes

    def _record_change(self, relpath: str) -> None:
        for changes in self._watchers:
            changes.add(relpath)

    # -- inputs ------------------------------------------------------------------------------
    def set_override(self, relpath: str, text: str | None) -> None:
        """Use `text` instead of the disk for `relpath` (None: back to the disk)."""
        known = relpath in self.overrides or (self._tree is not None and relpath in self._tree)
        self._current.discard(relpath)
        self._changed.add(relpath)
        self._record_change(relpath)
        if text is None:
            self.overrides.pop(relpath, None)
        else:
            self.overrides[relpath] = text
        if not known or relpath in IGNORE_FILES:
            self._tree = None

    def invalidate(self, relpaths: list[str] | None = None, structure: bool = True) -> None:
        """Forget disk state: all of it, or some files (`structure`: files were added/removed)."""
        if relpaths is None:
            self._disk.clear()
            self._current.clear()
            self._previous = None
            self._last_discovery = None
            self._record_change(ALL_FILES)
        else:
            for relpath in relpaths:
                self._disk.pop(relpath, None)
                self._current.discard(relpath)
                self._changed.add(relpath)
                self._record_change(relpath)
        if structure or relpaths is None or any(p in IGNORE_FILES for p in relpaths):
            self._tree = None

    def read_ahead(self, reads: Mapping[str, tuple[tuple[int, int], bytes | None]]) -> None:
        """Files under the root read just before, by absolute path, as `disk.read_bytes` gave
        them: with `trust_disk_cache`, `text` takes them instead of reading those files again."""
        if not self.trust_disk_cache:
            return
        for path, read in reads.items():
            if path.startswith(self._prefix):
                self._read_ahead[path[len(self._prefix) :].replace(os.sep, "/")] = read

    def text(self, relpath: str) -> str | None:
        """Current text of a project file (`relpath`: relative to the root, with `/`) as the build
        reads it (None: missing or not UTF-8)."""
        if relpath in self.overrides:
            return self.overrides[relpath]
        cached = self._disk.get(relpath)
        if cached and self.trust_disk_cache:
            return cached[1]
        try:
            key, data = self._read_ahead.pop(relpath, None) or read_bytes(
                self._prefix + relpath, cached[0] if cached else None
            )
        except (OSError, ValueError):
            return self._unopenable(relpath)
        if cached and cached[0] == key:
            return cached[1]
        text = utf8_text(data)
        self._disk[relpath] = (key, text)
        if text is not None and b"\r" not in data:
            self._verbatim.add(relpath)
        else:
            self._verbatim.discard(relpath)
        return text

    def verbatim(self, relpath: str, text: str) -> bool:
        """Whether `text` is the file's text as last read from disk, decoded without newline
        translation (so `text.encode("utf-8")` gives its bytes without reading them again)."""
        cached = self._disk.get(relpath)
        return cached is not None and cached[1] is text and relpath in self._verbatim

    def _unopenable(self, relpath: str) -> None:
        """A file that cannot be opened: missing, or there but unreadable (both read as None)."""
        try:
            st = os.stat(os.path.join(self.root, relpath))
        except (OSError, ValueError):
            if self.trust_disk_cache:
                self._disk[relpath] = ((0, -1), None)
            return None
        self._disk[relpath] = ((st.st_mtime_ns, st.st_size), None)
        return None

    def exists(self, relpath: str) -> bool:
        if relpath in self.overrides:
            return True
        cached = self._disk.get(relpath)
        if cached is not None and self.trust_disk_cache:
            return cached[0] != (0, -1)
        return (self.root / relpath).exists()

    # -- analysis ----------------------------------------------------------------------------
    def files(self) -> FileTree:
        if self._tree is None and self.only is None and self.profile.family == "runpod2":
            from .runpod2.files import collect as collect_runpod2

            self._tree = collect_runpod2(self.root, self.overrides)
        elif self._tree is None and self.only is None and self.profile.family == "flash1":
            from .flash1.files import collect

            self._tree = collect(self.root, self.profile, self.overrides)
        elif self._tree is None:
            self._tree = collect_files(self.root, self.profile, self.overrides, self.only)
        return self._tree

    @property
    def _own_grammar(self) -> bool:
        """Whether a tree our Python parses is the build's tree of that text (else every edit needs a
        full summary): the build's Python is ours or newer, whose verdict on a text ours parses
        `grammar.parse_as_build` takes to be ours."""
        version = version_of(self.environment.python_version)
        return version is None or version >= RUNNING

    def _scanned(self, tree: FileTree) -> list[str]:
        if self._scanned_for is not tree:
            self._scanned_for, self._scanned_list = tree, scanned_paths(tree.scan_order, self.profile)
        return self._scanned_list

    def summary(self, relpath: str, parsed_as: tuple[ast.Module, list[str]] | None = None) -> FileSummary:
        """The file's summary; `parsed_as`: the tree and lines of its current text, parsed already
        by another analysis (used, not kept: that analysis changes its tree in place)."""
        if self.trust_disk_cache and relpath in self._current:
            return self._summaries[relpath]
        text = self.text(relpath)
        cached = self._summaries.get(relpath)
        if cached is not None and cached.text_hash == hash(text) and (text is not None or cached.decode_error):
            self._current.add(relpath)
            return cached
        spliced = None
        if not self._own_grammar:
            parsed_as = None
        elif parsed_as is None and cached is not None and text is not None:
            if apply_body_edit(cached, text, self.profile.resource_classes):
                self._current.add(relpath)  # nothing the build reads changed: every memo still applies
                return cached
            if cached.tree is not None and cached.parsed and cached.parser_lines:
                spliced = splice_statement(cached.tree, cached.lines, text)
        key = self._cache_key(relpath, text)
        summary = self.summary_cache.get(key) if key and spliced is None else None
        if summary is None:
            try:
                summary = summarize(
                    relpath, text, self.profile.resource_classes, self.environment.python_version, spliced or parsed_as
                )
            except Exception as exc:  # noqa: BLE001 - one file's failure must not stop the others
                summary = failed(relpath, text, exc)
            if parsed_as is not None:
                summary.tree, summary.lines = None, []
            if key:
                self.summary_cache[key] = replace(summary, tree=None, lines=[])
        summary.text_hash = hash(text)
        self._summaries[relpath] = summary
        self._current.add(relpath)
        return summary

    def _cache_key(self, relpath: str, text: str | None) -> str | None:
        if self.summary_cache is None or text is None:
            return None
        import hashlib  # the persistent cache is the server's: a one-shot command starts without it

        digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
        return f"{self.profile.name}\0{self.environment.python_version}\0{relpath}\0{digest}"

    def _editor_summaries(self, scanned: list[str]) -> dict[str, FileSummary]:
        """Summaries of the scanned files; with `trust_disk_cache`, the previous analysis' map
        updated for the files that changed since (the keystroke path)."""
        previous = self._previous
        if self.trust_disk_cache and previous is not None and previous[0] is scanned:
            summaries = dict(previous[1])
            for relpath in self._changed:
                if relpath in summaries:
                    summaries[relpath] = self.editor_summary(relpath)
        else:
            summaries = {p: self.editor_summary(p) for p in scanned}
        self._changed.clear()
        self._previous = (scanned, summaries)
        return summaries

    def editor_summary(self, relpath: str, parsed_as: tuple[ast.Module, list[str]] | None = None) -> FileSummary:
        """The summary the analysis uses: the last good one while the file does not parse
        (with `keep_last_good`), so other files do not flash errors mid-edit."""
        summary = self.summary(relpath, parsed_as)
        if not self.keep_last_good:
            return summary
        if summary.parsed:
            self._last_good[relpath] = summary
            return summary
        last = self._last_good.get(relpath)
        return replace(last, stale_syntax_error=summary.syntax_error) if last and summary.syntax_error else summary

    def executed(
        self, relpath: str, env: Mapping[str, str] | None = None, env_key: int = 0, process: BuildProcess | None = None
    ) -> tuple[int, ExecResult]:
        """(key, result) of simulating the builder's import of `relpath` with the build's
        environment variables `env` (keyed by `env_key`) in the build `process`. The result is
        reused while module-level code and the environment stay the same (edits inside function
        bodies), unless the process was changed by an earlier module or by this one."""
        summary = self.summary(relpath)
        cached = self._exec.get(relpath)
        alone = process is None or process.pristine()
        if cached and cached[0] is summary and cached[2] == env_key and alone:  # identity is safe: kept in the entry
            return cached[1], cached[3]
        tree, lines, numbered = summary.tree, summary.lines, summary.parser_lines
        if tree is None:  # summaries from the persistent cache carry no AST
            text = self.text(relpath) or ""
            tree, lines, numbered = ast.parse(text), text.splitlines(), not odd_line_break(text)
        key = execution_key(tree, lines if numbered else parser_lines(self.text(relpath) or ""))
        if cached and cached[1] == key and cached[2] == env_key and alone:
            result = cached[3]
        else:
            result = simulate(tree, lines, self.environment.importable, self.profile.package, env, process, relpath)
            if not alone or (process is not None and not process.pristine()):
                return key, result  # depends on (or changed) the process: not reusable
        self._exec[relpath] = (summary, key, env_key, result)
        return key, result

    def analyze(self, generated_at: str | None = None, rule_overrides: dict | None = None) -> ProjectModel:
        """Predict the whole build for the current contents; `rule_overrides` maps diagnostic
        codes to a severity, or to None to disable the rule."""
        with relaxed_gc():
            return self._analyze(generated_at, rule_overrides)

    def _analyze(self, generated_at: str | None, rule_overrides: dict | None) -> ProjectModel:
        if self.profile.family == "flash1":
            from .flash1.analysis import analyze

            return analyze(self, generated_at, rule_overrides)
        if self.profile.family == "runpod2":
            from .runpod2.analysis import analyze as analyze_runpod2

            return analyze_runpod2(self, generated_at, rule_overrides)
        from .tetra_build import predict

        return predict(self, generated_at, rule_overrides)


def analyze_project(
    root: str | Path,
    profile: Profile = DEFAULT_PROFILE,
    overrides: dict[str, str] | None = None,
    environment: Environment | None = None,
    generated_at: str | None = None,
    env_vars: Mapping[str, str] | None = None,
) -> ProjectModel:
    """One-shot analysis (the CLI's entry point): each file is read once, without a later `stat`."""
    env = env_vars if env_vars is not None else os.environ
    project = Project(root, profile, environment, env, trust_disk_cache=True)
    for relpath, text in (overrides or {}).items():
        project.set_override(relpath, text)
    return project.analyze(generated_at)
