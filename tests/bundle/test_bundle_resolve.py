"""Resolver plumbing without the network: commands, reports, pylock, error classification, graph."""

from __future__ import annotations

from pathlib import Path

from flash_lsp.bundle import resolve, resolve_uv
from flash_lsp.bundle.cache import normalise_requirement, resolution_key
from flash_lsp.bundle.graph import reachable, required_by

from .stubs import pylock, report_item

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "bundle"


def test_pip_command_has_the_builds_flags():
    cmd = resolve.pip_command("/py", "/tmp/x/requirements.txt", "3.11", no_deps=True, report="/r.json", target="/t")
    joined = " ".join(cmd)
    for part in (
        "-m pip install --dry-run",
        "--report /r.json",
        "--target /t",
        "--python-version 3.11",
        "--upgrade",
        "--platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64",
        "--implementation cp",
        "--only-binary=:all:",
        "--no-deps",
    ):
        assert part in joined
    assert cmd[-2:] == ["-r", "/tmp/x/requirements.txt"]  # the sanitized file we wrote (bundle.plan)


def test_uv_command():
    cmd = resolve_uv.uv_command("uv", "in.txt", "pylock.toml", "3.12", no_deps=False)
    assert cmd[:3] == ["uv", "pip", "compile"]
    assert "x86_64-manylinux_2_28" in cmd and "pylock.toml" in cmd and cmd[-1] == "in.txt"
    assert "--only-binary" in cmd and ":all:" in cmd
    # no uv.toml / pyproject.toml of anyone's, no source build, no interpreter search
    assert {"--no-config", "--no-sources", "--no-build"} <= set(cmd)
    assert resolve_uv.uv_command("uv", "in.txt", "pylock.toml", "3.12", no_deps=False, python="/py")[-3:] == [
        "--python",
        "/py",
        "in.txt",
    ]


def test_parse_pip_report():
    rep = {
        "install": [
            report_item(
                "requests",
                "2.32.0",
                "https://x/requests-2.32.0-py3-none-any.whl",
                b"abc",
                requires=["idna<4"],
                requested=True,
            ),
            report_item("idna", "3.7", "https://x/idna-3.7-py3-none-any.whl#sha256=00", b"def"),
        ]
    }
    res = resolve.parse_pip_report(rep, "pip 23.2.1")
    assert [d.name for d in res.dists] == ["requests", "idna"]
    assert res.dists[0].filename == "requests-2.32.0-py3-none-any.whl"
    assert res.dists[1].filename == "idna-3.7-py3-none-any.whl"
    assert res.dists[0].requested and res.dists[0].requires_dist == ["idna<4"]
    assert len(res.dists[0].sha256) == 64


def test_parse_pylock_picks_pips_wheel_and_flags_divergence():
    text = pylock(
        [
            (
                "charset-normalizer",
                "3.5.3",
                [
                    ("https://x/charset_normalizer-3.5.3-py3-none-any.whl", 68878),
                    (
                        "https://x/charset_normalizer-3.5.3-cp311-cp311-manylinux1_x86_64.manylinux_2_28_x86_64.manylinux_2_5_x86_64.whl",
                        263382,
                    ),
                ],
            ),
            (
                "nvidia-cublas",
                "13.4.1.3",
                [("https://x/nvidia_cublas-13.4.1.3-py3-none-manylinux_2_27_x86_64.whl", 500)],
            ),
        ]
    )
    res = resolve_uv.parse_pylock(text, "3.11", resolve.RUNPOD_PLATFORMS, "uv 0.13.9", {"charset-normalizer"})
    cn = res.dists[0]
    assert cn.filename.startswith("charset_normalizer-3.5.3-cp311") and cn.size == 263382 and cn.requested
    assert res.diverged == ["nvidia-cublas==13.4.1.3"]


def _err(name: str, tool: str = "pip"):
    text = (FIX / f"{tool}_errors" / f"{name}.txt").read_text()
    return resolve.classify_pip_error(text, "pip 23.2.1") if tool == "pip" else resolve_uv.classify_uv_error(text)


def test_classify_pip_errors():
    e = _err("no_wheel")
    assert e.kind == "no-wheel" and e.packages == ["pyyaml"] and e.requirements == ["pyyaml==5.3"]
    e = _err("conflict")
    assert e.kind == "conflict"
    assert "The user requested urllib3<1.21" in e.requirements
    assert any(r.startswith("requests 2.31.0 depends on urllib3") for r in e.requirements)
    assert set(e.packages) == {"requests==2.31.0", "urllib3<1.21"}
    assert _err("network").kind == "network"
    e = _err("requires_python")
    assert e.kind == "requires-python" and e.packages == ["numpy"]
    assert _err("invalid").kind == "invalid"


def test_classify_uv_errors():
    assert _err("no_wheel", "uv").kind == "no-wheel"
    assert "pyyaml" in _err("no_wheel", "uv").packages
    e = _err("conflict", "uv")
    assert e.kind == "conflict" and "urllib3" in e.message
    assert _err("network", "uv").kind == "network"
    assert _err("offline", "uv").kind == "network"


def test_cache_key_normalisation():
    a = resolution_key(["Requests >= 2", "six"], "3.11", ("p",), False, "x")
    b = resolution_key(["six", "requests>=2"], "3.11", ("p",), False, "x")
    assert a == b
    assert a != resolution_key(["six", "requests>=2"], "3.12", ("p",), False, "x")
    assert a != resolution_key(["six", "requests>=2"], "3.11", ("p",), True, "x")
    assert (
        normalise_requirement("Foo_Bar[B,a] >=1,<2 ; python_version>'3'") == 'foo-bar[a,b]<2,>=1 ; python_version > "3"'
    )


def test_required_by_with_extras_and_markers():
    requires = {
        "uvicorn": [
            "click>=7",
            "h11",
            'uvloop; extra == "standard" and sys_platform != "win32"',
            'colorama; sys_platform == "win32"',
        ],
        "fastapi": ["starlette", "pydantic"],
        "pydantic": ["pydantic-core", "typing-extensions"],
        "starlette": ["anyio", "typing-extensions"],
        "anyio": ["idna"],
    }
    resolved = {
        "uvicorn",
        "click",
        "h11",
        "uvloop",
        "fastapi",
        "starlette",
        "pydantic",
        "pydantic-core",
        "typing-extensions",
        "anyio",
        "idna",
        "colorama",
    }
    by, chains = required_by(["fastapi>=0.100", "uvicorn[standard]"], requires, "3.11", resolved)
    assert by["uvloop"] == ["uvicorn[standard]"]
    assert by["typing-extensions"] == ["fastapi>=0.100"]
    assert chains["idna"] == ["fastapi", "starlette", "anyio", "idna"]
    assert "colorama" not in by  # win32 only
    by2, _ = required_by(["uvicorn"], requires, "3.11", resolved)
    assert "uvloop" not in by2
    assert reachable(["fastapi"], requires, "3.11", resolved, blocked={"starlette"}) == {
        "fastapi",
        "pydantic",
        "pydantic-core",
        "typing-extensions",
    }
