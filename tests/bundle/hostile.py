"""A hostile project for the size prediction: every way its requirements could run its code, reach
another host or read a file outside it (docs/security.md lists them).

Everything that could run writes a line into a canary file: the source distribution's in-tree build
backend (it needs nothing installed, so pip or uv would run it even against an index with no
setuptools), the project's `.venv/bin/python*` (shell scripts), a git repository and a local
directory with the same backend. A second `StubIndex` plays the project's own index and records
every request.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
import textwrap
from dataclasses import dataclass
from pathlib import Path

from .stubs import StubIndex

BACKEND = """\
import os
with open({canary!r}, "a") as fh:
    fh.write("build backend of {name} ran in %s\\n" % os.getcwd())

def _fail(*a, **k):
    raise RuntimeError("hostile backend")

get_requires_for_build_wheel = get_requires_for_build_sdist = lambda *a, **k: []
prepare_metadata_for_build_wheel = build_wheel = build_sdist = build_editable = _fail
get_requires_for_build_editable = prepare_metadata_for_build_editable = _fail
"""
PYPROJECT = '[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["."]\n'
SETUP_PY = "with open({canary!r}, 'a') as fh:\n    fh.write('setup.py of {name} ran\\n')\n"


def source_tree(root: Path, name: str, canary: Path) -> Path:
    """A project directory whose build runs code that writes `canary`."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(PYPROJECT)
    (root / "backend.py").write_text(BACKEND.format(canary=str(canary), name=name))
    (root / "setup.py").write_text(SETUP_PY.format(canary=str(canary), name=name))
    return root


def sdist_bytes(name: str, version: str, canary: Path) -> bytes:
    buf = io.BytesIO()
    base = f"{name}-{version}"
    files = {
        "pyproject.toml": PYPROJECT,
        "backend.py": BACKEND.format(canary=str(canary), name=name),
        "setup.py": SETUP_PY.format(canary=str(canary), name=name),
        "PKG-INFO": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
    }
    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        for rel, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(f"{base}/{rel}")
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def hostile_venv(project: Path, canary: Path, real_python: str) -> None:
    """`.venv/bin/python*` that write the canary, then behave like Python (so a resolver would work)."""
    bin_dir = project / ".venv" / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    (project / ".venv" / "lib" / "python3.11" / "site-packages" / "pip-24.0.dist-info").mkdir(parents=True)
    (project / ".venv" / "pyvenv.cfg").write_text("home = /usr/bin\nversion = 3.11.7\n")
    for name in ("python", "python3", "python3.11", "uv", "pip"):
        script = bin_dir / name
        script.write_text(f"#!/bin/sh\necho \"project {name} ran: $*\" >> '{canary}'\nexec '{real_python}' \"$@\"\n")
        script.chmod(0o755)


@dataclass
class Hostile:
    """The vectors of one hostile world; `canary` must stay absent."""

    canary: Path
    evil: StubIndex  # the project's own index: must see no request when the workspace is untrusted
    sdist_url: str
    source_dir: Path
    git_url: str
    outside_requirements: Path  # a requirements file outside the project

    def direct_references(self) -> dict[str, str]:
        """Requirement strings pip or uv would build: name → string."""
        return {
            "pkg @ URL": f"evilpkg @ {self.sdist_url}",
            "bare URL": self.sdist_url,
            "git+file": f"git+{self.git_url}#egg=evilgit",
            "-e dir": f"-e {self.source_dir}",
            "file:///dir": self.source_dir.as_uri(),
            "absolute dir": str(self.source_dir),
        }

    def option_lines(self) -> dict[str, str]:
        """Option lines that would make a resolver contact the project's index or read outside files."""
        return {
            "--index-url": f"--index-url {self.evil.simple}",
            "-i=": f"-i{self.evil.simple}",
            "--extra-index-url=": f"--extra-index-url={self.evil.simple}",
            "--find-links": f"--find-links {self.evil.base}/files/",
            "-r outside": f"-r {self.outside_requirements}",
            "-r /etc/passwd": "-r /etc/passwd",
            "-c outside": f"-c {self.outside_requirements}",
        }


def make_hostile(tmp: Path) -> Hostile:
    canary = tmp / "CANARY"
    evil = StubIndex()
    url = evil.add_file("evilpkg-1.0.tar.gz", sdist_bytes("evilpkg", "1.0", canary))
    src = source_tree(tmp / "outside-src", "evil-dir", canary)
    repo = source_tree(tmp / "outside-git", "evil-git", canary)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "init.defaultBranch=main"]
    subprocess.run([*git, "init", "-q"], cwd=repo, check=True)
    subprocess.run([*git, "add", "."], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-qm", "x"], cwd=repo, check=True)
    outside = tmp / "outside-requirements.txt"
    outside.write_text("outside-only-pkg\n")
    return Hostile(canary, evil, url, src, repo.as_uri(), outside)


def write_project(root: Path, requirements: list[str], decorator_dependencies: list[str]) -> Path:
    """A Flash project: `requirements.txt` and one `@remote` worker with `dependencies=[...]`."""
    (root / "workers").mkdir(parents=True, exist_ok=True)
    (root / "requirements.txt").write_text("".join(r + "\n" for r in requirements))
    (root / "main.py").write_text("from fastapi import FastAPI\napp = FastAPI()\n")
    deps = ", ".join(repr(d) for d in decorator_dependencies)
    (root / "workers" / "__init__.py").write_text("")
    (root / "workers" / "worker.py").write_text(
        textwrap.dedent(f"""\
        from tetra_rp import remote, LiveServerless

        config = LiveServerless(name="hostile")


        @remote(config, dependencies=[{deps}])
        def work(x):
            return x
        """)
    )
    return root
