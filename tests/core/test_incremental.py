"""The incremental API: edits re-summarise one file; unsaved buffers win over the disk."""

import ast

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flash_lsp.core.project import Project

from .conftest import write_project

HEAD = "from tetra_rp import remote, LiveServerless\n"


def test_override_changes_the_model_and_other_summaries_are_reused(tmp_path):
    root = write_project(
        tmp_path / "p",
        {
            "configs_user.py": HEAD + "a = LiveServerless(name='a')\n@remote(a)\ndef fa(): pass\n",
            "workers/b.py": HEAD + "b = LiveServerless(name='b')\n@remote(b)\ndef fb(): pass\n",
        },
    )
    project = Project(root)
    first = project.analyze()
    other = first.summaries["workers/b.py"]
    project.set_override("configs_user.py", HEAD + "a = LiveServerless(name='renamed')\n@remote(a)\ndef fa(): pass\n")
    second = project.analyze()
    assert set(second.manifest["resources"]) == {"renamed", "b"}
    assert second.summaries["workers/b.py"] is other


def test_new_unsaved_file_is_analyzed_and_dropping_the_override_restores_disk(tmp_path):
    root = write_project(tmp_path / "p", {})
    project = Project(root)
    project.set_override("workers/new.py", HEAD + "c = LiveServerless(name='c')\n@remote(c)\ndef f(): pass\n")
    assert [f.name for f in project.analyze().functions] == ["f"]
    project.set_override("workers/new.py", None)
    assert project.analyze().functions == []


def test_disk_change_is_seen_after_invalidate(tmp_path):
    root = write_project(tmp_path / "p", {"workers/w.py": HEAD})
    project = Project(root)
    assert project.analyze().functions == []
    (root / "workers/w.py").write_text(HEAD + "c = LiveServerless(name='c')\n@remote(c)\ndef f(): pass\n")
    project.invalidate(["workers/w.py"], structure=False)
    assert [f.name for f in project.analyze().functions] == ["f"]


def test_import_simulation_is_redone_only_when_module_level_code_changes(tmp_path):
    source = HEAD + "c = LiveServerless(name='c', workersMax=2)\n\n@remote(c)\ndef f(x):\n    return x + 1\n"
    root = write_project(tmp_path / "p", {"workers/w.py": source})
    project = Project(root, trust_disk_cache=True)
    first = project.analyze()
    key, result = project.executed("workers/w.py")
    project.set_override("workers/w.py", source.replace("return x + 1", "return x + 2"))  # inside a body
    assert project.executed("workers/w.py")[1] is result
    project.set_override("workers/w.py", source.replace("return x + 1", "y = x\n    return y"))  # a line more
    assert project.executed("workers/w.py")[0] != key
    project.set_override("workers/w.py", source.replace("workersMax=2", "workersMax=5"))  # module level
    model = project.analyze()
    assert model.manifest["resources"]["c"]["workersMax"] == 5
    assert first.manifest["resources"]["c"]["workersMax"] == 2


BODY = HEAD + "c = LiveServerless(name='c')\n\n@remote(c)\ndef f(x):\n    y = x\n    return y + 1\n"


def _fresh(root, relpath, text):
    project = Project(root)
    project.set_override(relpath, text)
    return project.analyze("2026-01-01T00:00:00.000000Z")


def test_body_edit_the_build_cannot_see_keeps_the_summary_and_matches_a_fresh_analysis(tmp_path):
    root = write_project(tmp_path / "p", {"workers/w.py": BODY})
    project = Project(root, trust_disk_cache=True, keep_last_good=True)
    summary = project.analyze().summaries["workers/w.py"]
    edited = BODY.replace("return y + 1", "return y * 2 + 1")
    project.set_override("workers/w.py", edited)
    model = project.analyze("2026-01-01T00:00:00.000000Z")
    assert model.summaries["workers/w.py"] is summary  # reused, not re-derived
    assert ast.unparse(summary.tree) == ast.unparse(ast.parse(edited))
    assert summary.lines == edited.splitlines()
    fresh = _fresh(root, "workers/w.py", edited)
    assert model.manifest == fresh.manifest and model.diagnostics == fresh.diagnostics


@pytest.mark.parametrize(
    "edit",
    [
        ("return y + 1", "return y + (1"),  # no longer parses
        ("return y + 1", "return remote(y)"),  # a name the build reads
        ("    y = x\n", "    y = LiveServerless(name='d')\n"),  # a config inside the body
        ("return y + 1", "return y; z = 1"),  # a second statement on the line
        ("    return y + 1", "   return y + 1"),  # a dedent that matches no block (alone it parses)
    ],
)
def test_body_edits_the_build_may_see_are_analysed_in_full(tmp_path, edit):
    root = write_project(tmp_path / "p", {"workers/w.py": BODY})
    project = Project(root, trust_disk_cache=True)
    summary = project.analyze().summaries["workers/w.py"]
    edited = BODY.replace(*edit)
    project.set_override("workers/w.py", edited)
    model = project.analyze("2026-01-01T00:00:00.000000Z")
    assert model.summaries["workers/w.py"] is not summary
    fresh = _fresh(root, "workers/w.py", edited)
    assert model.manifest == fresh.manifest


# Keystrokes in module-level statements (config calls, decorator arguments): the statement is
# parsed again alone and the file re-summarised from the spliced tree (core/statement_edit.py).
WORKER = (
    HEAD
    + "import os\n\ngpu = LiveServerless(\n    name='w',\n    workersMax=2,\n    env={'A': os.environ.get('A', 'x')},\n)\n"
    "cpu = LiveServerless(name='c')\n\n\n@remote(gpu, dependencies=['six'])\ndef f(x):\n    return x\n\n\n"
    "@remote(cpu)\nclass M:\n    def run(self, y):\n        return y\n\n\nd = remote(cpu)\n\n\n@d\ndef g():\n    pass\n"
)


def _observed(model) -> tuple:
    """What the CLI and the editor show of one analysis."""
    return (
        model.manifest,
        model.handlers.files,
        model.outcome,
        [(f.name, f.relpath, f.resource) for f in model.functions],
        sorted((d.path, d.code, d.message, d.span, d.severity) for d in model.diagnostics),
    )


def test_a_config_edit_reparses_one_statement_and_matches_a_fresh_analysis(tmp_path, monkeypatch):
    from flash_lsp.core import project as project_module

    root = write_project(tmp_path / "p", {"workers/w.py": WORKER})
    project = Project(root, trust_disk_cache=True, keep_last_good=True)
    project.analyze()
    spliced = []
    original = project_module.splice_statement
    monkeypatch.setattr(
        project_module, "splice_statement", lambda *args: spliced.append(original(*args)) or spliced[-1]
    )
    text = WORKER
    for edit in [("workersMax=2", "workersMax=4"), ("['six']", "['six', 'attrs']"), ("name='c'", "name='w'")]:
        text = text.replace(*edit)
        project.set_override("workers/w.py", text)
        assert _observed(project.analyze("2026-01-01T00:00:00.000000Z")) == _observed(
            _fresh(root, "workers/w.py", text)
        )
    assert len(spliced) == 3 and all(spliced)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    edits=st.lists(
        st.tuples(
            st.integers(0, 10**6), st.integers(0, 3), st.sampled_from(list("(),=:'@#\n 1xd") + ["remote", "gpu"])
        ),
        min_size=1,
        max_size=6,
    )
)
def test_editor_analysis_equals_a_fresh_one_after_generated_edits(tmp_path_factory, edits):
    root = write_project(tmp_path_factory.mktemp("p"), {"workers/w.py": WORKER})
    project = Project(root, trust_disk_cache=True)
    project.analyze()
    text = WORKER
    for position, removed, inserted in edits:
        position %= len(text)
        text = text[:position] + inserted + text[position + removed :]
        project.set_override("workers/w.py", text)
        assert _observed(project.analyze("2026-01-01T00:00:00.000000Z")) == _observed(
            _fresh(root, "workers/w.py", text)
        )


@pytest.mark.parametrize(("version", "spliced"), [("3.99", True), ("3.8", False)])
def test_the_splice_applies_when_the_build_python_parses_what_ours_does(tmp_path, monkeypatch, version, spliced):
    """A newer build Python keeps a tree ours parses; an older one may reject it (`feature_version`)."""
    from dataclasses import replace

    from flash_lsp.core import project as project_module
    from flash_lsp.core.environment import BASELINE

    environment = replace(BASELINE, python_version=version)
    root = write_project(tmp_path / "p", {"workers/w.py": WORKER})
    project = Project(root, environment=environment, trust_disk_cache=True)
    project.analyze()
    calls = []
    original = project_module.splice_statement
    monkeypatch.setattr(project_module, "splice_statement", lambda *args: calls.append(original(*args)) or calls[-1])
    text = WORKER.replace("workersMax=2", "workersMax=3")
    project.set_override("workers/w.py", text)
    model = project.analyze("2026-01-01T00:00:00.000000Z")
    fresh = Project(root, environment=environment)
    fresh.set_override("workers/w.py", text)
    assert _observed(model) == _observed(fresh.analyze("2026-01-01T00:00:00.000000Z"))
    assert bool(calls and calls[0]) is spliced
