"""Test doubles for flash_lsp.bundle: a local package index and fake pip/uv executables.

* `StubIndex`: an HTTP server on 127.0.0.1 (ephemeral port) serving PEP 691 JSON pages at
  ``/simple/<name>/`` and files at ``/files/<filename>`` with single-range ``Range`` support (206,
  ``Content-Range``). Options: refuse ranges, fail with 500, count requests. "Sparse" files are a
  recorded tail plus a declared total size (ranges inside the tail work).
* `make_wheel`: fabricate a small wheel with zipfile (METADATA, WHEEL, RECORD, optional
  entry_points, .data dirs).
* `FakeTools`: writes a fake ``python`` (answers ``-m pip install --dry-run --report F ...`` from a
  plan file) and a fake ``uv`` (``pip compile ... -o pylock.toml``), both logging their argv and the
  lines of the requirements file they were given.
"""

from __future__ import annotations

import base64
import hashlib
import http.server
import io
import json
import os
import stat
import sys
import textwrap
import threading
import zipfile
from pathlib import Path

from packaging.utils import canonicalize_name, parse_wheel_filename


def _record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def make_wheel(
    name: str,
    version: str,
    files: dict[str, bytes | str],
    *,
    tag: str = "py3-none-any",
    requires: list[str] = (),
    entry_points: str | None = None,
    compression: int = zipfile.ZIP_DEFLATED,
    compresslevel: int | None = None,
    extra_metadata: str = "",
) -> tuple[str, bytes]:
    """(filename, bytes) of a wheel with `files` (paths inside the wheel) plus its dist-info."""
    dist = f"{name.replace('-', '_')}-{version}"
    fn = f"{dist}-{tag}.whl"
    meta = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n" + "".join(
        f"Requires-Dist: {r}\n" for r in requires
    )
    meta += extra_metadata + "\n"
    members: dict[str, bytes] = {k: (v.encode() if isinstance(v, str) else v) for k, v in files.items()}
    members[f"{dist}.dist-info/METADATA"] = meta.encode()
    members[f"{dist}.dist-info/WHEEL"] = (
        f"Wheel-Version: 1.0\nGenerator: stub\nRoot-Is-Purelib: true\nTag: {tag}\n".encode()
    )
    if entry_points:
        members[f"{dist}.dist-info/entry_points.txt"] = entry_points.encode()
    record = "".join(f"{p},{_record_hash(b)},{len(b)}\n" for p, b in members.items()) + f"{dist}.dist-info/RECORD,,\n"
    members[f"{dist}.dist-info/RECORD"] = record.encode()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=compression, compresslevel=compresslevel) as zf:
        for p, b in members.items():
            zf.writestr(p, b)
    return fn, buf.getvalue()


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, *a):  # quiet
        pass

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self):  # noqa: N802
        self.do_GET()

    def do_GET(self):  # noqa: N802
        idx: StubIndex = self.server.index
        idx.requests.append((self.path, self.headers.get("Range")))
        if idx.fail:
            return self._send(500, b"boom")
        if self.path.startswith("/simple/"):
            name = canonicalize_name(self.path[len("/simple/") :].strip("/"))
            page = idx.simple_page(name)
            if page is None:
                return self._send(404, b"")
            return self._send(200, json.dumps(page).encode(), {"Content-Type": "application/vnd.pypi.simple.v1+json"})
        if self.path.startswith("/files/"):
            fn = self.path[len("/files/") :]
            entry = idx.files.get(fn)
            if entry is None:
                return self._send(404, b"")
            data, total = entry  # data = the last len(data) bytes of a file of `total` bytes
            rng = self.headers.get("Range")
            if rng and idx.ranges:
                spec = rng.split("=", 1)[1]
                a, _, b = spec.partition("-")
                if not a:
                    start = max(total - int(b), 0)
                    end = total - 1
                else:
                    start = int(a)
                    end = min(int(b) if b else total - 1, total - 1)
                if start >= total:
                    return self._send(416, b"", {"Content-Range": f"bytes */{total}"})
                off = total - len(data)
                if start < off:
                    return self._send(500, b"sparse file: range before the recorded tail")
                body = data[start - off : end - off + 1]
                return self._send(
                    206, body, {"Content-Range": f"bytes {start}-{end}/{total}", "Accept-Ranges": "bytes"}
                )
            if len(data) != total:
                return self._send(500, b"sparse file: whole body requested")
            return self._send(200, data, {"Content-Type": "application/octet-stream"})
        return self._send(404, b"")


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        # Clients that close a connection mid-body (a refused range on a large file) are expected.
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, BrokenPipeError)):
            return
        super().handle_error(request, client_address)


class StubIndex:
    def __init__(self) -> None:
        self.files: dict[str, tuple[bytes, int]] = {}
        self.projects: dict[str, list[dict]] = {}
        self.requests: list[tuple[str, str | None]] = []
        self.ranges = True
        self.fail = False
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.index = self
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def base(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def simple(self) -> str:
        return self.base + "/simple"

    def url(self, filename: str) -> str:
        return f"{self.base}/files/{filename}"

    def add_file(self, filename: str, data: bytes, *, total: int | None = None, yanked: bool = False) -> str:
        total = len(data) if total is None else total
        self.files[filename] = (data, total)
        if filename.endswith(".whl"):
            name = canonicalize_name(parse_wheel_filename(filename)[0])
        else:
            name = canonicalize_name(filename.rsplit("-", 1)[0])
        self.projects.setdefault(name, []).append(
            {
                "filename": filename,
                "url": self.url(filename),
                "hashes": {"sha256": hashlib.sha256(data).hexdigest()},
                "size": total,
                "yanked": yanked,
            }
        )
        return self.url(filename)

    def add_listing(self, name: str, filename: str, size: int = 1000) -> None:
        """A file that is only listed on the Simple page (for no-wheel analysis)."""
        self.projects.setdefault(canonicalize_name(name), []).append(
            {"filename": filename, "url": self.url(filename), "hashes": {}, "size": size, "yanked": False}
        )

    def simple_page(self, name: str) -> dict | None:
        files = self.projects.get(name)
        if files is None:
            return None
        return {"meta": {"api-version": "1.1"}, "name": name, "files": files}

    def file_requests(self) -> list[tuple[str, str | None]]:
        return [r for r in self.requests if r[0].startswith("/files/")]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


# --------------------------------------------------------------------------- fake pip / uv

FAKE_PIP = r"""
import json, os, sys, time
args = sys.argv[1:]
log = os.environ.get("FAKE_LOG")
reqs = open(args[args.index("-r") + 1]).read().splitlines() if "-r" in args else None
if log:
    with open(log, "a") as fh:
        fh.write(json.dumps({"tool": "pip", "argv": args, "pid": os.getpid(), "requirements": reqs}) + "\n")
if args[:2] == ["-m", "pip"] and args[2:3] == ["--version"]:
    print("pip 99.0 from /fake (python 3.11)")
    sys.exit(0)
plan = json.load(open(os.environ["FAKE_PIP_PLAN"]))
mode = plan.get("mode", "ok")
if mode == "sleep":
    if plan.get("pidfile"):
        open(plan["pidfile"], "w").write(str(os.getpid()))
    time.sleep(60)
if mode != "ok":
    sys.stderr.write(plan.get("stderr", "ERROR: failed\n"))
    sys.exit(1)
report = args[args.index("--report") + 1]
json.dump({"version": "1", "pip_version": "99.0", "install": plan["install"], "environment": {}}, open(report, "w"))
"""

FAKE_UV = r"""
import json, os, sys, time
args = sys.argv[1:]
log = os.environ.get("FAKE_LOG")
reqs = open(args[-1]).read().splitlines() if args[:2] == ["pip", "compile"] else None
if log:
    with open(log, "a") as fh:
        fh.write(json.dumps({"tool": "uv", "argv": args, "pid": os.getpid(), "requirements": reqs}) + "\n")
if args == ["--version"]:
    print("uv 0.99.0 (fake)")
    sys.exit(0)
plan = json.load(open(os.environ["FAKE_UV_PLAN"]))
mode = plan.get("mode", "ok")
if mode == "sleep":
    time.sleep(60)
if mode != "ok":
    sys.stderr.write(plan.get("stderr", "error: failed\n"))
    sys.exit(2)
out = args[args.index("-o") + 1]
open(out, "w").write(plan["pylock"])
"""


class FakeTools:
    """Fake `python -m pip` and `uv` executables driven by JSON plan files (see module doc)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.log = root / "calls.jsonl"
        self.pip_plan = root / "pip_plan.json"
        self.uv_plan = root / "uv_plan.json"
        self.python = self._script("python", FAKE_PIP)
        self.uv = self._script("uv", FAKE_UV)
        self.set_pip({"mode": "ok", "install": []})
        self.set_uv({"mode": "ok", "pylock": 'lock-version = "1.0"\n'})

    def _script(self, name: str, body: str) -> str:
        py = root_py = self.root / f"{name}_impl.py"
        py.write_text(textwrap.dedent(body))
        sh = self.root / name
        # Each fake reads its own plan files (baked in), so several fakes can coexist in one test.
        sh.write_text(
            f"#!/bin/sh\nFAKE_LOG='{self.log}' FAKE_PIP_PLAN='{self.pip_plan}' FAKE_UV_PLAN='{self.uv_plan}' "
            f"exec '{sys.executable}' '{root_py}' \"$@\"\n"
        )
        sh.chmod(sh.stat().st_mode | stat.S_IEXEC | stat.S_IXGRP | stat.S_IXOTH)
        return str(sh)

    def env(self, base: dict[str, str] | None = None) -> dict[str, str]:
        env = dict(os.environ if base is None else base)
        env.update({"FAKE_LOG": str(self.log), "FAKE_PIP_PLAN": str(self.pip_plan), "FAKE_UV_PLAN": str(self.uv_plan)})
        return env

    def set_pip(self, plan: dict) -> None:
        self.pip_plan.write_text(json.dumps(plan))

    def set_uv(self, plan: dict) -> None:
        self.uv_plan.write_text(json.dumps(plan))

    def calls(self, tool: str | None = None) -> list[dict]:
        if not self.log.exists():
            return []
        out = [json.loads(ln) for ln in self.log.read_text().splitlines() if ln.strip()]
        return [c for c in out if tool is None or c["tool"] == tool]


def report_item(
    name: str, version: str, url: str, data: bytes | None = None, *, requires: list[str] = (), requested: bool = False
) -> dict:
    """One `install` item of a pip report."""
    sha = hashlib.sha256(data).hexdigest() if data is not None else "0" * 64
    return {
        "download_info": {"url": url, "archive_info": {"hash": f"sha256={sha}", "hashes": {"sha256": sha}}},
        "is_direct": False,
        "requested": requested,
        "metadata": {"metadata_version": "2.1", "name": name, "version": version, "requires_dist": list(requires)},
    }


def pylock(packages: list[tuple[str, str, list[tuple[str, int]]]]) -> str:
    """A pylock.toml text: packages = [(name, version, [(url, size[, sha256]), ...])] (without a sha256,
    one made up from the URL: the wheel's real one differs)."""
    out = ['lock-version = "1.0"', 'created-by = "uv"', ""]
    for name, version, wheels in packages:
        out.append("[[packages]]")
        out.append(f'name = "{name}"')
        out.append(f'version = "{version}"')
        ws = ", ".join(
            f'{{ url = "{w[0]}", size = {w[1]}, hashes = {{ sha256 = "{w[2] if len(w) > 2 else hashlib.sha256(w[0].encode()).hexdigest()}" }} }}'
            for w in wheels
        )
        out.append(f"wheels = [{ws}]")
        out.append("")
    return "\n".join(out)
