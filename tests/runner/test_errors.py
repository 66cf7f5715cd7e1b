"""Build output → findings, on real tetra-rp 0.24 captures and on the fake's error modes."""

from __future__ import annotations

import pytest

from flash_lsp.runner.errors import BuildFinding, FindingCollector, SourceLocation, locate, parse_build_output

from .conftest import REAL_OUTPUT


def real(case: str) -> list[BuildFinding]:
    return parse_build_output((REAL_OUTPUT / f"{case}.txt").read_text(), f"/work/proj/{case}")


def only(findings: list[BuildFinding], kind: str) -> BuildFinding:
    assert [f.kind for f in findings] == [kind], findings
    return findings[0]


def test_duplicate_function_printed_four_times_is_one_finding():
    f = only(real("duplicate_function"), "duplicate_function")
    assert f.severity == "error"
    assert f.function == "process_data"
    assert f.resources == ("gpu_worker", "other_worker")
    assert f.message == "Duplicate function name 'process_data' found in resources 'gpu_worker' and 'other_worker'"


def test_duplicate_route():
    f = only(real("duplicate_route"), "duplicate_route")
    assert (f.resource, f.route, f.functions, f.function) == ("api_lb", "POST /x", ("one", "two"), "two")


def test_reserved_path():
    f = only(real("reserved_path"), "reserved_path")
    assert (f.function, f.route) == ("pinger", "/ping")


def test_lb_without_method_and_path():
    f = only(real("lb_without_route"), "lb_without_route")
    assert (f.resource, f.function) == ("api_lb", "nomethod")
    assert "requires method and path" in f.message


def test_handler_syntax_error_names_the_resource_not_the_raise_line():
    f = only(real("handler_syntax"), "handler_syntax_error")
    assert f.resource == "api_lb"
    assert f.message.startswith("Handler has syntax errors: unterminated string literal")


def test_handler_generation_failed_is_a_warning_with_resource():
    f = only(real("handler_failed"), "handler_generation_failed")
    assert f.severity == "warning"
    assert f.resource == "team/gpu"


def test_syntax_error_maps_build_dir_path_to_project_file_and_merges_duplicates():
    f = only(real("syntax_warning"), "syntax_error")
    assert (f.file, f.line, f.severity) == ("workers/gpu/bad.py", 0, "warning")


def test_main_missing():
    f = only(real("main_missing"), "main_py_missing")
    assert f.severity == "error" and "main.py not found in /work/proj/nomain" in f.message


def test_pip_failure_names_the_requirement_and_unmatched_exclusions():
    findings = real("pip_failure")
    assert [f.kind for f in findings] == ["exclusion_unmatched", "requirement_failed"]
    assert findings[0].packages == ("torch", "torchvision")
    assert findings[1].requirement == "six"


def test_success_has_no_findings():
    assert real("success") == []


def test_size_panel_with_box_borders():
    lines = [
        "╭─────────── Deployment Size Warning ───────────╮",
        "│ ⚠ WARNING: Archive exceeds RunPod limit        │",
        "│                                                │",
        "│ Archive size: 612.3 MB                         │",
        "│ RunPod limit: 500 MB                           │",
        "│ Over by: 112.3 MB                              │",
        "╰────────────────────────────────────────────────╯",
    ]
    f = only(parse_build_output(lines), "archive_too_large")
    assert (f.severity, f.size_mb, f.limit_mb) == ("warning", 612.3, 500.0)
    assert f.message == "Archive exceeds RunPod limit: 612.3 MB > 500 MB (over by 112.3 MB)"


def test_runpod_flash_error_formats():
    findings = parse_build_output(
        [
            "✗ Archive exceeds RunPod limit (1600.2 MB / 1500 MB)",
            "✗ Duplicate function name 'f' found in resources 'a' and 'b'",
            "! No packages matched exclusions: foo",
        ]
    )
    assert [(f.kind, f.severity) for f in findings] == [
        ("archive_too_large", "error"),
        ("duplicate_function", "error"),
        ("exclusion_unmatched", "warning"),
    ]
    assert findings[0].size_mb == 1600.2


@pytest.mark.parametrize(
    "line, kind, field, value",
    [
        ("ERROR: No matching distribution found for torch==9.9", "requirement_failed", "requirement", "torch==9.9"),
        ("ERROR: Invalid requirement: '-r other.txt'", "requirement_failed", "requirement", "-r other.txt"),
        ("pip install timed out (600 seconds)", "pip_failed", "message", "pip install timed out (600 seconds)"),
        ("Warning: main.py does not appear to have a FastAPI app", "main_py_not_fastapi", "file", "main.py"),
        ("Error: Code analysis failed: boom", "code_analysis_failed", "message", "Code analysis failed: boom"),
        ("⚠ No resources detected", "no_resources", "severity", "info"),
        ("Error: Build failed: disk full", "build_error", "message", "Build failed: disk full"),
    ],
)
def test_single_lines(line, kind, field, value):
    f = only(parse_build_output([line]), kind)
    assert getattr(f, field) == value


def test_generic_failure_without_requirement():
    f = only(
        parse_build_output(["pip install failed:", "ERROR: Something odd", "Error: Failed to install dependencies"]),
        "pip_failed",
    )
    assert f.message == "Failed to install dependencies: ERROR: Something odd"


def test_incremental_feed_equals_batch():
    text = (REAL_OUTPUT / "duplicate_route.txt").read_text().splitlines()
    collector = FindingCollector()
    for line in text:
        collector.feed(line)
    assert collector.findings() == parse_build_output(text)


def test_locate_uses_file_or_the_callers_locator():
    dup = BuildFinding("duplicate_function", "error", "m", function="f", resources=("a", "b"))
    syn = BuildFinding("syntax_error", "warning", "m", file="w.py", line=3)
    asked = []

    def locator(finding):
        asked.append(finding.kind)
        return [SourceLocation("a.py", 1), SourceLocation("b.py", 7)]

    located = locate([dup, syn], locator)
    assert located[0][1] == (SourceLocation("a.py", 1), SourceLocation("b.py", 7))
    assert located[1][1] == (SourceLocation("w.py", 3),)
    assert asked == ["duplicate_function"]
    assert locate([dup])[0][1] == ()
