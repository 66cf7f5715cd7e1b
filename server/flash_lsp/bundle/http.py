"""A small thread-safe HTTP/1.1 client with keep-alive, Range requests and `file://` support.

Only the standard library: every call is blocking and meant to run in a worker thread
(`asyncio.to_thread` / an executor), never on the event loop. Connections are pooled per host so a
burst of range requests to files.pythonhosted.org pays one TLS handshake per worker.
"""

from __future__ import annotations

import gzip
import http.client
import os
import ssl
import threading
import urllib.parse
import urllib.request
import zlib
from dataclasses import dataclass, field

from .wheelcd import RangeNotSupported

USER_AGENT = "flash-lsp-bundle/0.1 (+https://github.com/runpod/flash)"
# When a server ignores Range, bodies up to this size are read anyway (the whole wheel is then known).
FULL_BODY_LIMIT = 4 << 20


class NetworkError(OSError):
    """The index could not be reached (DNS, refused, TLS, timeout): the caller may go offline."""


class HttpError(Exception):
    def __init__(self, status: int, url: str, body: bytes = b""):
        super().__init__(f"HTTP {status} for {url}")
        self.status = status
        self.url = url
        self.body = body


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    url: str
    extra: dict = field(default_factory=dict)


def _ssl_context() -> ssl.SSLContext:
    ctx = ssl.create_default_context()
    for var in ("PIP_CERT", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        path = os.environ.get(var)
        if path and os.path.isfile(path):
            try:
                ctx.load_verify_locations(cafile=path)
            except (ssl.SSLError, OSError):
                pass
    return ctx


class HttpClient:
    def __init__(self, timeout: float = 20.0, max_idle_per_host: int = 8):
        self.timeout = timeout
        self.max_idle = max_idle_per_host
        self._idle: dict[tuple[str, str, int], list[http.client.HTTPConnection]] = {}
        self._lock = threading.Lock()
        self._ctx: ssl.SSLContext | None = None
        self.requests = 0
        self.bytes = 0

    # ------------------------------------------------------------------ connections

    def _context(self) -> ssl.SSLContext:
        if self._ctx is None:
            self._ctx = _ssl_context()
        return self._ctx

    @staticmethod
    def _proxy_for(scheme: str, host: str):
        proxies = urllib.request.getproxies()
        if (
            scheme in proxies
            and host not in ("127.0.0.1", "localhost", "::1")
            and not urllib.request.proxy_bypass(host)
        ):
            return urllib.parse.urlsplit(proxies[scheme])
        return None

    def _connect(self, scheme: str, host: str, port: int) -> http.client.HTTPConnection:
        proxy = self._proxy_for(scheme, host)
        if scheme == "https":
            if proxy is not None:
                conn = http.client.HTTPSConnection(
                    proxy.hostname, proxy.port or 8080, timeout=self.timeout, context=self._context()
                )
                conn.set_tunnel(host, port)
                return conn
            return http.client.HTTPSConnection(host, port, timeout=self.timeout, context=self._context())
        if proxy is not None:
            return http.client.HTTPConnection(proxy.hostname, proxy.port or 8080, timeout=self.timeout)
        return http.client.HTTPConnection(host, port, timeout=self.timeout)

    def _take(self, key) -> http.client.HTTPConnection | None:
        with self._lock:
            lst = self._idle.get(key)
            return lst.pop() if lst else None

    def _give(self, key, conn) -> None:
        with self._lock:
            lst = self._idle.setdefault(key, [])
            if len(lst) < self.max_idle:
                lst.append(conn)
                return
        conn.close()

    def close(self) -> None:
        with self._lock:
            conns = [c for lst in self._idle.values() for c in lst]
            self._idle.clear()
        for c in conns:
            c.close()

    # ------------------------------------------------------------------ requests

    def request(
        self,
        url: str,
        headers: dict[str, str] | None = None,
        *,
        method: str = "GET",
        range_request: bool = False,
        redirects: int = 5,
    ) -> Response:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme == "file":
            return self._file(url, headers or {})
        if parts.scheme not in ("http", "https"):
            raise HttpError(0, url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        key = (parts.scheme, parts.hostname or "", port)
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        hdrs = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip"}
        hdrs.update(headers or {})
        if range_request:
            hdrs["Accept-Encoding"] = "identity"
        if parts.scheme == "http" and self._proxy_for("http", parts.hostname or ""):
            path = url  # absolute-form through an HTTP proxy
        last_exc: Exception | None = None
        for attempt in range(2):
            conn = self._take(key)
            reused = conn is not None
            if conn is None:
                conn = self._connect(parts.scheme, parts.hostname or "", port)
            try:
                conn.request(method, path, headers=hdrs)
                resp = conn.getresponse()
                status = resp.status
                rh = {k.lower(): v for k, v in resp.getheaders()}
                if range_request and status == 200:
                    length = int(rh.get("content-length", "0") or 0)
                    if not length or length > FULL_BODY_LIMIT:
                        conn.close()
                        raise RangeNotSupported(length or None)
                body = resp.read()
            except RangeNotSupported:
                raise
            except (http.client.HTTPException, ConnectionError, TimeoutError) as exc:
                conn.close()
                last_exc = exc
                if reused and attempt == 0:
                    continue  # a keep-alive connection the server had closed
                raise NetworkError(f"{url}: {exc}") from exc
            except (ssl.SSLError, OSError) as exc:
                conn.close()
                raise NetworkError(f"{url}: {exc}") from exc
            if rh.get("connection", "").lower() == "close" or resp.will_close:
                conn.close()
            else:
                self._give(key, conn)
            self.requests += 1
            self.bytes += len(body)
            if rh.get("content-encoding") == "gzip":
                try:
                    body = gzip.decompress(body)
                except (OSError, EOFError, zlib.error):
                    pass
            if status in (301, 302, 303, 307, 308) and redirects > 0 and "location" in rh:
                return self.request(
                    urllib.parse.urljoin(url, rh["location"]),
                    headers,
                    method=method,
                    range_request=range_request,
                    redirects=redirects - 1,
                )
            return Response(status, rh, body, url)
        raise NetworkError(f"{url}: {last_exc}")

    def _file(self, url: str, headers: dict[str, str]) -> Response:
        path = urllib.request.url2pathname(urllib.parse.urlsplit(url).path)
        try:
            size = os.path.getsize(path)
            with open(path, "rb") as fh:
                rng = headers.get("Range")
                if rng:
                    start, end = _parse_range(rng, size)
                    fh.seek(start)
                    data = fh.read(end - start + 1)
                    return Response(206, {"content-range": f"bytes {start}-{end}/{size}"}, data, url)
                return Response(200, {"content-length": str(size)}, fh.read(), url)
        except FileNotFoundError:
            return Response(404, {}, b"", url)

    # ------------------------------------------------------------------ helpers

    def get_range(self, url: str, start: int | None, length: int) -> tuple[bytes, int, int]:
        """(data, offset, total) of `length` bytes from `start` (None: the last `length` bytes)."""
        if start is None:
            rng = f"bytes=-{length}"
        else:
            rng = f"bytes={start}-{start + length - 1}"
        r = self.request(url, {"Range": rng}, range_request=True)
        if r.status == 206:
            cr = r.headers.get("content-range", "")
            try:
                span, total_s = cr.split(" ", 1)[1].split("/")
                first = int(span.split("-")[0])
                total = int(total_s)
            except (IndexError, ValueError):
                raise RangeNotSupported(None) from None
            return r.body, first, total
        if r.status == 200:
            total = len(r.body)
            if start is None:
                off = max(total - length, 0)
                return r.body[off:], off, total
            return r.body[start : start + length], start, total
        if r.status == 416 and start is None:
            # Range larger than the file: ask for all of it.
            r2 = self.request(url)
            if r2.status == 200:
                return r2.body, 0, len(r2.body)
        raise HttpError(r.status, url)


def _parse_range(value: str, size: int) -> tuple[int, int]:
    spec = value.split("=", 1)[1].strip()
    a, _, b = spec.partition("-")
    if not a:
        n = int(b)
        return max(size - n, 0), size - 1
    start = int(a)
    end = int(b) if b else size - 1
    return start, min(end, size - 1)
