"""flash.clean and the exclusions recommended for flash.package."""

from __future__ import annotations

from flash_lsp.runner.clean import clean
from flash_lsp.runner.recommend import recommend_exclusions


def test_clean_removes_build_dir_and_archives_only(tmp_path):
    root = tmp_path / "p"
    flash = root / ".flash"
    (flash / ".build" / "pkg").mkdir(parents=True)
    (flash / ".build" / "pkg" / "x.py").write_text("x")
    (flash / ".build" / "pkg" / "x.py").chmod(0o444)
    (flash / ".build" / "pkg").chmod(0o555)
    for name in ("archive.tar.gz", "custom.tar.gz", "flash_manifest.json", "notes.txt"):
        (flash / name).write_text("x")
    (flash / "logs").mkdir()
    (root / "main.py").write_text("x")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("x")
    (flash / "linked.tar.gz").symlink_to(outside)

    result = clean(root)
    assert set(result.removed) == {
        ".flash/.build",
        ".flash/archive.tar.gz",
        ".flash/custom.tar.gz",
        ".flash/linked.tar.gz",
    }
    assert result.errors == ()
    assert sorted(p.name for p in flash.iterdir()) == ["flash_manifest.json", "logs", "notes.txt"]
    assert (root / "main.py").exists() and (outside / "keep.txt").exists()
    assert clean(root).removed == ()


def test_clean_without_flash_dir(tmp_path):
    assert clean(tmp_path).removed == ()


def test_gpu_app_excludes_torch_family():
    advice = recommend_exclusions(["LiveServerless"])
    assert advice.exclude == ("torch", "torchvision", "torchaudio")
    assert advice.argument == "--exclude torch,torchvision,torchaudio" and advice.caveats == ()


def test_cpu_only_app_excludes_nothing():
    advice = recommend_exclusions(["CpuLiveServerless", "CpuLiveLoadBalancer"])
    assert advice.exclude == () and advice.argument == "" and "CPU-only" in advice.reason


def test_mixed_app_warns_about_cpu_workers():
    advice = recommend_exclusions(["LiveServerless", "CpuLiveLoadBalancer", "Endpoint"])
    assert advice.exclude == ("torch", "torchvision", "torchaudio")
    assert any("CpuLiveLoadBalancer" in c for c in advice.caveats)
    assert any("Endpoint" in c for c in advice.caveats)


def test_requirements_narrow_the_advice():
    assert recommend_exclusions(["LiveServerless"], requirements=["torch>=2", "numpy"]).exclude == ("torch",)
    assert recommend_exclusions(["LiveServerless"], requirements=["six"]).exclude == ()


def test_runpod_flash_auto_excludes():
    assert recommend_exclusions(["LiveServerless"], package="runpod-flash", version="1.9.0").exclude == ()
    assert recommend_exclusions(["LiveServerless"], package="runpod-flash", version="1.8.0").exclude != ()


def test_remove_unfinished_removes_only_output_written_since_the_build_started(tmp_path):
    import os
    import time

    from flash_lsp.runner.clean import remove_unfinished

    flash = tmp_path / ".flash"
    flash.mkdir()
    (flash / "previous.tar.gz").write_bytes(b"complete")  # a complete archive of an earlier build
    (flash / "flash_manifest.json").write_text("{}")
    started = time.time()
    os.utime(flash / "previous.tar.gz", (started - 60, started - 60))
    (flash / ".build").mkdir()
    (flash / "archive.tar.gz").write_bytes(b"\x1f\x8b\x08\x00")
    result = remove_unfinished(tmp_path, started)
    assert result.removed == (".flash/.build", ".flash/archive.tar.gz") and result.errors == ()
    assert sorted(p.name for p in flash.iterdir()) == ["flash_manifest.json", "previous.tar.gz"]
    assert remove_unfinished(tmp_path / "nothing", started).removed == ()
