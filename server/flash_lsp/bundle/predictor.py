"""Orchestration: cache → uv (provisional) → pip (authoritative) → sizes → assembled estimate.

`SizePredictor.estimate()` is a coroutine; resolvers are subprocesses and HTTP/compression work runs
in a small thread pool, so the event loop is never blocked. Intermediate answers (a stale cached one,
then uv's provisional one) are passed to `on_update` with state ``updating``; the returned estimate
is the final one. Cancelling the task kills the resolver's process group.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import os
import re
import sys
import threading
import time
from collections.abc import Callable

from packaging.requirements import InvalidRequirement, Requirement

from . import project as project_mod
from . import resolve as resolve_mod
from . import resolve_uv
from .assemble import assemble, packages_for, problem_entry, resolution_entry
from .cache import Cache, env_fingerprint, resolution_key
from .http import HttpClient, NetworkError
from .model import Problem, SizeEstimate, SizeRequest
from .offline import offline_packages
from .plan import ResolvePlan, plan_requirements
from .problems import analyze_no_wheel, problems_from_error
from .resolve import Resolution, ResolutionError
from .wheel_sizes import DEFAULT_INDEX, WheelSizes, requires_dist
from .wheelstats import EXACT_LIMIT

TTL_SECONDS = 24 * 3600
PINNED_TTL_SECONDS = 30 * 24 * 3600

Update = Callable[[SizeEstimate], None]
Progress = Callable[[project_mod.Sizing | None], None]
_PIP_TOO_OLD = re.compile(r"no such option: --(dry-run|report)")


class _Offline(Exception):
    """The index could not be reached: answer from the cache or the local environment."""


def _is_pinned(requirements) -> bool:
    for r in requirements:
        try:
            spec = list(Requirement(r).specifier)
        except (InvalidRequirement, TypeError):
            return False
        if len(spec) != 1 or spec[0].operator not in ("==", "===") or "*" in spec[0].version:
            return False
    return True


class SizePredictor:
    """Predicts the `flash build` archive size. One instance per server/CLI; safe to share.

    python: interpreter whose pip resolves (the project's flash venv; default this interpreter).
    env: environment for pip/uv (default os.environ: the user's pip configuration applies, as it does
        to `flash build`). use_uv: try uv first for a fast provisional answer.
    index_url: the Simple index for size look-ups in problem analysis (and --index-url for pip/uv
        when `pass_index_url`). offline: never touch the network.
    trusted: honour the requirements' index options and `-r`/`-c` files inside the project
        (`plan.plan_requirements`); direct references are never resolved either way.
    """

    def __init__(
        self,
        *,
        cache_dir: str | os.PathLike | None = None,
        python: str | None = None,
        env: dict[str, str] | None = None,
        use_uv: bool = True,
        uv_path: str | None = None,
        index_url: str | None = None,
        pass_index_url: bool = False,
        offline: bool = False,
        ttl: float = TTL_SECONDS,
        exact_limit: int = EXACT_LIMIT,
        sample: bool = True,
        max_workers: int = 4,
        limit_is_error: bool = False,
        http: HttpClient | None = None,
        pip_timeout: float = resolve_mod.PIP_TIMEOUT,
        local_paths: list[str] | None = None,
        trusted: bool = False,
    ):
        self.cache = Cache(cache_dir)
        self.python = python or sys.executable
        self.env = dict(os.environ if env is None else env)
        self.uv = (uv_path or resolve_uv.find_uv()) if use_uv else None
        self.index_url = (index_url or DEFAULT_INDEX).rstrip("/")
        self.pass_index_url = pass_index_url and index_url is not None
        self.offline = offline
        self.ttl = ttl
        self.exact_limit = exact_limit
        self.sample = sample
        self.limit_is_error = limit_is_error
        self.http = http or HttpClient()
        self.pip_timeout = pip_timeout
        self.local_paths = local_paths
        self.trusted = trusted
        self._plans: dict[SizeRequest, ResolvePlan] = {}
        self._inflight: dict[str, list] = {}
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="flash-lsp-size")
        self._profile = (
            f"pip@{os.path.realpath(self.python)}:{resolve_mod.pip_version_fast(self.python) or '?'}"
            f"|env={env_fingerprint(self.env)}|index={self.index_url if self.pass_index_url else '-'}"
        )
        self.wheels = WheelSizes(self.cache, self.http, self.index_url, self._profile, exact_limit, sample)

    # ------------------------------------------------------------------ public API

    def plan_for(self, req: SizeRequest) -> ResolvePlan:
        """What the resolvers may see of `req` (memoised: `-r` files are read once per request)."""
        try:
            plan = self._plans.get(req)
        except TypeError:  # an unhashable constant among the requirements: not memoised
            return plan_requirements(req.requirements, req.project_root, trusted=self.trusted)
        if plan is None:
            if len(self._plans) > 64:
                self._plans.clear()
            plan = self._plans[req] = plan_requirements(req.requirements, req.project_root, trusted=self.trusted)
        return plan

    def key_for(self, req: SizeRequest) -> str:
        plan = self.plan_for(req)
        return resolution_key(
            plan.requirements,
            req.python_version,
            req.platforms,
            req.no_deps,
            self._profile,
            indexes=plan.index_set(),
            constraints=plan.constraints,
            invalid=plan.invalid,
        )

    def cached(self, req: SizeRequest) -> SizeEstimate | None:
        """The cached answer for `req` (memory, then disk), or None. Never touches the network."""
        t0 = time.perf_counter()
        key = self.key_for(req)
        entry = self.cache.get_resolution(key)
        if entry is None:
            return None
        est = self._assemble(entry, req, key, confidence="cached", state="ready")
        est.timings["cache"] = time.perf_counter() - t0
        return est

    async def estimate(
        self,
        req: SizeRequest,
        *,
        on_update: Update | None = None,
        mode: str = "auto",
        on_progress: Progress | None = None,
    ) -> SizeEstimate:
        """Predict the archive size for `req` (`on_progress`: see `project.project_share`).

        mode: ``auto`` (cache, uv provisional, pip authoritative), ``fast`` (stop after uv when its
        answer did not diverge), ``authoritative`` (skip uv), ``cached`` (cache or offline estimate).
        """
        t0 = time.perf_counter()
        key = self.key_for(req)
        if req.project_files and req.project_root:
            # Reading and compressing project files can take a while (a shipped .venv: a minute):
            # not on the event loop, and `on_progress` hears how far it got, then None.
            loop = asyncio.get_running_loop()
            heard = None if on_progress is None else lambda p: loop.call_soon_threadsafe(on_progress, p)
            try:
                await self._run(project_mod.project_share, req.project_files, req.project_root, heard)
            finally:
                if on_progress is not None:
                    on_progress(None)

        def emit(est: SizeEstimate) -> None:
            if on_update is not None:
                try:
                    on_update(est)
                except Exception:
                    pass

        entry = self.cache.get_resolution(key)
        fresh_provisional = False
        if entry is not None:
            age = time.time() - entry.get("computed_at", 0)
            ttl = PINNED_TTL_SECONDS if _is_pinned(self.plan_for(req).requirements) else self.ttl
            fresh_provisional = entry.get("confidence") == "provisional" and age < ttl
            final = entry.get("confidence") == "authoritative" or (mode == "fast" and not entry.get("diverged"))
            if (final and age < ttl) or mode == "cached" or self.offline:
                est = self._assemble(entry, req, key, confidence="cached", state="ready")
                est.timings["total"] = time.perf_counter() - t0
                return est
            emit(self._assemble(entry, req, key, confidence="cached", state="updating"))
        if mode == "cached" or self.offline:
            return await self._offline_answer(req, key, None, "offline mode", t0)

        plan = self.plan_for(req)
        reqs = plan.requirements
        if plan.invalid:
            new = problem_entry(
                [
                    Problem(
                        "invalid-requirement",
                        f"requirement {b} is not one pip can read: the build passes it to pip, which fails",
                        None,
                        [b],
                    )
                    for b in plan.invalid
                ],
                "input",
            )
            self._store(key, new, req)
            return self._assemble(new, req, key, confidence="authoritative", state="error", t0=t0)
        if not reqs:
            new = resolution_entry(Resolution([], "none"), [], {}, [], "authoritative")
            self._store(key, new, req)
            return self._assemble(new, req, key, confidence="authoritative", state="ready", t0=t0)

        timings: dict[str, float] = {}
        if mode in ("auto", "fast") and self.uv and not fresh_provisional:
            t1 = time.perf_counter()
            try:
                res = await resolve_uv.resolve_with_uv(
                    plan,
                    req.python_version,
                    no_deps=req.no_deps,
                    uv=self.uv,
                    python=self.python,
                    env=self.env,
                    platforms=req.platforms,
                    index_url=self.index_url if self.pass_index_url else None,
                )
                timings["uv"] = time.perf_counter() - t1
                t2 = time.perf_counter()
                prov = await self._entry_from_resolution(res, req, "provisional")
                timings["uv_sizes"] = time.perf_counter() - t2
                if entry is None or entry.get("confidence") != "authoritative":
                    self._store(key, prov, req)
                done = mode == "fast" and not res.diverged
                est = self._assemble(
                    prov, req, key, confidence="provisional", state="ready" if done else "updating", t0=t0
                )
                est.timings.update(timings)
                if done:
                    return est
                emit(est)
            except (ResolutionError, NetworkError, OSError):
                # Whatever uv's problem (including the network: pip may have a proxy or an index
                # configured that uv lacks), pip gives the authoritative verdict and message.
                timings["uv"] = time.perf_counter() - t1

        try:
            new, t_pip = await self._shared(key, lambda: self._authoritative_entry(req))
        except _Offline as exc:
            return await self._offline_answer(req, key, entry, str(exc), t0)
        timings.update(t_pip)
        self._store(key, new, req)
        est = self._assemble(
            new, req, key, confidence="authoritative", state="error" if new.get("failed") else "ready", t0=t0
        )
        est.timings.update(timings)
        return est

    async def _authoritative_entry(self, req: SizeRequest) -> tuple[dict, dict[str, float]]:
        """pip's resolution and the sizes of its wheels, or the problems that make pip fail."""
        timings: dict[str, float] = {}
        plan = self.plan_for(req)
        t1 = time.perf_counter()
        notes: list[str] = []
        python = self.python
        for attempt in range(2):
            try:
                res = await resolve_mod.resolve_with_pip(
                    plan,
                    req.python_version,
                    no_deps=req.no_deps,
                    python=python,
                    env=self._pip_env(),
                    platforms=req.platforms,
                    timeout=self.pip_timeout,
                )
                break
            except ResolutionError as exc:
                timings["pip"] = time.perf_counter() - t1
                if exc.kind == "network":
                    raise _Offline("the package index could not be reached") from exc
                if (
                    attempt == 0
                    and _PIP_TOO_OLD.search(exc.output)
                    and os.path.realpath(python) != os.path.realpath(sys.executable)
                ):
                    notes.append(
                        f"the pip of {self.python} has no --dry-run/--report (pip < 22.2): resolved with "
                        f"{sys.executable}'s pip instead"
                    )
                    python = sys.executable
                    continue
                problems = await self._run(
                    problems_from_error,
                    exc,
                    lambda pkg, r: self._explain_no_wheel(pkg, r, req.python_version, req.platforms),
                )
                return problem_entry(problems, exc.resolver, output=exc.output), timings
        timings["pip"] = time.perf_counter() - t1
        t2 = time.perf_counter()
        try:
            new = await self._entry_from_resolution(res, req, "authoritative")
        except NetworkError as exc:
            raise _Offline(str(exc)) from exc
        new["notes"] = notes + new["notes"]
        timings["pip_sizes"] = time.perf_counter() - t2
        return new, timings

    async def _shared(self, key: str, factory):
        """Run `factory()` once per key at a time; concurrent callers share it. The work is cancelled
        when its last waiter is cancelled (which kills the resolver subprocess)."""
        loop = asyncio.get_running_loop()
        ent = self._inflight.get(key)
        if ent is None or ent[0].done() or ent[0].get_loop() is not loop:
            task = asyncio.ensure_future(factory())
            ent = [task, 0]
            self._inflight[key] = ent

            def _drop(_t, key=key, ent=ent):
                if self._inflight.get(key) is ent:
                    del self._inflight[key]

            task.add_done_callback(_drop)
        ent[1] += 1
        try:
            return await asyncio.shield(ent[0])
        except asyncio.CancelledError:
            if ent[1] == 1 and not ent[0].done():
                ent[0].cancel()
                with contextlib.suppress(BaseException):
                    await ent[0]
            raise
        finally:
            ent[1] -= 1

    def estimate_sync(self, req: SizeRequest, **kw) -> SizeEstimate:
        """Blocking wrapper for the CLI (runs its own event loop; from a thread if one is running)."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return asyncio.run(self.estimate(req, **kw))
        box: dict = {}

        def run() -> None:
            try:
                box["v"] = asyncio.run(self.estimate(req, **kw))
            except BaseException as exc:  # pragma: no cover - re-raised below
                box["e"] = exc

        t = threading.Thread(target=run)
        t.start()
        t.join()
        if "e" in box:
            raise box["e"]
        return box["v"]

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self.http.close()

    # ------------------------------------------------------------------ helpers

    def _pip_env(self) -> dict[str, str]:
        env = dict(self.env)
        if self.pass_index_url:
            env["PIP_INDEX_URL"] = self.index_url
        return env

    async def _run(self, fn, *args):
        return await asyncio.get_running_loop().run_in_executor(self._pool, fn, *args)

    async def _entry_from_resolution(self, res: Resolution, req: SizeRequest, confidence: str) -> dict:
        indexes = self.plan_for(req).index_set()
        stats = await asyncio.gather(*(self._run(self.wheels.stats, d, req.python_version, indexes) for d in res.dists))
        requires: dict[str, list[str]] = {}
        for d, st in zip(res.dists, stats, strict=False):
            requires[d.key] = requires_dist(d, st)
        notes = []
        if res.diverged:
            notes.append(
                "uv chose " + ", ".join(res.diverged) + ", which the build's pip cannot install (no wheel with the"
                " exact manylinux platforms it asks for); the authoritative answer comes from pip"
            )
        return resolution_entry(res, stats, requires, notes, confidence)

    def _store(self, key: str, entry: dict, req: SizeRequest) -> None:
        packages_for(entry, req)
        self.cache.put_resolution(key, entry)

    def _assemble(self, entry: dict, req: SizeRequest, key: str, **kw) -> SizeEstimate:
        return assemble(entry, req, key, self.plan_for(req), limit_is_error=self.limit_is_error, **kw)

    async def _offline_answer(
        self, req: SizeRequest, key: str, entry: dict | None, reason: str, t0: float
    ) -> SizeEstimate:
        if entry is not None:
            est = self._assemble(entry, req, key, confidence="cached", state="ready", t0=t0)
            est.notes.insert(0, f"offline ({reason}): showing the last known answer")
            return est
        pkgs, _missing, notes = await self._run(
            lambda: offline_packages(
                list(self.plan_for(req).requirements), req.python_version, no_deps=req.no_deps, paths=self.local_paths
            )
        )
        fake = {
            "confidence": "offline-estimate",
            "resolver": "local distributions",
            "computed_at": time.time(),
            "notes": [f"offline ({reason})"] + notes,
            "problems": [],
            "failed": False,
            "requires": {},
        }
        return self._assemble(fake, req, key, confidence="offline-estimate", state="ready", t0=t0, packages=pkgs)

    # ------------------------------------------------------------------ problems

    def _explain_no_wheel(self, name: str, requirement: str, python_version: str, platforms) -> Problem:
        return analyze_no_wheel(self.wheels.simple_project(name), name, requirement, python_version, platforms)


_default: SizePredictor | None = None


def default_predictor() -> SizePredictor:
    global _default
    if _default is None:
        _default = SizePredictor()
    return _default


def estimate_size(req: SizeRequest, **kw) -> SizeEstimate:
    """Sync convenience: `SizePredictor(**predictor kwargs)` then estimate (mode= passes through)."""
    mode = kw.pop("mode", "auto")
    p = SizePredictor(**kw) if kw else default_predictor()
    return p.estimate_sync(req, mode=mode)
