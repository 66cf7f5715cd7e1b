"""The real build's findings as catalogue diagnostics, in process: codes from the runner's kinds,
whole-line ranges, the places of one finding pointing at each other, unknown kinds."""

from __future__ import annotations

from flash_lsp.core.model import Severity, Span
from flash_lsp.core.project import Project
from flash_lsp.lsp.build_diagnostics import finding_diagnostics
from flash_lsp.runner import BuildFinding

from .test_build_commands import ERR, ERRORS_PY  # a project file with a duplicate route (one, two)


def _project(tmp_path):
    root = tmp_path / "proj"
    (root / "workers" / "errs").mkdir(parents=True)
    (root / "main.py").write_text("from fastapi import FastAPI\n\napp = FastAPI()\n")
    (root / "requirements.txt").write_text("six\n")
    (root / ERR).write_text(ERRORS_PY)
    return root, Project(root).analyze()


def _lines(root):
    return lambda rel: (root / rel).read_text().splitlines(True) if (root / rel).is_file() else []


def test_codes_places_and_whole_lines(tmp_path):
    root, model = _project(tmp_path)
    route = BuildFinding(
        "duplicate_route",
        "error",
        "Duplicate route 'POST /x'",
        function="two",
        functions=("one", "two"),
        resource="api_lb",
        resources=("api_lb",),
        route="POST /x",
    )
    large = BuildFinding("archive_too_large", "warning", "Archive exceeds RunPod limit")
    found = finding_diagnostics(root, model, [route, large], _lines(root))
    routes = [d for d in found if d.code == "FL703"]
    assert [(d.path, d.span.line) for d in routes] == [(ERR, 7), (ERR, 12)]
    assert [r.span.line for r in routes[0].related] == [12] and routes[0].related[0].message == "also reported here"
    assert all(d.severity == Severity.ERROR and d.data == {"kind": "duplicate_route"} for d in routes)
    (size,) = [d for d in found if d.code == "FL714"]
    assert (size.path, size.span, size.severity) == ("requirements.txt", Span(0, 0, 0, 3), Severity.WARNING)


def test_a_kind_the_catalogue_does_not_know_is_a_generic_build_error(tmp_path):
    root, model = _project(tmp_path)
    (d,) = finding_diagnostics(root, model, [BuildFinding("brand_new", "info", "something new")], _lines(root))
    assert (d.code, d.severity, d.path, d.message) == ("FL717", Severity.INFO, "main.py", "something new")
