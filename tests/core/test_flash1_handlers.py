"""runpod-flash 1.x handler files and `_flash_resource_config.py` against real builds.

The expected outputs under `data/flash1_out/expected/` were recorded from real `flash build` runs of
runpod-flash 1.21.0, 1.17.0 and 1.7.0 by `python -m tests.core.flash1_record` (see that module).
"""

from __future__ import annotations

import ast
import dataclasses
import json
import re
from pathlib import Path

import pytest

from flash_lsp.core.flash1.handlers import generate, release_of
from flash_lsp.core.flash1.resource_config import RELPATH
from flash_lsp.core.flash1.templates_qb import qb_templates
from flash_lsp.core.profiles import PROFILES

DATA = Path(__file__).parent / "data" / "flash1_out"
EXPECTED = sorted((DATA / "expected").glob("*.json"))
# Generated files exist only after a successful build (a failed one deletes its build dir); the
# handler stage is reached when the build wrote its manifest.
SUCCEEDED = [p for p in EXPECTED if json.loads(p.read_text(encoding="utf-8"))["returncode"] == 0]
WITH_MANIFEST = [p for p in EXPECTED if json.loads(p.read_text(encoding="utf-8"))["manifest"] is not None]
REF_VENVS = Path(__file__).resolve().parents[2] / ".cache" / "ref-venvs"
_PREFIX = re.compile(r"^(! |Warning: |✗ |Error: )")


def profile_for(name: str, release: str):
    """The named profile; for a release no core profile models yet, the newest 1.x one set to it."""
    profile = PROFILES.get(name) or PROFILES["flash-1.21"]
    return dataclasses.replace(profile, release=release)


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def predict(expected: dict):
    manifest = json.loads(expected["manifest"])
    profile = profile_for(expected["profile"], expected["release"])
    return generate(manifest, profile, Path(expected["build_dir"]), frozenset(expected["files"]))


@pytest.mark.parametrize("path", SUCCEEDED, ids=[p.stem for p in SUCCEEDED])
def test_generated_files_match_the_real_build(path):
    expected = load(path)
    result = predict(expected)
    assert result.error is None
    ours = {rel: text for rel, text in result.files.items() if "/" not in rel or rel == RELPATH}
    assert sorted(ours) == sorted(expected["generated"])
    for rel, text in expected["generated"].items():
        assert ours[rel] == text, rel


@pytest.mark.parametrize("path", WITH_MANIFEST, ids=[p.stem for p in WITH_MANIFEST])
def test_errors_and_warnings_match_the_real_build(path):
    expected = load(path)
    result = predict(expected)
    errors = [_PREFIX.sub("", line) for line in expected["error_lines"]]
    assert ([result.error] if result.error else []) == errors
    failed = [_PREFIX.sub("", w) for w in expected["warnings"] if w.startswith(("! Handler", "Warning: Handler"))]
    assert ([result.warning] if result.warning else []) == failed
    logged = [w for w in expected["warnings"] if not _PREFIX.match(w) and not w.startswith(".flashignore")]
    assert result.log_warnings == logged


def test_write_order_is_load_balanced_first_then_manifest_order_then_resource_config():
    expected = load(DATA / "expected" / "qb_variants-flash-1.21.json")
    manifest = json.loads(expected["manifest"])
    result = predict(expected)
    lb = [f"handler_{n}.py" for n, r in manifest["resources"].items() if r["is_load_balanced"]]
    qb = [
        f"handler_{n}.py"
        for n, r in manifest["resources"].items()
        if not r["is_load_balanced"] and not r.get("client_mode")
    ]
    assert lb and qb
    assert list(result.files) == lb + qb + [RELPATH]


def test_client_mode_resources_get_a_handler_before_1_21_only():
    expected = load(DATA / "expected" / "qb_variants-flash-1.21.json")
    manifest = json.loads(expected["manifest"])
    client = [n for n, r in manifest["resources"].items() if r.get("client_mode")]
    assert client == ["ext_img"]
    manifest["resources"]["ext_img"]["functions"] = [
        {"name": "x", "module": "client", "is_async": True, "is_class": False}
    ]
    newest = generate(manifest, profile_for("flash-1.21", "1.21.0"))
    older = generate(manifest, profile_for("flash-1.17", "1.17.0"))
    assert "handler_ext_img.py" not in newest.files
    assert "handler_ext_img.py" in older.files


def test_a_shipped_directory_makes_a_slash_in_the_name_writable():
    expected = load(DATA / "expected" / "name_into_shipped_dir-flash-1.21.json")
    result = predict(expected)
    assert result.warning is None
    assert "handler_team/gpu.py" in result.files
    without_dir = generate(
        json.loads(expected["manifest"]), PROFILES["flash-1.21"], Path("/p/.flash/.build"), frozenset({"w.py"})
    )
    assert (
        without_dir.warning
        == "Handler generation failed: [Errno 2] No such file or directory: '/p/.flash/.build/handler_team/gpu.py'"
    )
    assert list(without_dir.files) == ["handler_aaa.py", RELPATH]


def test_queue_based_resource_without_functions_is_the_builds_hard_error():
    manifest = {"resources": {"empty": {"functions": [], "is_load_balanced": False}}, "function_registry": {}}
    result = generate(manifest, PROFILES["flash-1.21"])
    assert result.error == (
        "Resource 'empty' has no functions. Cannot generate a deployed handler without at least one function."
    )
    assert RELPATH not in result.files


def test_nul_in_a_name_is_the_builds_hard_error():
    manifest = {"resources": {"a\0b": {"functions": [{"name": "f", "module": "m"}]}}, "function_registry": {}}
    assert generate(manifest, PROFILES["flash-1.21"]).error == "embedded null byte"


def test_a_name_that_is_not_an_identifier_is_parsed_and_reported():
    manifest = {"resources": {"r": {"functions": [{"name": "not valid", "module": "m", "is_async": True}]}}}
    result = generate(manifest, PROFILES["flash-1.21"], Path("/b"))
    assert result.error is not None and result.error.startswith("Handler has syntax errors: ")
    assert result.error.endswith("(handler_r.py, line 20)")


def test_release_of_reads_the_profile_release():
    assert release_of(PROFILES["flash-1.17"]) == (1, 17, 0)
    assert release_of(object()) == (1, 21, 0)


_TEMPLATE_NAMES = {
    "function": "DEPLOYED_HANDLER_TEMPLATE",
    "class": "DEPLOYED_CLASS_HANDLER_TEMPLATE",
    "async_function": "DEPLOYED_ASYNC_HANDLER_TEMPLATE",
    "async_class": "DEPLOYED_ASYNC_CLASS_HANDLER_TEMPLATE",
}


def _generators() -> list[Path]:
    return sorted(
        REF_VENVS.glob(
            "flash-1.*/lib/python3*/site-packages/runpod_flash/cli/commands/build_utils/handler_generator.py"
        )
    )


@pytest.mark.parametrize("generator", _generators() or [None], ids=lambda p: p.parts[-9] if p else "none")
def test_templates_equal_the_installed_generators(generator):
    """Every QB template we derive equals the one in the reference venvs' real generator."""
    if generator is None:
        pytest.skip("no runpod-flash reference venv under .cache/ref-venvs")
    metadata = next(generator.parents[4].glob("runpod_flash-*.dist-info/METADATA"))
    version = re.search(r"^Version: (.+)$", metadata.read_text(), re.M).group(1)
    release = tuple(int(x) for x in version.split("."))
    module = ast.parse(generator.read_text())
    real = {
        t.id: node.value.value
        for node in module.body
        if isinstance(node, ast.Assign)
        for t in node.targets
        if isinstance(t, ast.Name) and t.id in _TEMPLATE_NAMES.values()
    }
    ours = qb_templates(release)
    for kind, name in _TEMPLATE_NAMES.items():
        if name in real:
            assert ours[kind] == real[name], (version, kind)


def test_diagnostics_of_handler_generation(tmp_path):
    import shutil

    from flash_lsp.core.project import analyze_project

    def codes(case: str) -> set:
        shutil.copytree(DATA / case, tmp_path / case)
        model = analyze_project(tmp_path / case, PROFILES["flash-1.21"])
        return {(d.code, d.path, d.span.line) for d in model.diagnostics if d.code.startswith("FL47")}

    assert codes("unwritable_name") == {("FL476", "w.py", 8)}
    assert codes("lb_quote_in_path") == {("FL475", "w.py", 5)}
    variants = codes("qb_variants")
    assert ("FL478", "workers.py", 3) in variants  # process_data: handler_gpu_worker.py serves alpha
    assert {c for c in variants if c[0] == "FL477"} == {("FL477", "workers.py", 28), ("FL477", "names.py", 3)}
