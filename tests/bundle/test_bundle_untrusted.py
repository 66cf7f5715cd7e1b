"""Size prediction on a hostile project: nothing of the project runs, no other host is contacted, no
file outside it is read, and one project cannot change another's answer (real pip and uv against
local indexes; docs/security.md)."""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

import pytest

from flash_lsp.bundle import SizePredictor, SizeRequest
from flash_lsp.bundle.plan import plan_requirements
from flash_lsp.bundle.request import request_for
from flash_lsp.core.project import analyze_project

from .hostile import make_hostile, sdist_bytes, write_project
from .stubs import make_wheel, report_item

SIX = make_wheel("six", "1.16.0", {"six.py": "x = 1\n" * 200}, tag="py2.py3-none-any")


@pytest.fixture
def hostile(tmp_path):
    world = make_hostile(tmp_path / "hostile")
    try:
        yield world
    finally:
        world.evil.close()


@pytest.fixture
def index(stub_index):
    stub_index.add_file(*SIX)
    return stub_index


def _env(index, tmp_path: Path) -> dict[str, str]:
    """The user's configuration: the local stub is their default index (pip and uv)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "UV_"))}
    env.update(
        PIP_CONFIG_FILE=os.devnull,
        PIP_INDEX_URL=index.simple,
        PIP_NO_CACHE_DIR="1",
        UV_DEFAULT_INDEX=index.simple,
        UV_CACHE_DIR=str(tmp_path / "uv-cache"),
        UV_PYTHON_DOWNLOADS="never",
    )
    return env


def _predictor(index, tmp_path: Path, **kw) -> SizePredictor:
    return SizePredictor(
        cache_dir=tmp_path / "size-cache",
        python=sys.executable,
        env=_env(index, tmp_path),
        index_url=index.simple,
        **kw,
    )


def _request(tmp_path: Path, requirements: list[str], dependencies: list[str]) -> SizeRequest:
    root = write_project(tmp_path / "project", requirements, dependencies)
    return request_for(analyze_project(root))


@pytest.mark.parametrize("source", ["requirements.txt", "dependencies"])
@pytest.mark.parametrize("vector", ["pkg @ URL", "bare URL", "git+file", "-e dir", "file:///dir", "absolute dir"])
async def test_direct_references_are_never_built(hostile, index, tmp_path, vector, source):
    text = hostile.direct_references()[vector]
    reqs, deps = (["six", text], []) if source == "requirements.txt" else (["six"], [text])
    p = _predictor(index, tmp_path, trusted=True)  # even trusted
    est = await p.estimate(_request(tmp_path, reqs, deps))
    p.close()
    assert not hostile.canary.exists(), hostile.canary.read_text()
    assert hostile.evil.requests == []
    problem = next(pr for pr in est.problems if pr.kind == "not-predictable")
    assert problem.requirements == [text] and "not predictable without" in problem.message
    assert any(h.kind == "not-predictable" and h.severity == "warning" for h in est.hints)
    assert est.state == "ready" and [pk.name for pk in est.packages] == ["six"]  # the rest is still sized


async def test_a_requirement_with_only_a_source_distribution_is_not_built(hostile, index, tmp_path):
    index.add_file("sdistonly-1.0.tar.gz", sdist_bytes("sdistonly", "1.0", hostile.canary))
    p = _predictor(index, tmp_path, trusted=True)
    est = await p.estimate(SizeRequest.make(["sdistonly"], "3.11"))
    p.close()
    assert not hostile.canary.exists(), hostile.canary.read_text()
    assert [pr.kind for pr in est.problems] == ["no-wheel"]
    assert "only a source distribution" in est.problems[0].message


@pytest.mark.parametrize(
    "vector", ["--index-url", "-i=", "--extra-index-url=", "--find-links", "-r outside", "-r /etc/passwd", "-c outside"]
)
async def test_untrusted_option_lines_are_not_obeyed(hostile, index, tmp_path, vector):
    text = hostile.option_lines()[vector]
    p = _predictor(index, tmp_path)
    est = await p.estimate(_request(tmp_path, ["six", text], []))
    p.close()
    assert hostile.evil.requests == []
    assert not any("outside-only-pkg" in path for path, _range in index.requests)
    assert [pk.name for pk in est.packages] == ["six"]
    assert any(text in note and "not trusted" in note for note in est.notes)


async def test_trusted_index_options_are_obeyed_but_outside_files_are_not_read(hostile, index, tmp_path):
    lines = hostile.option_lines()
    p = _predictor(index, tmp_path, trusted=True)
    est = await p.estimate(
        _request(tmp_path, ["six", lines["--extra-index-url="], lines["-r outside"], lines["-r /etc/passwd"]], [])
    )
    p.close()
    assert any(path.startswith("/simple/six") for path, _r in hostile.evil.requests)  # the project's index
    assert not any("outside-only-pkg" in path for path, _r in index.requests + hostile.evil.requests)
    assert [n for n in est.notes if "only inside the project" in n] == [
        f"{lines['-r outside']!r} is ignored: include files are read only inside the project",
        "'-r /etc/passwd' is ignored: include files are read only inside the project",
    ]


def test_include_files_inside_the_project_only(tmp_path):
    root = tmp_path / "p"
    (root / "req").mkdir(parents=True)
    (root / "req" / "base.txt").write_text("six\n-r more.txt  # relative to req/, as pip reads it\n")
    (root / "req" / "more.txt").write_text("attrs>=22\n-e .\n")
    (tmp_path / "secret.txt").write_text("secret-pkg\n")
    (root / "link.txt").symlink_to(tmp_path / "secret.txt")
    (root / "dirlink").symlink_to(tmp_path)
    plan = plan_requirements(
        ["-r req/base.txt", "-r link.txt", "-r dirlink/secret.txt", "-r ../secret.txt"], str(root), trusted=True
    )
    assert plan.requirements == ["six", "attrs>=22"]
    assert [u.requirement for u in plan.unpredictable] == ["-e ."]
    assert len([n for n in plan.notes if "only inside the project" in n]) == 3
    untrusted = plan_requirements(["-r req/base.txt"], str(root), trusted=False)
    assert untrusted.requirements == [] and "not trusted" in untrusted.notes[0]


def test_plan_sorts_every_form(tmp_path):
    plan = plan_requirements(
        [
            "six>=1",
            "pkg[x] @ https://h/p.whl",
            "./local",
            "C:\\src\\pkg",
            "hg+https://h/r",
            "--pre",
            "--index-url=https://mirror/simple",
            "--trusted-host mirror",
            "not a requirement!",
            3,
        ],
        str(tmp_path),
        trusted=True,
    )
    assert plan.requirements == ["six>=1"]
    assert plan.options == ["--index-url https://mirror/simple", "--trusted-host mirror"]
    assert [u.requirement for u in plan.unpredictable] == [
        "pkg[x] @ https://h/p.whl",
        "./local",
        "C:\\src\\pkg",
        "hg+https://h/r",
    ]
    assert "downloads the wheel" in plan.unpredictable[0].action and "clones" in plan.unpredictable[3].action
    assert plan.invalid == ["not a requirement!", "3"]
    assert plan.notes == ["'--pre' is ignored by the size prediction (an option line)"]


async def test_one_projects_index_cannot_change_anothers_answer(stub_index, fake_tools, tmp_path):
    """Project A's own index serves a different `six` claiming the clean wheel's sha256; project B
    (the default index only) must get the same answer as with an empty cache."""
    clean_fn, clean = SIX
    evil_fn, evil = make_wheel("six", "1.16.0", {"six.py": os.urandom(200_000).hex()}, tag="py2.py3-none-any")
    clean_url = stub_index.add_file(clean_fn, clean)
    evil_url = stub_index.url("evil/" + evil_fn)
    stub_index.files["evil/" + evil_fn] = (evil, len(evil))
    claimed = report_item("six", "1.16.0", evil_url, clean, requested=True)  # the clean wheel's sha256

    def predictor(cache: str, trusted: bool) -> SizePredictor:
        return SizePredictor(
            cache_dir=tmp_path / cache,
            python=fake_tools.python,
            use_uv=False,
            env=fake_tools.env(),
            index_url=stub_index.simple,
            trusted=trusted,
        )

    shared = predictor("shared", True)
    fake_tools.set_pip({"mode": "ok", "install": [claimed]})
    own = await shared.estimate(SizeRequest.make(["six", f"--index-url {stub_index.base}/evil/simple"], "3.11"))
    assert own.packages[0].size_method == "wheel-size-ratio"  # read whole, its sha256 did not match: not trusted
    fake_tools.set_pip({"mode": "ok", "install": [report_item("six", "1.16.0", clean_url, clean, requested=True)]})
    poisoned_or_not = await shared.estimate(SizeRequest.make(["six"], "3.11"))
    fresh = await predictor("fresh", False).estimate(SizeRequest.make(["six"], "3.11"))
    assert hashlib.sha256(clean).hexdigest() == poisoned_or_not.packages[0].sha256
    assert poisoned_or_not.archive_bytes == fresh.archive_bytes
    assert poisoned_or_not.packages[0].size_method == "exact"
