"""Traps of the tetra-rp build that change what ships or deploys without a word (FL108, FL205,
FL606–FL608, `token.env` as FL601) and the messages that must name the real cause (FL107, FL404, FL406).

The fixtures `ignore_traps` and `remote_rebind` check the same predictions against the real build."""

import os

from flash_lsp.core.files import collect_files, read_ignore_sources
from flash_lsp.core.profiles import TETRA_020, TETRA_024

from .conftest import codes

HEAD = "from tetra_rp import remote, LiveServerless\n"
WORKER = HEAD + "gpu = LiveServerless(name='gpu')\n@remote(gpu)\ndef infer(x): pass\n"
BOM = "\ufeff"


def by_code(model, code: str) -> list:
    return [d for d in model.diagnostics if d.code == code]


def test_bom_disables_the_first_pattern_and_the_file_ships(analyze):
    model = analyze({".gitignore": BOM + "creds.json\nother.txt\n", "creds.json": "{}", "other.txt": ""})
    assert "creds.json" in model.files.files and "other.txt" not in model.files.files
    (warning,) = by_code(model, "FL606")
    assert warning.path == ".gitignore" and warning.span.line == 0
    assert "creds.json ships" in warning.message


def test_bom_before_a_comment_changes_nothing(analyze):
    model = analyze({".flashignore": BOM + "# secrets\ncreds.json\n", "creds.json": "{}"})
    assert "creds.json" not in model.files.files
    assert by_code(model, "FL606") == []


def test_editor_text_without_the_bom_keeps_the_disk_bom(tmp_path):
    (tmp_path / ".gitignore").write_bytes(b"\xef\xbb\xbfcreds.json\n")
    (source,) = read_ignore_sources(tmp_path, {".gitignore": "creds.json\nmore.txt\n"})
    assert source.patterns == (BOM + "creds.json", "more.txt")


def test_nested_gitignore_is_not_read_and_its_function_deploys(analyze):
    model = analyze(
        {
            "workers/.gitignore": "# local\nscratch.py\n",
            "workers/scratch.py": HEAD + "s = LiveServerless(name='scratch')\n@remote(s)\ndef try_it(x): pass\n",
            "workers/gpu.py": WORKER,
        }
    )
    assert "workers/scratch.py" in model.files.files
    assert "try_it" in {fn.name for fn in model.functions}
    (warning,) = by_code(model, "FL607")
    assert (warning.path, warning.span.line) == ("workers/.gitignore", 1)
    assert "workers/scratch.py ships; 'try_it' is deployed" in warning.message
    assert warning.data["pattern"] == "workers/**/scratch.py"


def test_nested_gitignore_that_matches_nothing_shipped_is_quiet(analyze):
    model = analyze({"workers/.gitignore": "*.log\n", "workers/gpu.py": WORKER})
    assert by_code(model, "FL607") == []


def test_negation_under_an_excluded_directory_is_flagged_on_its_line(analyze):
    model = analyze({".gitignore": "data\n!data/keep.json\n", "data/keep.json": "{}", "data/raw.bin": ""})
    assert not any(f.startswith("data/") for f in model.files.files)
    (warning,) = by_code(model, "FL608")
    assert (warning.path, warning.span.line) == (".gitignore", 1)
    assert "data/keep.json" in warning.message and "data/*" in warning.message


def test_negation_that_works_is_not_flagged(analyze):
    model = analyze({".gitignore": "data/*\n!data/keep.json\n", "data/keep.json": "{}", "data/raw.bin": ""})
    assert [f for f in model.files.files if f.startswith("data/")] == ["data/keep.json"]
    assert by_code(model, "FL608") == []


def test_reassigned_config_moves_the_earlier_function(analyze):
    source = (
        HEAD + "cfg = LiveServerless(name='a')\n@remote(cfg)\ndef f(x): pass\n"
        "cfg = LiveServerless(name='b')\n@remote(cfg)\ndef g(x): pass\n"
    )
    model = analyze({"workers/w.py": source})
    assert {fn.name: fn.resource for fn in model.functions} == {"f": "b", "g": "b"}
    (warning,) = by_code(model, "FL108")
    assert warning.span.line == 2 and "'f' on endpoint 'b'" in warning.message and "is 'a' (line 2)" in warning.message


def test_reassigned_to_the_same_name_is_quiet(analyze):
    source = HEAD + "cfg = LiveServerless(name='a')\n@remote(cfg)\ndef f(x): pass\ncfg = LiveServerless(name='a')\n"
    assert "FL108" not in codes(analyze({"workers/w.py": source}))


def test_remote_called_instead_of_decorating_is_flagged(analyze):
    source = (
        HEAD + "gpu = LiveServerless(name='gpu')\ndef plain(x): pass\nwrapped = remote(gpu)(plain)\n"
        "on_gpu = remote(gpu)\n@on_gpu\ndef aliased(x): pass\n@remote(gpu)\ndef real(x): pass\n"
    )
    model = analyze({"workers/w.py": source})
    assert [fn.name for fn in model.functions] == ["real"]
    warnings = by_code(model, "FL205")
    assert [(d.span.line, "'plain'" in d.message, "'aliased'" in d.message) for d in warnings] == [
        (3, True, False),
        (5, False, True),
    ]


def test_remote_call_in_a_file_without_configs_is_flagged(analyze):
    model = analyze(
        {
            "workers/gpu.py": WORKER,
            "workers/use.py": "from tetra_rp import remote\nfrom workers.gpu import gpu\n"
            "def plain(x): pass\nremote(gpu)(plain)\n",
        }
    )
    assert [d.path for d in by_code(model, "FL205")] == ["workers/use.py"]


def test_env_file_with_another_name_is_a_secret(analyze):
    model = analyze({"token.env": "API_TOKEN=x\n", "prod.env.local": "A=b\n", "sample.env.example": ""})
    assert sorted(d.path for d in by_code(model, "FL601")) == ["prod.env.local", "token.env"]


def test_missing_third_party_package_is_not_told_to_move_imports(analyze):
    model = analyze({"workers/w.py": "import not_installed_pkg_xyz\n" + WORKER})
    (warning,) = by_code(model, "FL406")
    assert "Install 'not_installed_pkg_xyz'" in warning.message and "inside the function" not in warning.message
    assert warning.data["project_module"] is False


def test_missing_project_module_keeps_the_import_advice(analyze):
    model = analyze({"workers/w.py": "from helpers import tool\n" + WORKER, "helpers/__init__.py": "tool = 1\n"})
    (warning,) = by_code(model, "FL406")
    assert "inside the function body" in warning.message and warning.data["project_module"] is True


def test_syntax_error_in_main_says_the_mothership_is_lost(analyze):
    model = analyze({"main.py": "from fastapi import FastAPI\napp = FastAPI(\n@app.get('/x')\ndef x(): pass\n"})
    (error,) = by_code(model, "FL404")
    assert "mothership is lost" in error.message
    assert model.manifest is None or "mothership" not in model.manifest.get("resources", {})


def test_syntax_error_in_main_before_mothership_releases_says_nothing_of_it(analyze):
    (error,) = by_code(
        analyze({"main.py": "from fastapi import FastAPI\napp = FastAPI(\n"}, profile=TETRA_020), "FL404"
    )
    assert "mothership" not in error.message


def test_symlinked_copy_is_named_in_the_merge_warning(tmp_path, analyze):
    model = analyze({"workers/real.py": WORKER})
    os.symlink("real.py", model.root / "workers" / "again.py")
    from flash_lsp.core.project import Project

    model = Project(model.root, TETRA_024).analyze("2026-01-01T00:00:00.000000Z")
    merged = by_code(model, "FL107")
    assert merged and all("workers/again.py is a symlink to workers/real.py" in d.message for d in merged)
    assert collect_files(model.root, TETRA_024).files.count("workers/again.py") == 1


def test_syntax_error_in_main_with_an_app_py_names_where_the_mothership_comes_from(analyze):
    app = "from fastapi import FastAPI\napp = FastAPI()\n@app.get('/x')\ndef x(): pass\n"
    model = analyze({"main.py": "from fastapi import FastAPI\napp = FastAPI(\n", "app.py": app})
    (error,) = by_code(model, "FL404")
    assert "from app.py instead" in error.message and "lost" not in error.message
