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
import email.parser
import json
import os
import platform
import re
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import asdict

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import InvalidWheelFilename, parse_wheel_filename
from packaging.version import InvalidVersion, Version

from . import hints as hints_mod
from . import project as project_mod
from . import resolve as resolve_mod
from .cache import Cache, env_fingerprint, resolution_key
from .graph import parse_requirement, required_by
from .http import HttpClient, HttpError, NetworkError
from .model import PackageSize, Problem, SizeEstimate, SizeRequest, TopLevel
from .offline import offline_packages
from .resolve import Resolution, ResolutionError, ResolvedDist
from .tags import canonical, pick_wheel, pip_tags, wheel_tag_summary
from .wheelcd import RangeNotSupported, WheelFormatError, WheelStats
from .wheelstats import EXACT_LIMIT, fetch_wheel_stats, ratio_stats

DEFAULT_INDEX = "https://pypi.org/simple"
TTL_SECONDS = 24 * 3600
PINNED_TTL_SECONDS = 30 * 24 * 3600
REQUESTED_BYTES = 80  # REQUESTED file + its RECORD row, for requirements named directly
SIMPLE_ACCEPT = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.latest+json;q=0.9"

Update = Callable[[SizeEstimate], None]
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


def _requires_from_metadata(text: str | None) -> list[str] | None:
    if not text:
        return None
    msg = email.parser.Parser().parsestr(text, headersonly=True)
    return msg.get_all("Requires-Dist") or []


class SizePredictor:
    """Predicts the `flash build` archive size. One instance per server/CLI; safe to share.

    python: interpreter whose pip resolves (the project's flash venv; default this interpreter).
    env: environment for pip/uv (default os.environ: the user's pip configuration applies, as it does
        to `flash build`). use_uv: try uv first for a fast provisional answer.
    index_url: the Simple index for size look-ups in problem analysis (and --index-url for pip/uv
        when `pass_index_url`). offline: never touch the network.
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
    ):
        self.cache = Cache(cache_dir)
        self.python = python or sys.executable
        self.env = dict(os.environ if env is None else env)
        self.uv = (uv_path or resolve_mod.find_uv()) if use_uv else None
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
        self._inflight: dict[str, list] = {}
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="flash-lsp-size")
        self._profile = (
            f"pip@{os.path.realpath(self.python)}:{resolve_mod.pip_version_fast(self.python) or '?'}"
            f"|env={env_fingerprint(self.env)}|index={self.index_url if self.pass_index_url else '-'}"
        )

    # ------------------------------------------------------------------ public API

    def key_for(self, req: SizeRequest) -> str:
        return resolution_key(req.requirements, req.python_version, req.platforms, req.no_deps, self._profile)

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

    async def estimate(self, req: SizeRequest, *, on_update: Update | None = None, mode: str = "auto") -> SizeEstimate:
        """Predict the archive size for `req`.

        mode: ``auto`` (cache, uv provisional, pip authoritative), ``fast`` (stop after uv when its
        answer did not diverge), ``authoritative`` (skip uv), ``cached`` (cache or offline estimate).
        """
        t0 = time.perf_counter()
        key = self.key_for(req)
        if req.project_files and req.project_root:
            # Reading and compressing project files can take a while: not on the event loop.
            await self._run(project_mod.project_bytes, req.project_files, req.project_root)

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
            ttl = PINNED_TTL_SECONDS if _is_pinned(req.requirements) else self.ttl
            fresh_provisional = entry.get("confidence") == "provisional" and age < ttl
            final = entry.get("confidence") == "authoritative" or (mode == "fast" and not entry.get("diverged"))
            if (final and age < ttl) or mode == "cached" or self.offline:
                est = self._assemble(entry, req, key, confidence="cached", state="ready")
                est.timings["total"] = time.perf_counter() - t0
                return est
            emit(self._assemble(entry, req, key, confidence="cached", state="updating"))
        if mode == "cached" or self.offline:
            return await self._offline_answer(req, key, None, "offline mode", t0)

        reqs = [r for r in req.requirements]
        bad = [r for r in reqs if not isinstance(r, str)]
        if bad:
            new = self._problem_entry([Problem("invalid-requirement", f"requirement {b!r} is not a string: the build passes it to pip and fails", None, [repr(b)]) for b in bad], "input")
            self._store(key, new, req)
            return self._assemble(new, req, key, confidence="authoritative", state="error", t0=t0)
        if not reqs:
            new = self._entry(Resolution([], "none", authoritative=True), [], {}, [], "authoritative")
            self._store(key, new, req)
            return self._assemble(new, req, key, confidence="authoritative", state="ready", t0=t0)

        timings: dict[str, float] = {}
        if mode in ("auto", "fast") and self.uv and not fresh_provisional:
            t1 = time.perf_counter()
            try:
                res = await resolve_mod.resolve_with_uv(
                    reqs, req.python_version, no_deps=req.no_deps, uv=self.uv, env=self.env, platforms=req.platforms,
                    index_url=self.index_url if self.pass_index_url else None,
                )
                timings["uv"] = time.perf_counter() - t1
                t2 = time.perf_counter()
                prov = await self._entry_from_resolution(res, req, "provisional")
                timings["uv_sizes"] = time.perf_counter() - t2
                if entry is None or entry.get("confidence") != "authoritative":
                    self._store(key, prov, req)
                done = mode == "fast" and not res.diverged
                est = self._assemble(prov, req, key, confidence="provisional", state="ready" if done else "updating", t0=t0)
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
        est = self._assemble(new, req, key, confidence="authoritative", state="error" if new.get("failed") else "ready", t0=t0)
        est.timings.update(timings)
        return est

    async def _authoritative_entry(self, req: SizeRequest) -> tuple[dict, dict[str, float]]:
        """pip's resolution and the sizes of its wheels, or the problems that make pip fail."""
        timings: dict[str, float] = {}
        reqs = list(req.requirements)
        t1 = time.perf_counter()
        notes: list[str] = []
        python = self.python
        for attempt in range(2):
            try:
                res = await resolve_mod.resolve_with_pip(
                    reqs, req.python_version, no_deps=req.no_deps, python=python, env=self._pip_env(),
                    platforms=req.platforms, timeout=self.pip_timeout,
                )
                break
            except ResolutionError as exc:
                timings["pip"] = time.perf_counter() - t1
                if exc.kind == "network":
                    raise _Offline("the package index could not be reached") from exc
                if attempt == 0 and _PIP_TOO_OLD.search(exc.output) and os.path.realpath(python) != os.path.realpath(sys.executable):
                    notes.append(f"the pip of {self.python} has no --dry-run/--report (pip < 22.2): resolved with "
                                 f"{sys.executable}'s pip instead")
                    python = sys.executable
                    continue
                problems = await self._problems_from_error(exc, req)
                return self._problem_entry(problems, exc.resolver, output=exc.output), timings
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

    def _wheel_stats_blocking(self, d: ResolvedDist, python_version: str) -> WheelStats:
        wid = self.cache.wheel_id(d.url, d.sha256)
        hit = self.cache.get_wheel(wid)
        if hit is not None:
            return hit
        try:
            st = fetch_wheel_stats(
                lambda s, n: self.http.get_range(d.url, s, n), d.filename, exact_limit=self.exact_limit,
                sample=self.sample, python_version=python_version,
            )
        except RangeNotSupported as exc:
            size = d.size or exc.size or self._simple_size(d)
            if size is None:
                raise NetworkError(f"no size known for {d.filename}") from exc
            st = ratio_stats(d.filename, size)
        except (WheelFormatError, HttpError) as exc:
            size = d.size or self._simple_size(d)
            if size is None:
                raise NetworkError(f"{d.filename}: {exc}") from exc
            st = ratio_stats(d.filename, size)
        self.cache.put_wheel(wid, st)
        return st

    def _simple_project(self, name: str) -> dict | None:
        try:
            r = self.http.request(f"{self.index_url}/{canonical(name)}/", {"Accept": SIMPLE_ACCEPT})
        except (NetworkError, HttpError):
            return None
        if r.status != 200:
            return None
        try:
            return json.loads(r.body)
        except ValueError:
            return None

    def _simple_size(self, d: ResolvedDist) -> int | None:
        data = self._simple_project(d.name)
        for f in (data or {}).get("files", []):
            if f.get("filename") == d.filename:
                return f.get("size")
        return None

    async def _entry_from_resolution(self, res: Resolution, req: SizeRequest, confidence: str) -> dict:
        stats = await asyncio.gather(*(self._run(self._wheel_stats_blocking, d, req.python_version) for d in res.dists))
        requires: dict[str, list[str]] = {}
        for d, st in zip(res.dists, stats, strict=False):
            reqs = d.requires_dist if d.requires_dist is not None else _requires_from_metadata(st.metadata)
            requires[d.key] = list(reqs or [])
        notes = []
        if res.diverged:
            notes.append(
                "uv chose " + ", ".join(res.diverged) + ", which the build's pip cannot install (no wheel with the"
                " exact manylinux platforms it asks for); the authoritative answer comes from pip"
            )
        return self._entry(res, stats, requires, notes, confidence)

    def _entry(self, res: Resolution, stats: list[WheelStats], requires: dict, notes: list[str], confidence: str) -> dict:
        return {
            "confidence": confidence,
            "resolver": res.resolver,
            "computed_at": time.time(),
            "dists": [d.to_dict() for d in res.dists],
            "stats": [s.to_dict() for s in stats],
            "requires": requires,
            "diverged": res.diverged,
            "notes": notes,
            "problems": [],
            "failed": False,
        }

    def _problem_entry(self, problems: list[Problem], resolver: str, output: str = "") -> dict:
        return {
            "confidence": "authoritative",
            "resolver": resolver,
            "computed_at": time.time(),
            "dists": [],
            "stats": [],
            "requires": {},
            "diverged": [],
            "notes": [],
            "problems": [p.__dict__ for p in problems],
            "failed": True,
            "output_tail": output[-3000:],
        }

    # ------------------------------------------------------------------ assembling

    def _packages(self, entry: dict, req: SizeRequest) -> list[PackageSize]:
        dists = [ResolvedDist.from_dict(d) for d in entry.get("dists", [])]
        stats = [WheelStats.from_dict(s) for s in entry.get("stats", [])]
        resolved = {d.key for d in dists}
        by, chains = required_by(list(req.requirements), entry.get("requires", {}), req.python_version, resolved)
        direct = {parse_requirement(r)[0] for r in req.requirements if isinstance(r, str)}
        skip = {n.lower().replace("-", "_") for n in req.tarball_filter}
        out = []
        for d, st in zip(dists, stats, strict=False):
            tops = []
            total = 0
            for t in st.top_level.values():
                ab = int(round(max(t.archive, 0.0)))
                name_norm = t.name.lower().replace("-", "_")
                if skip and (name_norm in skip or (t.kind == "dist-info" and name_norm.split("-")[0] in skip)):
                    ab = 0
                ab += int(round(req.bytecode_ratio * t.py_bytes)) if ab else 0
                tops.append(TopLevel(t.name, t.kind, t.files, t.uncompressed, ab))
                total += ab
            if d.key in direct:
                total += REQUESTED_BYTES
            tops.sort(key=lambda t: -t.archive_bytes)
            out.append(PackageSize(
                name=d.name, version=d.version, filename=d.filename, url=d.url, wheel_bytes=st.wheel_bytes or d.size,
                archive_bytes=total, uncompressed_bytes=st.uncompressed_bytes, files=st.files,
                required_by=by.get(d.key, [r for r in req.requirements if parse_requirement(r)[0] == d.key]),
                direct=d.key in direct, via=chains.get(d.key, [d.key]), top_level=tops, size_method=st.method,
                sha256=d.sha256,
            ))
        out.sort(key=lambda p: -p.archive_bytes)
        return out

    def _packages_for(self, entry: dict, req: SizeRequest) -> list[PackageSize]:
        """`_packages`, memoised in the entry (objects in memory, dicts on disk) for this request."""
        sig = [[r if isinstance(r, str) else repr(r) for r in req.requirements], list(req.tarball_filter), req.python_version, req.bytecode_ratio]
        memo = entry.get("_objects")
        if memo is not None and memo[0] == sig:
            return memo[1]
        asm = entry.get("assembled")
        if asm is not None and asm.get("sig") == sig:
            pkgs = [PackageSize.from_dict(d) for d in asm["packages"]]
        else:
            pkgs = self._packages(entry, req)
            entry["assembled"] = {"sig": sig, "packages": [asdict(p) for p in pkgs]}
        entry["_objects"] = (sig, pkgs)
        return pkgs

    def _store(self, key: str, entry: dict, req: SizeRequest) -> None:
        self._packages_for(entry, req)
        self.cache.put_resolution(key, entry)

    def _assemble(self, entry: dict, req: SizeRequest, key: str, *, confidence: str, state: str,
                  t0: float | None = None, packages: list[PackageSize] | None = None) -> SizeEstimate:
        pkgs = packages if packages is not None else self._packages_for(entry, req)
        # Cached per (path, size, mtime); estimate() warms it in a worker thread first.
        proj, raw, _method = project_mod.project_bytes(req.project_files, req.project_root)
        problems = [Problem(**p) for p in entry.get("problems", [])]
        failed = bool(entry.get("failed"))
        overhead = project_mod.ARCHIVE_OVERHEAD + req.bundled_bytes
        archive = None if failed else sum(p.archive_bytes for p in pkgs) + proj + overhead
        notes = list(entry.get("notes", []))
        est = SizeEstimate(
            archive_bytes=archive,
            limit_bytes=req.limit_bytes,
            confidence=confidence,
            state=state,
            packages=pkgs,
            project_bytes=proj,
            project_raw_bytes=raw,
            overhead_bytes=overhead,
            problems=problems,
            notes=notes,
            python_version=req.python_version,
            platforms=list(req.platforms),
            no_deps=req.no_deps,
            requirements=[r if isinstance(r, str) else repr(r) for r in req.requirements],
            resolver=entry.get("resolver", ""),
            cached_from=entry.get("confidence") if confidence == "cached" else None,
            computed_at=entry.get("computed_at", 0.0),
            key=key,
        )
        if confidence == "cached":
            when = time.strftime("%Y-%m-%d %H:%M", time.localtime(est.computed_at))
            est.notes.append(f"cached answer from {when} ({est.cached_from}, {est.resolver})")
        if any(p.size_method == "wheel-size-ratio" for p in pkgs):
            est.notes.append("some wheels' sizes are wheel size × 0.951 (the index refused range requests): ±5 %, worst +14 %")
        if platform.system() != "Linux" or platform.machine() not in ("x86_64", "AMD64"):
            est.notes.append(
                f"the build's pip evaluates environment markers on this host ({platform.system()} {platform.machine()}),"
                " so Linux-only dependencies (torch's CUDA packages) are left out here as they will be by `flash build`"
                " on this machine"
            )
        graph = {"requires": entry.get("requires", {})}
        hs = hints_mod.size_hints(est, req, self.limit_is_error) + hints_mod.problem_hints(est)
        th, tn = hints_mod.torch_hints(est, req, graph)
        hs += th
        est.notes.extend(tn)
        hs += hints_mod.exclusion_hints(est, req)
        est.hints = hs
        if t0 is not None:
            est.timings["total"] = time.perf_counter() - t0
        return est

    async def _offline_answer(self, req: SizeRequest, key: str, entry: dict | None, reason: str, t0: float) -> SizeEstimate:
        if entry is not None:
            est = self._assemble(entry, req, key, confidence="cached", state="ready", t0=t0)
            est.notes.insert(0, f"offline ({reason}): showing the last known answer")
            return est
        pkgs, _missing, notes = await self._run(
            lambda: offline_packages(list(req.requirements), req.python_version, no_deps=req.no_deps, paths=self.local_paths)
        )
        fake = {"confidence": "offline-estimate", "resolver": "local distributions", "computed_at": time.time(),
                "notes": [f"offline ({reason})"] + notes, "problems": [], "failed": False, "requires": {}}
        return self._assemble(fake, req, key, confidence="offline-estimate", state="ready", t0=t0, packages=pkgs)

    # ------------------------------------------------------------------ problems

    async def _problems_from_error(self, exc: ResolutionError, req: SizeRequest) -> list[Problem]:
        if exc.kind == "no-wheel":
            out = []
            for pkg, r in zip(exc.packages, exc.requirements or exc.packages, strict=False):
                out.append(await self._run(self.analyze_no_wheel, pkg, r, req.python_version, req.platforms))
            return out or [Problem("no-wheel", exc.message)]
        if exc.kind == "conflict":
            return [Problem("conflict", exc.message, None, exc.requirements, {"packages": exc.packages})]
        if exc.kind == "requires-python":
            return [Problem("requires-python", exc.message, exc.packages[0] if exc.packages else None)]
        if exc.kind == "invalid":
            return [Problem("invalid-requirement", exc.message, None, exc.requirements)]
        return [Problem("resolution-failed", exc.message, None, [], {"output": exc.output[-2000:]})]

    def analyze_no_wheel(self, name: str, requirement: str, python_version: str, platforms=None) -> Problem:
        """Why pip found no wheel for `requirement`, and what would work (blocking: Simple API)."""
        from .tags import RUNPOD_PLATFORMS

        platforms = tuple(platforms or RUNPOD_PLATFORMS)
        abi = "cp" + python_version.replace(".", "")
        target = f"CPython {python_version} ({abi}) on manylinux x86-64"
        data = self._simple_project(name)
        if data is None:
            return Problem("no-wheel", f"{requirement}: no such project on the index, or it could not be read", name, [requirement])
        try:
            spec = Requirement(requirement).specifier
        except (InvalidRequirement, InvalidSpecifier):
            spec = SpecifierSet()
        files: dict[Version, list[str]] = {}
        sdists: set[Version] = set()
        for f in data.get("files", []):
            fn = f.get("filename", "")
            if f.get("yanked"):
                continue
            if fn.endswith(".whl"):
                try:
                    v = parse_wheel_filename(fn)[1]
                except (InvalidWheelFilename, InvalidVersion):
                    continue
                files.setdefault(v, []).append(fn)
            elif fn.endswith((".tar.gz", ".zip")):
                try:
                    v = Version(fn.rsplit("-", 1)[-1].removesuffix(".tar.gz").removesuffix(".zip"))
                    sdists.add(v)
                except InvalidVersion:
                    pass
        supported = pip_tags(python_version, platforms)
        ok_versions = sorted((v for v, fns in files.items() if pick_wheel(fns, supported)), reverse=True)
        in_spec = sorted((v for v in set(files) | sdists if spec.contains(v, prereleases=True)), reverse=True)
        newest = in_spec[0] if in_spec else None
        details: dict = {"target": target, "versions_with_wheel": [str(v) for v in ok_versions[:5]]}
        parts = [f"no wheel of {requirement} for {target}"]
        if newest is not None:
            fns = files.get(newest, [])
            if not fns:
                parts.append(f"{name} {newest} has only a source distribution (the build installs binary wheels only)")
            else:
                interp, abis, plats = set(), set(), set()
                for fn in fns:
                    i, a, p = wheel_tag_summary(fn)
                    interp |= i
                    abis |= a
                    plats |= p
                linux = sorted(p for p in plats if "linux" in p and "x86_64" in p)
                parts.append(f"{name} {newest} has wheels for {', '.join(sorted(abis - {'none'}) or sorted(interp))}"
                             f" on {', '.join(linux) if linux else ', '.join(sorted(plats)[:4])}")
                works = []
                for minor in range(8, 15):
                    pv = f"3.{minor}"
                    if pick_wheel(fns, pip_tags(pv, platforms)):
                        works.append(pv)
                details["python_versions_that_work"] = works
                if works:
                    parts.append(f"Python versions with a usable wheel of {newest}: {', '.join(works)}")
                details["newest_matching"] = str(newest)
        elif not files and not sdists:
            parts.append(f"{name} has no files on the index")
        if ok_versions:
            parts.append(f"versions with a wheel for this target: {', '.join(str(v) for v in ok_versions[:3])}")
        else:
            parts.append(f"no version of {name} has a wheel for this target")
        return Problem("no-wheel", "; ".join(parts), name, [requirement], details)


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

