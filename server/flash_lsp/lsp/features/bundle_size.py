"""The predicted archive size, live: a per-project background estimator.

Driven by `session.listeners`: after every new model the project's `SizeRequest` is rebuilt
(`bundle.request.request_for`). When its *requirement set* (`SizePredictor.key_for`) changes, a new
estimate starts after `DEBOUNCE_S` (typing inside `dependencies=[...]` does not start one resolution
per keystroke) and the previous one is cancelled, which kills pip's process group. While it runs the
last answer stays visible, marked ``updating``. An unchanged set (or one already in the cache) is
answered from the cache at once: other changes (project files, exclusions, GPU/CPU) only re-assemble
the cached resolution. ``flash.size.enable = false``: nothing is resolved, nothing is shown.

What the user sees:

* `flash/bundleSize {project | uri [, wait]}` → `SizeEstimate.to_dict()` plus `project`, `state`
  (ready | updating | error | disabled) and `endpoints` (what each endpoint's own `dependencies=[...]`
  brings in, project files included); `schemas/protocol/flash-bundle-size.schema.json`.
* `flash/bundleSizeChanged {project, state, archiveBytes, limitBytes, confidence, sizing}` when that
  changes; ``sizing`` (and `$/progress`) while the project files are compressed (`size_progress`).
* ``contributors`` in `flash/bundleSize` (and ``sizeContributors`` in `flash/endpoints`): the
  directories that make up most of the archive (`bundle.contributors`).
* Size diagnostics (FL801–FL810, `flash_lsp.bundle.diagnostics`), placed on the `requirements.txt`
  line or the `dependencies=[...]` string they are about.
* A quick fix on FL805 whose command, ``flash.addBuildExclusion {project, packages}``, is a *client*
  command (it edits the ``flash.build.exclude`` setting).
* CodeLens / hover figures through `lens_suffix`, `endpoint_hover_line` and `dependency_hover`, and
  `endpoint_bytes` for `flash/endpoints`' ``sizeBytes``.

Test hook: ``FLASH_LSP_INDEX_URL`` (a PEP 691 Simple index) replaces the user's index for pip and the
size look-ups. With ``FLASH_LSP_CACHE_DIR=off`` the size cache lives in a temporary directory.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...bundle import SizeEstimate, SizePredictor, SizeRequest
from ...bundle.contributors import contributors, ignore_file_for
from ...bundle.diagnostics import size_diagnostics
from ...bundle.model import MIB
from ...bundle.occurrences import brings_in, endpoint_figures, endpoint_requirements, endpoint_total
from ...bundle.request import request_for
from ...bundle.resolve import pip_version_fast
from ...bundle.verdict import PipVerdict, combined_outcome, pip_verdict
from ...core.project import BuildOutcome
from ...core.query import Endpoint
from ...core.rules.catalogue import SIZE
from . import size_progress
from .projects import param, resolve_project
from .size_words import how_known

if TYPE_CHECKING:
    from ...core.project import ProjectModel
    from ..server import FlashLanguageServer
    from ..session import ProjectState

log = logging.getLogger(__name__)

DEBOUNCE_S = 0.5
MAX_PARALLEL = 2  # resolutions running at once (a workspace with many projects opens them all)
INDEX_ENV = "FLASH_LSP_INDEX_URL"
WAIT_S = 60.0


@dataclass(eq=False)
class SizeState:
    project: ProjectState
    predictor: SizePredictor | None = None
    request: SizeRequest | None = None
    key: str | None = None
    estimate: SizeEstimate | None = None
    failure: str | None = None  # an exception of the last run (logged)
    task: asyncio.Task | None = None
    task_key: str | None = None
    timer: asyncio.TimerHandle | None = None
    rerun: bool = False
    runs: int = 0  # estimates started (cache hits included)
    idle: asyncio.Event = field(default_factory=asyncio.Event)
    notified: tuple | None = None
    lens_shown: bool = False  # the client asked for lenses with size figures since the last refresh
    sizing: size_progress.SizingFeedback | None = None  # while the project files are compressed

    @property
    def busy(self) -> bool:
        return self.timer is not None or (self.task is not None and not self.task.done())


class BundleSizes:
    """The server's size service (one per server, `server.bundle_sizes`)."""

    def __init__(self, server: FlashLanguageServer):
        self.server = server
        self.session = server.session
        self.sizes: dict[Path, SizeState] = {}
        self.predictors: dict[tuple[str, bool], SizePredictor] = {}
        self._slots: asyncio.Semaphore | None = None
        self._tmp_cache: str | None = None
        self.session.listeners.append(self.on_model)

    # -- configuration ----------------------------------------------------------------------
    def _cache_dir(self) -> str | None:
        if os.environ.get("FLASH_LSP_CACHE_DIR") != "off":
            return None  # the predictor's default: $FLASH_LSP_CACHE_DIR or the user cache dir
        if self._tmp_cache is None:
            self._tmp_cache = tempfile.mkdtemp(prefix="flash-lsp-size-")
        return self._tmp_cache

    def _python(self, root: Path) -> str:
        """The interpreter whose pip resolves: untrusted, always ours (docs/security.md); trusted, as
        `flash build` would run (setting, selected interpreter, .venv); ours when that one has no pip."""
        from ...runner.interpreter import choose_interpreter

        if not self.server.trusted:
            return sys.executable
        try:
            python, source = choose_interpreter(root, setting=self.session.settings.interpreter)
        except Exception:  # noqa: BLE001 - FlashNotFound and friends: fall back to ours
            return sys.executable
        if source == "path" or not pip_version_fast(python):
            return sys.executable
        return python

    def predictor_for(self, state: ProjectState, model: ProjectModel) -> SizePredictor:
        python = self._python(state.root)
        limit_is_error = bool(model.profile.size_limit_is_error)
        trusted = bool(self.server.trusted)
        key = (python, limit_is_error, trusted)
        pred = self.predictors.get(key)
        if pred is None:
            index = os.environ.get(INDEX_ENV) or None
            env = {"UV_PYTHON_DOWNLOADS": "never", **os.environ}  # uv is given `--python`: never download one
            pred = SizePredictor(
                cache_dir=self._cache_dir(),
                python=python,
                env=env,
                index_url=index,
                pass_index_url=index is not None,
                limit_is_error=limit_is_error,
                trusted=trusted,
            )
            self.predictors[key] = pred
        return pred

    def size_state(self, state: ProjectState) -> SizeState:
        s = self.sizes.get(state.root)
        if s is None or s.project is not state:
            if s is not None:
                self._cancel(s)
            s = SizeState(state)
            self.sizes[state.root] = s
        return s

    def trust_changed(self) -> None:
        """The client granted (or withdrew) workspace trust: ask every project's question again."""
        for s in list(self.sizes.values()):
            self.on_model(s.project)

    # -- driving --------------------------------------------------------------------------
    def on_model(self, state: ProjectState) -> None:
        """Session listener: a new model of `state` was published."""
        try:
            self._on_model(state)
        except Exception:  # noqa: BLE001 - never break the session's publishing
            log.exception("bundle size: updating %s failed", state.root)

    def _on_model(self, state: ProjectState) -> None:
        s = self.size_state(state)
        model = state.model
        if model is None:
            return
        if not self.session.settings.size:
            self._disable(s)
            return
        req = replace(request_for(model), no_deps=bool(self.session.settings.no_deps))
        pred = self.predictor_for(state, model)
        if req == s.request and pred is s.predictor:
            self._place(s)  # the same question; spans may have moved
            return
        key = pred.key_for(req)
        changed = key != s.key or pred is not s.predictor
        s.request, s.key, s.predictor = req, key, pred
        if changed:
            cached = pred.cache.get_resolution(key) is not None
            self._schedule(s, 0.0 if cached else DEBOUNCE_S, cancel=True)
        else:  # same requirement set, other files changed: re-assemble once typing pauses
            self._schedule(s, DEBOUNCE_S, cancel=False)
        self._place(s)
        self._notify(s)

    def _schedule(self, s: SizeState, delay: float, *, cancel: bool) -> None:
        if s.timer is not None:
            s.timer.cancel()
            s.timer = None
        if s.task is not None and not s.task.done():
            if not cancel and s.task_key == s.key:
                s.rerun = True  # same requirement set: let pip finish, then re-assemble
                return
            s.task.cancel()  # kills the resolver's process group
            s.task = None
        s.idle.clear()
        loop = asyncio.get_running_loop()
        s.timer = loop.call_later(delay, self._start, s)

    def _start(self, s: SizeState) -> None:
        s.timer = None
        if s.request is None or s.predictor is None:
            s.idle.set()
            return
        s.rerun = False
        s.runs += 1
        s.task_key = s.key
        s.task = asyncio.get_running_loop().create_task(self._run(s, s.predictor, s.request, s.key))

    async def _run(self, s: SizeState, pred: SizePredictor, req: SizeRequest, key: str) -> None:
        me = asyncio.current_task()

        def interim(est: SizeEstimate) -> None:
            if s.key == key:
                self._accept(s, est)

        progress = size_progress.listener(self.server, s, key, me, self._notify)

        est: SizeEstimate | None = None
        failure: str | None = None
        try:
            if pred.cache.get_resolution(key) is not None:
                est = await pred.estimate(req, on_update=interim, on_progress=progress)
            else:
                if self._slots is None:
                    self._slots = asyncio.Semaphore(MAX_PARALLEL)
                async with self._slots:
                    est = await pred.estimate(req, on_update=interim, on_progress=progress)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - logged; the state says "error", no popup
            log.exception("bundle size: estimating %s failed", s.project.root)
            failure = f"{type(exc).__name__}: {exc}"
        finally:
            mine = s.task is me  # False when cancelled (the canceller dropped it)
            if mine:
                s.task = None
        if s.key == key:
            s.failure = failure
            if est is not None:
                s.estimate = est
        if mine and s.timer is None:
            if s.rerun:
                self._schedule(s, 0.0, cancel=False)  # the request changed meanwhile, same set
            else:
                s.idle.set()
        self._place(s)
        self._notify(s)

    def _accept(self, s: SizeState, est: SizeEstimate) -> None:
        s.estimate = est
        self._place(s)
        self._notify(s)

    def _cancel(self, s: SizeState) -> None:
        if s.timer is not None:
            s.timer.cancel()
            s.timer = None
        if s.task is not None and not s.task.done():
            s.task.cancel()
        s.task = None
        if s.sizing is not None:
            s.sizing.end()
            s.sizing = None
        s.idle.set()

    def _disable(self, s: SizeState) -> None:
        self._cancel(s)
        s.estimate = None
        s.request = s.key = None
        s.failure = None
        self._publish(s, [])
        self._notify(s)

    def close(self) -> None:
        """Server shutdown: stop every estimate (killing resolvers) and drop the temporary cache."""
        for s in self.sizes.values():
            self._cancel(s)
        for pred in self.predictors.values():
            try:
                pred.close()
            except Exception:  # noqa: BLE001
                pass
        if self._tmp_cache:
            shutil.rmtree(self._tmp_cache, ignore_errors=True)

    # -- reading ---------------------------------------------------------------------------
    def state_name(self, s: SizeState | None) -> str:
        if not self.session.settings.size:
            return "disabled"
        if s is None or s.busy or s.estimate is None and s.failure is None:
            return "updating"
        if s.failure is not None:
            return "error"
        return s.estimate.state

    def current(self, state: ProjectState) -> tuple[SizeEstimate | None, str]:
        s = self.sizes.get(state.root)
        if s is None or s.project is not state or not self.session.settings.size:
            return None, self.state_name(s)
        return s.estimate, self.state_name(s)

    def verdict(self, state: ProjectState) -> PipVerdict:
        """pip's verdict on the requirements from the current estimate (bundle/verdict.py)."""
        est, name = self.current(state)
        why = "size prediction is off (flash.size.enable)" if name == "disabled" else ""
        return pip_verdict(state.model, est, why or "the requirements are being resolved")

    def outcome(self, state: ProjectState) -> BuildOutcome:
        """The analysis' build outcome joined with pip's verdict: what the tree and `check` say."""
        return combined_outcome(state.model.outcome, self.verdict(state))

    def answer(self, state: ProjectState) -> dict:
        """The `flash/bundleSize` result."""
        s = self.sizes.get(state.root)
        est, name = self.current(state)
        model = state.model
        if est is None:
            limit = s.request.limit_bytes if s and s.request else (model.profile.size_limit_mb * MIB if model else None)
            out: dict[str, Any] = {
                "archive_bytes": None,
                "limit_bytes": limit,
                "confidence": None,
                "packages": [],
                "hints": [],
                "problems": [],
                "notes": [],
            }
        else:
            out = est.to_dict()
        out.update(project=state.uri, state=name, error=s.failure if s else None, runs=s.runs if s else 0)
        out["sizing"] = s.sizing.answer() if s and s.sizing else None
        out["contributors"] = self.contributors_of(state)
        out["confidence_text"] = how_known(out["confidence"], out.get("cached_from"), name == "updating")
        out["dependencies"] = self.verdict(state).to_json() if model is not None else None
        out["endpoints"] = endpoint_figures(est, model) if est is not None and model is not None else []
        return out

    def contributors_of(self, state: ProjectState) -> list[dict]:
        """The directories that make up most of the predicted archive (`bundle.contributors`)."""
        est, _name = self.current(state)
        if state.model is None:
            return []
        return contributors(est, state.root, ignore_file_for(state.model.profile.has("gitignore_only")))

    def endpoint_bytes(self, state: ProjectState, ep: Endpoint) -> int | None:
        est, _name = self.current(state)
        if est is None or state.model is None:
            return None
        return endpoint_total(est, brings_in(est, endpoint_requirements(state.model, ep)))

    # -- notifications and lenses ------------------------------------------------------------
    def _notify(self, s: SizeState) -> None:
        est, name = self.current(s.project)
        limit = est.limit_bytes if est else (s.request.limit_bytes if s.request else None)
        payload = {
            "project": s.project.uri,
            "state": name,
            "archiveBytes": est.archive_bytes if est else None,
            "limitBytes": limit,
            "confidence": est.confidence if est else None,
            "sizing": s.sizing.notification() if s.sizing else None,
        }
        sig = tuple(payload.values())
        if sig == s.notified:
            return
        was_updating = s.notified is not None and s.notified[1] == "updating"
        figures_changed = s.notified is None or s.notified[2:5] != sig[2:5] or was_updating != (name == "updating")
        s.notified = sig
        try:
            self.server.protocol.notify("flash/bundleSizeChanged", payload)
        except Exception:  # noqa: BLE001 - no client yet, or it went away
            log.debug("bundle size: notification failed", exc_info=True)
        if figures_changed and s.lens_shown:
            s.lens_shown = False
            self._refresh_lenses()

    def _refresh_lenses(self) -> None:
        """`workspace/codeLens/refresh`, when the client supports it and shows size lenses."""
        try:
            if not self.server.client_support.code_lens_refresh:
                return
            fut = self.server.workspace_code_lens_refresh(None)
            fut.add_done_callback(lambda f: f.exception())
        except Exception:  # noqa: BLE001
            log.debug("bundle size: codeLens refresh failed", exc_info=True)

    # -- diagnostics -------------------------------------------------------------------------
    def _place(self, s: SizeState) -> None:
        model = s.project.model
        if model is None or not self.session.settings.size:
            self._publish(s, [])
            return
        try:
            found = size_diagnostics(model, s.project.root, s.project.uri, s.estimate, s.request)
        except Exception:  # noqa: BLE001
            log.exception("bundle size: placing diagnostics for %s failed", s.project.root)
            return
        self._publish(s, found)

    def _publish(self, s: SizeState, found: list) -> None:
        try:
            self.session.set_external(s.project, SIZE, found)
        except Exception:  # noqa: BLE001
            log.exception("bundle size: publishing diagnostics failed")


def register(server: FlashLanguageServer) -> None:
    sizes = BundleSizes(server)
    server.bundle_sizes = sizes
    session = server.session

    server.shutdown_hooks.append(sizes.close)  # kill running resolvers with the server

    @server.feature("flash/bundleSize")
    async def bundle_size(ls: FlashLanguageServer, params: Any) -> dict | None:
        state = await resolve_project(ls, params)
        if state is None:
            return None
        wait = param(params, "wait")
        s = sizes.sizes.get(state.root)
        if wait and s is not None and session.settings.size:
            try:
                await asyncio.wait_for(s.idle.wait(), WAIT_S if wait is True else float(wait))
            except (asyncio.TimeoutError, TypeError, ValueError):
                pass
        return sizes.answer(state)
