"""Every hint kind, on hand-built estimates (no resolution needed)."""

from __future__ import annotations

from flash_lsp.bundle import hints
from flash_lsp.bundle.model import MIB, PackageSize, Problem, SizeEstimate, SizeRequest


def pkg(name, mb, *, required_by=(), direct=False, via=None):
    return PackageSize(
        name=name,
        version="1",
        filename=f"{name}-1-py3-none-any.whl",
        url="",
        wheel_bytes=None,
        archive_bytes=int(mb * MIB),
        uncompressed_bytes=None,
        files=None,
        required_by=list(required_by),
        direct=direct,
        via=via or [name],
        top_level=[],
        size_method="exact",
    )


def est_of(pkgs, *, limit=500 * MIB, extra=0):
    total = sum(p.archive_bytes for p in pkgs) + extra
    return SizeEstimate(
        archive_bytes=total, limit_bytes=limit, confidence="authoritative", state="ready", packages=pkgs
    )


def test_build_name_extraction_quirks():
    assert hints.extract_package_name("torch>=2.0") == "torch"
    assert hints.extract_package_name("Torch [cuda] ; python_version>'3'") == "torch"
    assert hints.extract_package_name("torch~=2.0") == "torch~"
    assert hints.extract_package_name("my-pkg==1.0") == "my-pkg"
    kept, removed, unmatched = hints.split_requirements(
        ["torch~=2.0", "my-pkg==1", "numpy", "six"], ["torch", "my_pkg", "six"]
    )
    assert kept == ["torch~=2.0", "my-pkg==1", "numpy"] and removed == ["six"]
    assert unmatched == ["my_pkg", "torch"]


def test_over_and_near_limit():
    big = est_of([pkg("a", 400), pkg("b", 150)])
    (h,) = hints.size_hints(big, SizeRequest.make(["a", "b"], "3.11"))
    assert h.kind == "over-limit" and h.severity == "warning" and "550.0 MB" in h.message and "500.0 MB" in h.message
    assert h.data["largest"][0]["name"] == "a"
    assert hints.size_hints(big, SizeRequest.make(["a"], "3.11"), limit_is_error=True)[0].severity == "error"
    near = est_of([pkg("a", 410)])
    (h,) = hints.size_hints(near, SizeRequest.make(["a"], "3.11"))
    assert h.kind == "near-limit" and "82%" in h.message
    assert hints.size_hints(est_of([pkg("a", 100)]), SizeRequest.make(["a"], "3.11")) == []
    # The build compares st_size / 1048576 > 500: exactly 500 MiB is not over.
    exact = est_of([pkg("a", 500)])
    assert not exact.over_limit and hints.size_hints(exact, SizeRequest.make(["a"], "3.11"))[0].kind == "near-limit"


def test_problem_hints():
    e = SizeEstimate(
        archive_bytes=None,
        limit_bytes=500 * MIB,
        confidence="authoritative",
        state="error",
        problems=[Problem("no-wheel", "no wheel of x", "x", ["x==1"]), Problem("conflict", "a vs b", None, ["a", "b"])],
    )
    kinds = [h.kind for h in hints.problem_hints(e)]
    assert kinds == ["no-wheel", "conflict"]


TORCH_REQUIRES = {
    "torch": ["nvidia-cublas-cu12", "triton", "sympy"],
    "torchvision": ["torch", "pillow"],
    "accelerate": ["torch", "numpy"],
    "diffusers": ["pillow", "numpy"],
}


def test_gpu_torch_exclusion_saving():
    pkgs = [
        pkg("torch", 300, required_by=["torch>=2", "torchvision"], direct=True),
        pkg("nvidia-cublas-cu12", 200, required_by=["torch>=2", "torchvision"], via=["torch", "nvidia-cublas-cu12"]),
        pkg("triton", 100, required_by=["torch>=2"]),
        pkg("sympy", 5, required_by=["torch>=2"]),
        pkg("torchvision", 7, direct=True),
        pkg("pillow", 4, required_by=["torchvision", "diffusers"]),
        pkg("diffusers", 3, direct=True),
        pkg("numpy", 8, required_by=["diffusers"]),
    ]
    req = SizeRequest.make(["torch>=2", "torchvision", "diffusers"], "3.11", gpu=True)
    e = est_of(pkgs)
    hs, notes = hints.torch_hints(e, req, {"requires": TORCH_REQUIRES})
    (h,) = hs
    assert h.kind == "gpu-torch-exclusion" and h.data["exclude"] == "torch,torchvision,torchaudio"
    assert sorted(h.data["removed"]) == ["nvidia-cublas-cu12", "sympy", "torch", "torchvision", "triton"]
    assert h.data["saving_bytes"] == int(612 * MIB) and "612.0 MB" in h.message
    assert notes == []
    # CPU-only project: no such advice (CPU images have no torch).
    assert (
        hints.torch_hints(
            e, SizeRequest.make(["torch>=2", "torchvision", "diffusers"], "3.11"), {"requires": TORCH_REQUIRES}
        )[0]
        == []
    )


def test_gpu_torch_quirk_tilde():
    pkgs = [pkg("torch", 300, required_by=["torch~=2.0"], direct=True), pkg("triton", 100, required_by=["torch~=2.0"])]
    req = SizeRequest.make(["torch~=2.0"], "3.11", gpu=True)
    (h,), _ = hints.torch_hints(est_of(pkgs), req, {"requires": TORCH_REQUIRES})
    assert h.data["quirks"] and "'torch~'" in h.message


def test_transitive_torch_note():
    pkgs = [
        pkg("accelerate", 1, direct=True),
        pkg("torch", 800, required_by=["accelerate"], via=["accelerate", "torch"]),
        pkg("nvidia-cublas-cu12", 700, required_by=["accelerate"]),
        pkg("triton", 150, required_by=["accelerate"]),
        pkg("sympy", 5, required_by=["accelerate"]),
        pkg("numpy", 8, required_by=["accelerate"]),
    ]
    req = SizeRequest.make(["accelerate"], "3.11", gpu=True)
    hs, notes = hints.torch_hints(est_of(pkgs), req, {"requires": TORCH_REQUIRES})
    (note,) = notes
    assert "torch arrives transitively via accelerate (accelerate → torch) and is bundled whole" in note
    assert "no archive-level filter" in note
    (h,) = hs
    assert h.kind == "torch-transitive" and h.data["bytes"] == int(1655 * MIB)
    assert "numpy" not in h.data["packages"]


def test_exclusion_hints():
    pkgs = [
        pkg("my-pkg", 1, direct=True),
        pkg("pandas", 30, direct=True),
        pkg("numpy", 20, required_by=["pandas"]),
        pkg("torch", 300, direct=True, required_by=["torch~=2.0"]),
    ]
    req = SizeRequest.make(
        ["my-pkg==1.0", "pandas", "torch~=2.0"],
        "3.11",
        exclusions=["my_pkg", "numpy", "nothing-here", "six", "torch", "pandas==2.0"],
        excluded_requirements=["six>=1"],
    )
    hs = {h.data["token"]: h for h in hints.exclusion_hints(est_of(pkgs), req)}
    assert "six" not in hs  # matched: nothing to say
    assert hs["my_pkg"].kind == "exclude-name-mismatch" and "'my-pkg'" in hs["my_pkg"].message
    assert hs["torch"].kind == "exclude-name-mismatch" and hs["torch"].data["build_name"] == "torch~"
    assert (
        hs["pandas==2.0"].kind == "exclude-name-mismatch"
        and "names, not requirement specifiers" in hs["pandas==2.0"].message
    )
    assert hs["numpy"].kind == "exclude-transitive" and hs["numpy"].data["required_by"] == ["pandas"]
    assert hs["nothing-here"].kind == "exclude-unmatched"
