"""runpod-flash 1.x shipped files, ignore rules and the 1.19 local-module closure check, against the
real builds recorded by `python -m tests.core.flash1_record` (runpod-flash 1.21.0, 1.17.0, 1.7.0)."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
from pathlib import Path

import pytest

from flash_lsp.core.flash1.closure import parse
from flash_lsp.core.flash1.files import FLASHIGNORE_WARNING, closure_check, collect, ignore_rules, last_closure
from flash_lsp.core.profiles import PROFILES
from flash_lsp.core.project import Project

DATA = Path(__file__).parent / "data" / "flash1_out"
EXPECTED = sorted((DATA / "expected").glob("*.json"))
PLACEHOLDER = "<PROJECT>"
_LOG_RECORD = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \| ")
_REAL_PARENT = re.compile(r"/tmp/fid1-real-[\w.-]+/work")


def profile_for(name: str, release: str):
    return dataclasses.replace(PROFILES.get(name) or PROFILES["flash-1.21"], release=release)


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def ws(text: str) -> str:
    return " ".join(text.split())


def project_copy(case: str, tmp_path: Path) -> Path:
    dest = tmp_path / case
    shutil.copytree(DATA / case, dest)
    return dest


def ours(text: str, root: Path) -> str:
    return ws(text.replace(str(root), PLACEHOLDER).replace(str(root.parent), "<PARENT>"))


def real_output(expected: dict) -> str:
    lines = [line for line in expected["output"].splitlines() if not _LOG_RECORD.match(line)]
    return ws(_REAL_PARENT.sub("<PARENT>", " ".join(lines)))


@pytest.mark.parametrize("path", EXPECTED, ids=[p.stem for p in EXPECTED])
def test_shipped_files_match_the_real_walk(path, tmp_path):
    expected = load(path)
    case = path.stem.rsplit("-flash-", 1)[0]
    root = project_copy(case, tmp_path)
    tree = collect(root, profile_for(expected["profile"], expected["release"]))
    assert sorted(tree.files) == sorted(expected["files"])
    if expected["archive_files"] is not None:  # the archive holds the same project files, plus a
        extra = set(expected["archive_files"]) - set(tree.files)  # handler written into a shipped dir
        assert set(tree.files) <= set(expected["archive_files"])
        assert all(p.split("/", 1)[0].startswith("handler_") for p in extra)
    warned = FLASHIGNORE_WARNING in expected["output"]
    assert (FLASHIGNORE_WARNING in tree.errors) == warned


CLOSURE = [p for p in EXPECTED if p.stem.endswith("flash-1.21")]


@pytest.mark.parametrize("path", CLOSURE, ids=[p.stem for p in CLOSURE])
def test_closure_check_matches_the_real_build(path, tmp_path):
    expected = load(path)
    case = path.stem.rsplit("-flash-", 1)[0]
    root = project_copy(case, tmp_path)
    profile = PROFILES["flash-1.21"]
    project = Project(root, profile)
    tree = collect(root, profile)
    result = closure_check(project, tree.files)
    assert last_closure(project) is result
    real = real_output(expected)
    if result.error is not None:
        assert expected["returncode"] == 1
        assert expected["errors"] == ours(result.error, root)
    else:
        assert not expected["errors"].startswith(("Shipped code imports", "Cannot resolve local imports"))
    for warning in result.warnings:
        assert ws("! " + ours(warning, root)) in real
    assert real.count("! Skipping local-module resolution") == sum(w.startswith("Skipping") for w in result.warnings)
    assert real.count("unresolvable dynamic import") == sum("unresolvable dynamic import" in w for w in result.warnings)


def test_closure_findings_point_at_the_import_lines(tmp_path):
    root = project_copy("closure_excluded", tmp_path)
    project = Project(root, PROFILES["flash-1.21"])
    result = closure_check(project, collect(root, project.profile).files)
    by_code = {f.code: f for f in result.findings}
    excluded = by_code["FL470"]
    assert excluded.relpath == "w.py"
    assert (excluded.span.line, excluded.span.col) == (2, 0)  # `from tests import helpers`
    assert excluded.excluded == ["tests/__init__.py", "tests/deep/__init__.py", "tests/deep/m2.py", "tests/helpers.py"]
    docs = [f for f in result.findings if f.code == "FL470" and "docs/conf.py" in f.excluded]
    assert [(f.relpath, f.span.line) for f in docs] == [("w.py", 3)]  # `import pkg.sub` reaches docs/conf.py
    assert by_code["FL473"].span.line == 8


def test_endpoint_error_is_on_the_import_that_leads_to_it(tmp_path):
    root = project_copy("closure_endpoint_relative", tmp_path)
    project = Project(root, PROFILES["flash-1.21"])
    result = closure_check(project, collect(root, project.profile).files)
    [finding] = [f for f in result.findings if f.code == "FL471"]
    assert (finding.relpath, finding.span.line) == ("w.py", 5)


def test_unsaved_text_is_what_the_check_reads(tmp_path):
    root = project_copy("closure_endpoint_relative", tmp_path)
    project = Project(root, PROFILES["flash-1.21"])
    project.set_override("pkg/sub.py", "X = 1\n")
    assert closure_check(project, collect(root, project.profile).files).error is None
    project.set_override("pkg/missing_mod.py", "Y = 2\n")
    project.set_override("pkg/sub.py", "from . import missing_mod\n")
    assert closure_check(project, collect(root, project.profile, project.overrides).files).error is None


def test_ignore_rules_by_release():
    newest = PROFILES["flash-1.21"]
    assert ignore_rules(newest) == ((".gitignore",), tuple(newest.builtin_ignores))
    files, builtins = ignore_rules(dataclasses.replace(newest, release="1.7.0"))
    assert files == (".flashignore", ".gitignore") and ".env" not in builtins
    assert ".env.*" in ignore_rules(dataclasses.replace(newest, release="1.10.2"))[1]


def test_parse_lists_imports_in_walk_order():
    parsed = parse(
        "import a.b\nfrom . import c, d\nfrom e import f\n\n@x.Endpoint(name='n')\ndef g():\n    __import__(h)\n"
    )
    refs = [(r.dotted, r.level, r.soft, r.dynamic) for r in parsed.refs]
    assert refs == [
        ("a.b", 0, False, False),
        ("c", 1, False, False),
        ("d", 1, False, False),
        ("e", 0, False, False),
        ("e.f", 0, True, False),
        ("", 0, False, True),
    ]
    assert parsed.endpoint
    assert not parse("@ep.get('/x')\ndef f(): pass\n").endpoint
    assert parse("def (:\n").syntax_error.startswith("invalid syntax")


def test_diagnostics_of_the_closure_check_and_flashignore(tmp_path):
    from flash_lsp.core.project import analyze_project

    root = project_copy("closure_excluded", tmp_path)
    model = analyze_project(root, PROFILES["flash-1.21"])
    found = {(d.code, d.path, d.span.line) for d in model.diagnostics if d.code.startswith("FL47")}
    assert found == {("FL470", "w.py", 2), ("FL470", "w.py", 3), ("FL473", "w.py", 8), ("FL474", ".flashignore", 0)}
    other = project_copy("closure_endpoint_relative", tmp_path)
    assert "FL471" in {d.code for d in analyze_project(other, PROFILES["flash-1.21"]).diagnostics}
    older = analyze_project(other, PROFILES["flash-1.17"])  # no closure check before 1.19
    assert not {d.code for d in older.diagnostics if d.code.startswith("FL47")}


def test_an_import_chain_deeper_than_the_stack_stops_the_build_without_crashing(tmp_path):
    root = tmp_path / "chain"
    root.mkdir()
    for i in range(1500):
        (root / f"m{i}.py").write_text(f"import m{i + 1}\n" if i < 1499 else "X = 1\n")
    project = Project(root, PROFILES["flash-1.21"])
    result = closure_check(project, collect(root, project.profile).files)
    # what runpod-flash 1.21.0 printed for a 600-module chain: the message of the RecursionError it hit
    assert result.error == "Build failed: maximum recursion depth exceeded while calling a Python object"


def test_a_dropped_project_is_freed_with_its_closure_check(tmp_path):
    """The kept closure check reads through the project: it must not keep the project alive."""
    import gc
    import weakref

    root = tmp_path / "p"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "helper.py").write_text("X = 1\n", encoding="utf-8")
    (root / "worker.py").write_text("from pkg import helper\n", encoding="utf-8")
    project = Project(root, PROFILES["flash-1.21"], trust_disk_cache=True, keep_last_good=True)
    assert project.analyze().outcome.succeeds
    assert last_closure(project) is not None
    alive = weakref.ref(project)
    del project
    gc.collect()
    assert alive() is None
