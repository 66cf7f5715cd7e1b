"""The incremental API: edits re-summarise one file; unsaved buffers win over the disk."""

import ast

import pytest

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
