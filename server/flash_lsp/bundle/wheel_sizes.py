"""Each resolved wheel's share of the archive: read from the wheel's central directory over HTTP
ranges (or estimated from its size), cached by index set, URL and sha256 (docs/size-model.md)."""

from __future__ import annotations

import email.parser
import json

from .cache import Cache
from .http import HttpClient, HttpError, NetworkError
from .resolve import ResolvedDist
from .tags import canonical
from .wheelcd import RangeNotSupported, WheelFormatError, WheelStats
from .wheelstats import fetch_wheel_stats, ratio_stats

DEFAULT_INDEX = "https://pypi.org/simple"
SIMPLE_ACCEPT = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.latest+json;q=0.9"


class WheelSizes:
    """Wheel statistics for a predictor: `profile` names the user's pip configuration, which with the
    plan's index options decides which index a wheel came from."""

    def __init__(self, cache: Cache, http: HttpClient, index_url: str, profile: str, exact_limit: int, sample: bool):
        self.cache = cache
        self.http = http
        self.index_url = index_url
        self.profile = profile
        self.exact_limit = exact_limit
        self.sample = sample

    def stats(self, d: ResolvedDist, python_version: str, indexes: list[str]) -> WheelStats:
        """The statistics of one resolved wheel (blocking: run it in a worker thread)."""
        wid = self.cache.wheel_id(self.index_identity(indexes), d.url, d.sha256)
        hit = self.cache.get_wheel(wid)
        if hit is not None:
            return hit
        try:
            st = fetch_wheel_stats(
                lambda s, n: self.http.get_range(d.url, s, n),
                d.filename,
                exact_limit=self.exact_limit,
                sample=self.sample,
                python_version=python_version,
                sha256=d.sha256,
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

    def simple_project(self, name: str) -> dict | None:
        """The index's JSON Simple page of a project (None when it cannot be had)."""
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
        data = self.simple_project(d.name)
        for f in (data or {}).get("files", []):
            if f.get("filename") == d.filename:
                return f.get("size")
        return None

    def index_identity(self, indexes: list[str]) -> str:
        """The index set a resolution used: the user's configuration plus the plan's options."""
        return json.dumps([self.profile, indexes])


def requires_dist(d: ResolvedDist, st: WheelStats) -> list[str]:
    """A wheel's dependencies: as the resolver reported them, else from the wheel's METADATA."""
    if d.requires_dist is not None:
        return list(d.requires_dist)
    if not st.metadata:
        return []
    return email.parser.Parser().parsestr(st.metadata, headersonly=True).get_all("Requires-Dist") or []
