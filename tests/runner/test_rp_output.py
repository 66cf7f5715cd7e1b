"""runpod 2.0 `rp flash deploy --build-only` output (captured from the real 2.0.0rc2 under the runner's
environment: NO_COLOR, TERM=dumb, a pipe): its progress table and its findings mapped to source lines."""

from __future__ import annotations

from pathlib import Path

from flash_lsp.runner.errors import ERROR, WARNING, parse_build_output
from flash_lsp.runner.progress import RP_STEPS, ProgressTracker
from flash_lsp.runner.text import clean_line

DATA = Path(__file__).parent / "data" / "real-rp2.0rc2"


def _output(name: str, captured_root: str, root: Path) -> list[str]:
    """The captured lines with the capture's project directory replaced by `root`."""
    return [line.replace(captured_root, str(root)) for line in (DATA / name).read_text().splitlines()]


def _steps(lines: list[str]) -> list[tuple[int, str]]:
    tracker = ProgressTracker(RP_STEPS)
    return [s for s in (tracker.feed(clean_line(line)) for line in lines) if s]


def test_progress_of_a_successful_build():
    steps = _steps((DATA / "success.txt").read_text().splitlines())
    assert steps == [
        (70, "Packaging artifact"),
        (80, "Resolved dependencies"),
        (95, "Packaged artifact"),
        (100, "Build complete: e_mig-artifact.tar.gz (59.7 MB)"),
    ]
    assert not parse_build_output((DATA / "success.txt").read_text())


def test_tetra_step_lines_are_not_rp_steps():
    assert not _steps(["✓ Loaded ignore patterns", "✓ Installed 2 packages", "Build Complete"])


def test_no_app_found_makes_every_import_failure_an_error_at_its_line(tmp_path):
    (tmp_path / "syn.py").write_text('import runpod\napp = runpod.App("bad2")\ndef f(:\n')
    (tmp_path / "worker.py").write_text('import runpod\nimport nonexistent_mod\napp = runpod.App("bad")\n')
    lines = _output("no_app.txt", "/tmp/e_bad2", tmp_path)
    findings = parse_build_output(lines, str(tmp_path))
    by_file = {f.file: f for f in findings if f.kind == "import_failed"}
    assert set(by_file) == {"syn.py", "worker.py"}
    assert (by_file["syn.py"].line, by_file["syn.py"].severity) == (2, ERROR)
    assert (by_file["worker.py"].line, by_file["worker.py"].severity) == (1, ERROR)  # the failing import
    assert by_file["worker.py"].message == "importing worker.py failed: No module named 'nonexistent_mod'"
    assert [f.message for f in findings if f.kind == "build_error"] == [
        "no runpod.App found; some files failed to import:"
    ]
    assert _steps(lines) == [(5, "Discovering apps")]


def test_a_single_file_target_is_strict(tmp_path):
    (tmp_path / "worker.py").write_text('import runpod\nimport nonexistent_mod\napp = runpod.App("bad")\n')
    [finding] = parse_build_output(_output("single_file.txt", "/tmp/e_bad", tmp_path), str(tmp_path))
    assert (finding.kind, finding.severity, finding.file, finding.line) == ("import_failed", ERROR, "worker.py", 1)


def test_an_import_failure_beside_a_found_app_is_a_warning(tmp_path):
    (tmp_path / "worker.py").write_text("import nonexistent_mod\n")
    findings = parse_build_output(
        [f"importing {tmp_path}/worker.py failed: No module named 'nonexistent_mod'"], str(tmp_path)
    )
    assert [(f.kind, f.severity, f.line) for f in findings] == [("import_failed", WARNING, 0)]


def test_a_requirement_pip_cannot_find(tmp_path):
    findings = parse_build_output((DATA / "pip_failure.txt").read_text(), str(tmp_path))
    failed = [f for f in findings if f.kind == "requirement_failed"]
    assert [f.requirement for f in failed] == ["flash-lsp-no-such-package-xyz==9.9"]
    assert any(f.kind == "build_error" and f.message.startswith("dependency vendoring failed") for f in findings)
