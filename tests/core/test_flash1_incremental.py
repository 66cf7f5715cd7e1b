"""runpod-flash 1.21: an analysis kept up to date edit by edit (the editor's project, which reuses
the imports of unchanged modules) predicts exactly what a cold analysis of the same texts does."""

from __future__ import annotations

import ast
import tempfile
import textwrap
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flash_lsp.core.environment import Environment
from flash_lsp.core.flash1 import scan_reuse
from flash_lsp.core.flash1.analysis import parse_source
from flash_lsp.core.flash1.baseline import FLASH1_BASELINE
from flash_lsp.core.flash1.pruned_walk import pruned_walk
from flash_lsp.core.profiles import FLASH_121
from flash_lsp.core.project import Project

from .conftest import write_project

ENV = Environment(FLASH1_BASELINE, "test", "3.11", "2.14")
STAMP = "2026-01-01T00:00:00.000000Z"
FILES = ["a.py", "b.py", "pkg/c.py", "pkg/shared.py", "z.py"]
# Module-level pieces a generated file is made of: imports of project modules (loaded by an
# earlier file or not), failing imports, `sys.path` changes, endpoints of every form, client
# mode, cross calls, names that clash across files, and a syntax error.
PIECES = [
    "from runpod_flash import Endpoint, GpuGroup\n",
    "import pkg.shared\n",
    "from pkg.shared import VALUE\n",
    "from pkg import c\n",
    "import b\n",
    "import not_installed_anywhere\n",
    "import os, sys\nsys.path.insert(0, os.path.join(os.path.dirname(__file__), 'pkg'))\n",
    "import shared\n",
    "VALUE = {n}\n",
    "raise RuntimeError('boom {n}')\n",
    "from runpod_flash import Endpoint\n\n@Endpoint(name='ep{n}', workers=(0, {n}))\nasync def fn{n}(x):\n    return x\n",
    "from runpod_flash import Endpoint\n\n@Endpoint(name='same', cpu='cpu3c-1-2')\ndef dup(x):\n    return x\n",
    "from runpod_flash import Endpoint\napi = Endpoint(name='lb{n}', cpu='cpu3c-1-2')\n\n@api.post('/p{n}')\n"
    "async def route{n}(x):\n    return x\n",
    "from runpod_flash import Endpoint\nclient = Endpoint(name='client', image='img:{n}')\n",
    "def helper{n}():\n    return fn{n}(1)\n",
    "def broken(:\n",
]
BROKEN = len(PIECES) - 1


def edits(pieces: int) -> st.SearchStrategy:
    edit = st.tuples(st.sampled_from(FILES), st.lists(st.integers(0, pieces - 1), max_size=4), st.integers(1, 3))
    return st.lists(edit, min_size=1, max_size=8)


def _text(pieces: list[int], n: int) -> str:
    return "".join(PIECES[i].replace("{n}", str(n)) for i in pieces)


def _project(root: Path, editor: bool, last_good: bool) -> Project:
    return Project(root, FLASH_121, ENV, {}, keep_last_good=last_good, trust_disk_cache=editor)


def _observed(model) -> tuple:
    """Everything the CLI and the editor show of one analysis."""
    scan = model.__dict__["flash1"].scan
    return (
        model.manifest_text(),
        model.handlers.files,
        model.handlers.error,
        model.handlers.warning,
        model.outcome,
        [(f.name, f.relpath, f.resource, f.calls) for f in (scan.functions if scan else [])],
        model.discovery.dropped_files,
        sorted((d.path, d.code, d.message, d.span, d.severity, d.related) for d in model.diagnostics),
    )


def _cold(root: Path, overrides: dict[str, str], last_good: bool):
    project = _project(root, editor=False, last_good=last_good)
    for relpath, text in overrides.items():
        project.set_override(relpath, text)
    return project.analyze(STAMP)


def _check_sequence(root: Path, steps: list[tuple[str, list[int], int]], last_good: bool = True) -> int:
    """Apply `steps` to one editor project, comparing each analysis with a cold one; returns how
    many analyses reused the scan of the previous one in part. (With `last_good`, a file that
    does not parse is analysed as its last parsable text, which a cold project never saw: the
    steps must then be free of syntax errors.)"""
    reused = 0
    original = scan_reuse.rescan

    def counting(*args, **kwargs):
        nonlocal reused
        result = original(*args, **kwargs)
        reused += result is not None
        return result

    with mock.patch("flash_lsp.core.flash1.analysis.rescan", counting):
        _follow(root, [(relpath, _text(pieces, n)) for relpath, pieces, n in steps], last_good)
    return reused


def _follow(root: Path, edits: list[tuple[str, str]], last_good: bool) -> None:
    """Set each (file, text) of `edits` on one editor project, comparing every analysis with a cold one."""
    editor = _project(root, editor=True, last_good=last_good)
    editor.analyze(STAMP)
    overrides: dict[str, str] = {}
    for relpath, text in edits:
        overrides[relpath] = text
        editor.set_override(relpath, text)
        assert _observed(editor.analyze(STAMP)) == _observed(_cold(root, overrides, last_good))


BASE = {
    "a.py": _text([0, 1, 10], 1),
    "b.py": _text([8, 12], 2),
    "pkg/c.py": _text([2, 10], 3),
    "pkg/shared.py": "VALUE = 7\n",
    "z.py": _text([14, 10], 4),
}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=edits(BROKEN))
def test_editor_analysis_equals_a_cold_one_after_generated_edits(steps):
    with tempfile.TemporaryDirectory() as tmp:
        _check_sequence(write_project(Path(tmp) / "p", dict(BASE), main=False), steps)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=edits(len(PIECES)))
def test_incremental_analysis_equals_a_cold_one_with_syntax_errors(steps):
    with tempfile.TemporaryDirectory() as tmp:
        _check_sequence(write_project(Path(tmp) / "p", dict(BASE), main=False), steps, last_good=False)


def test_an_edited_self_contained_module_is_imported_again_alone(tmp_path):
    root = write_project(tmp_path / "p", dict(BASE), main=False)
    steps = [
        ("z.py", [14, 10], 5),  # endpoint arguments of a module no other file imports
        ("b.py", [8, 12, 13], 6),  # a client-mode endpoint appears
        ("pkg/c.py", [2, 10, 9], 7),  # its import now raises
        ("pkg/c.py", [2, 10], 8),
    ]
    assert _check_sequence(root, steps) == len(steps)


def test_edits_that_change_what_later_files_see_scan_everything_again(tmp_path):
    root = write_project(tmp_path / "p", dict(BASE), main=False)
    steps = [
        ("pkg/shared.py", [8], 9),  # imported by a.py and pkg/c.py
        ("z.py", [3, 10], 10),  # imports a module no earlier file loaded
        ("b.py", [6, 8], 11),  # changes sys.path
    ]
    assert _check_sequence(root, steps) == 0


def test_a_module_that_starts_changing_sys_path_is_seen_by_later_files(tmp_path):
    root = write_project(tmp_path / "p", dict(BASE), main=False)
    steps = [
        ("z.py", [7, 10], 12),  # `import shared` fails: nothing puts pkg/ on sys.path
        ("b.py", [6, 8, 12], 13),  # now b.py does, and z.py's import succeeds
    ]
    assert _check_sequence(root, steps) == 1


@settings(max_examples=60, deadline=None)
@given(pieces=st.lists(st.integers(0, BROKEN - 1), max_size=8), crlf=st.booleans())
def test_the_pruned_walk_finds_what_ast_walk_finds_in_the_same_order(pieces, crlf):
    text = "x = 1\n" + _text(pieces, 1) + "@decorate(\n    fn1)\ndef late():\n    pass\n"
    text = text.replace("\n", "\r\n") if crlf else text
    source = parse_source("m.py", text)
    names = ["fn1", "Endpoint"]

    def wanted(nodes):
        return [
            n
            for n in nodes
            if isinstance(n, (ast.Name, ast.FunctionDef, ast.AsyncFunctionDef))
            and (getattr(n, "id", None) in names or getattr(n, "name", None) in names)
        ]

    assert wanted(pruned_walk(source, names)) == wanted(ast.walk(source.tree))


def test_a_submodule_bound_on_its_package_by_a_later_file_is_not_seen_earlier(tmp_path):
    root = write_project(tmp_path / "p", dict(BASE), main=False)
    steps = [
        ("pkg/shared.py", [3], 1),  # pkg/c.py's own import now sets `pkg.c` (through pkg/shared.py)
        ("b.py", [3], 1),  # b.py, before it in the order, must import pkg/c.py itself
    ]
    _check_sequence(root, steps)


# Keystrokes inside function bodies: a helper's body (which the build cannot see: the file's
# parsed source is kept and only its lines change), an endpoint's body (which ships), and module
# code; the editor rules (FL446/FL447), the `dependencies=` strings and parse warnings must follow.
BODY_FILES = {
    "a.py": "from runpod_flash import Endpoint\nimport json\n\nLIMIT = 3\n{module}\n\n"
    "@Endpoint(name='ep', cpu='cpu3c-1-2', dependencies=['numpy'])\nasync def fn(x):\n{endpoint}\n\n\n"
    "def helper(y):\n{helper}\n\n\nclass Box:\n    def get(self):\n{method}\n",
    "b.py": "from runpod_flash import Endpoint\n\n\n@Endpoint(name='other', cpu='cpu3c-1-2')\ndef other(x):\n"
    "    return x\n\n\ndef tool():\n{tool}\n",
}
SLOTS = {"module": "a.py", "endpoint": "a.py", "helper": "a.py", "method": "a.py", "tool": "b.py"}
BODIES = [
    "    return {n}",
    "    return json.dumps({n})  # {n}",
    "    return undefined_call({n})",
    "    value = LIMIT * {n}\n    return value",
    "    import os\n    return os.sep * {n}",
    "    return ({n},\n            {n})",
    "    return fn({n})",
]
MODULE_LINES = ["", "EXTRA = {n}", "DEPS = ['requests=={n}']", "import os"]


START = {
    "module": "",
    "endpoint": "    return x + LIMIT",
    "helper": "    return y",
    "method": "        return 1",
    "tool": "    return 0",
}


def _render(slots: dict[str, str], relpath: str) -> str:
    return BODY_FILES[relpath].format(**slots)


def _body_edits(steps: list[tuple[str, int, int]]) -> list[tuple[str, str]]:
    """(file, text) after each (slot, variant, n) of `steps`, starting from `START`."""
    slots = dict(START)
    out = []
    for slot, variant, n in steps:
        choices = MODULE_LINES if slot == "module" else BODIES
        slots[slot] = choices[variant % len(choices)].replace("{n}", str(n))
        if slot == "method":
            slots[slot] = textwrap.indent(slots[slot], "    ")
        out.append((SLOTS[slot], _render(slots, SLOTS[slot])))
    return out


def _base_body_project(root: Path) -> Path:
    return write_project(root, {relpath: _render(START, relpath) for relpath in BODY_FILES}, main=False)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(sorted(SLOTS)), st.integers(0, len(BODIES) - 1), st.integers(1, 9)),
        min_size=1,
        max_size=10,
    )
)
def test_analysis_after_body_edits_equals_a_cold_one(steps):
    with tempfile.TemporaryDirectory() as tmp:
        _follow(_base_body_project(Path(tmp) / "p"), _body_edits(steps), last_good=True)


def test_helper_body_edits_keep_the_parsed_source_and_match_a_cold_analysis(tmp_path):
    from flash_lsp.core.flash1 import analysis

    original, kept = analysis.apply_body_edit, []

    def counting(*args):
        kept.append(original(*args))
        return kept[-1]

    one_line = [("helper", v, n) for n in range(1, 4) for v in (0, 1, 2, 6)]
    steps = [*one_line, ("tool", 2, 5), ("method", 1, 6)]
    with mock.patch("flash_lsp.core.flash1.analysis.apply_body_edit", counting):
        _follow(_base_body_project(tmp_path / "p"), _body_edits(steps), last_good=True)
    assert len(kept) == len(steps) and all(kept)  # every one of them took the body-edit path


def test_the_fingerprint_kept_in_parts_equals_a_cold_one(tmp_path):
    files = {f"m{i:03}.py": f"X = {i}\n" for i in range(150)}  # more records than one kept hash state covers
    files["ep.py"] = _text([10], 1)
    root = write_project(tmp_path / "p", files, main=False)
    editor = _project(root, editor=True, last_good=True)
    first = editor.analyze(STAMP).manifest["source_fingerprint"]
    overrides: dict[str, str] = {}
    for n, relpath in enumerate(["m140.py", "m003.py", "m070.py", "m149.py", "m000.py", "m003.py"]):
        overrides[relpath] = f"X = {n} * 2\n"
        editor.set_override(relpath, overrides[relpath])
        fingerprint = editor.analyze(STAMP).manifest["source_fingerprint"]
        assert fingerprint == _cold(root, overrides, True).manifest["source_fingerprint"] != first


# Keystrokes in module-level statements (an `@Endpoint(...)`'s arguments, a config call): the
# statement is parsed again alone and spliced into the file's tree (core/statement_edit.py).
WORKER = (
    "from runpod_flash import Endpoint, GpuGroup\nimport json\n\nLIMIT = 3\n\n"
    "api = Endpoint(\n    name='lb',\n    cpu='cpu3c-1-2',\n)\n\n\n"
    "@Endpoint(name='ep', gpu=GpuGroup.ADA_24, workers=(0, 2), dependencies=['numpy'])\n"
    "async def fn(x):\n    return json.dumps(x)\n\n\n"
    "@api.post('/p')\nasync def route(x):\n    return fn(x)\n\n\n"
    "def helper(y):\n    for i in range(LIMIT):\n        y += i\n    return y\n"
)


def test_endpoint_argument_edits_reparse_one_statement_and_match_a_cold_analysis(tmp_path):
    from flash_lsp.core.flash1 import analysis

    original, spliced = analysis.splice_statement, []

    def counting(*args):
        spliced.append(original(*args))
        return spliced[-1]

    text, edits = WORKER, []
    for old, new in [("(0, 2)", "(0, 3)"), ("['numpy']", "['numpy', 'attrs']"), ("'/p'", "'/q'"), ("='lb'", "='lb2'")]:
        text = text.replace(old, new)
        edits.append(("w.py", text))
    with mock.patch("flash_lsp.core.flash1.analysis.splice_statement", counting):
        _follow(write_project(tmp_path / "p", {"w.py": WORKER}, main=False), edits, last_good=True)
    assert len(spliced) == len(edits) and all(spliced)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    edits=st.lists(
        st.tuples(
            st.integers(0, 10**6),
            st.integers(0, 3),
            st.sampled_from([*"(),=:'@#\n 1x;", "global LIMIT\n", "return 1\n", "await fn(1)", "api", "Endpoint"]),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_editor_analysis_equals_a_cold_one_after_generated_keystrokes(tmp_path_factory, edits):
    text, steps = WORKER, []
    for position, removed, inserted in edits:
        position %= len(text)
        text = text[:position] + inserted + text[position + removed :]
        steps.append(("w.py", text))
    _follow(write_project(tmp_path_factory.mktemp("p"), {"w.py": WORKER}, main=False), steps, last_good=False)


def test_a_rename_after_a_form_feed_is_seen(tmp_path):
    """`str.splitlines` breaks at a form feed and Python does not: what the import depends on is
    read on the parser's lines, so renaming the def after it still re-imports the module."""
    text = WORKER.replace("workers=(0, 2)", "workers=(0, 2\f)")
    steps = [("w.py", text), ("w.py", text.replace("def route", "def route2")), ("w.py", text)]
    _follow(write_project(tmp_path / "p", {"w.py": WORKER}, main=False), steps, last_good=True)


def test_the_editor_summary_reuses_the_analysis_parse(tmp_path):
    """A file that mentions `remote` (here in its docstring) is summarised for the editor too; that
    summary takes the tree the analysis parsed (or spliced) instead of parsing the file again."""
    from flash_lsp.core import summary

    text = '"""Called remotely."""\n' + WORKER
    steps = [("w.py", text.replace("(0, 2)", "(0, 3)")), ("w.py", text.replace("y += i", "y += 2 * i"))]
    original, parses = summary.parse_as_build, []

    def counting(*args):
        parses.append(args[0])
        return original(*args)

    root = write_project(tmp_path / "p", {"w.py": text}, main=False)
    with mock.patch("flash_lsp.core.summary.parse_as_build", counting):
        _follow(root, steps, last_good=True)
    assert parses == []


@pytest.mark.parametrize(
    ("edit", "spliced"),
    [
        (("LIMIT = 3", "LIMIT = await fn(3)"), True),  # only the compiler rejects it: the file is compiled
        (("LIMIT = 3", "LIMIT = 3;global LIMIT"), True),  # `global` involves other statements
        (("    return y\n", "    return y\nreturn y\n"), False),  # a module-level return, a line more
    ],
)
def test_module_level_edits_only_the_compiler_rejects_are_compiled(tmp_path, edit, spliced):
    from flash_lsp.core.flash1 import analysis

    splices, sources = [], []
    original_splice, original_edit = analysis.splice_statement, analysis.Prediction._statement_edit

    def splice(*args):
        splices.append(original_splice(*args))
        return splices[-1]

    def statement_edit(self, *args):
        sources.append(original_edit(self, *args))
        return sources[-1]

    with (
        mock.patch.object(analysis, "splice_statement", splice),
        mock.patch.object(analysis.Prediction, "_statement_edit", statement_edit),
    ):
        steps = [("w.py", WORKER.replace(*edit))]
        _follow(write_project(tmp_path / "p", {"w.py": WORKER}, main=False), steps, last_good=False)
    assert any(splices) is spliced and not any(sources)  # the text parsed alone, the file was compiled
