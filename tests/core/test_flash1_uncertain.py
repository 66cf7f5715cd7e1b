"""An import-time network request makes the predicted 1.x build outcome uncertain: it names the file
and line, in the model, in `check` (text and JSON) and in FL421."""

from __future__ import annotations

import json
import subprocess
import sys
from unittest import mock

from flash_lsp.bundle.verdict import PipVerdict, combined_outcome
from flash_lsp.core.environment import Environment
from flash_lsp.core.flash1 import scan_reuse
from flash_lsp.core.flash1.baseline import FLASH1_BASELINE
from flash_lsp.core.profiles import FLASH_17, FLASH_121
from flash_lsp.core.project import Project, UncertainStep, analyze_project

from .conftest import write_project

ENV = Environment(FLASH1_BASELINE, "test", "3.11", "2.14")
WORKER = 'from runpod_flash import Endpoint\n\n@Endpoint(name="w", cpu="cpu3c-1-2")\ndef run(x):\n    return x\n'
FETCH = "import urllib.request\n\nSETTINGS = urllib.request.urlopen('http://127.0.0.1:9/').read()\n"


def _uncertain(tmp_path, files: dict[str, str], profile=FLASH_121) -> list[UncertainStep]:
    root = write_project(tmp_path / "p", {"worker.py": WORKER, **files}, main=False)
    model = analyze_project(root, profile, environment=ENV, env_vars={})
    assert model.outcome.succeeds is True and not model.outcome.errors
    return model.outcome.uncertain


def test_a_request_at_import_is_uncertain_with_its_file_and_line(tmp_path):
    steps = _uncertain(tmp_path, {"config_fetch.py": FETCH})
    effect = "a network request (urllib.request.urlopen(...))"
    assert steps == [UncertainStep("config_fetch.py", 2, effect, ("config_fetch.py",))]
    assert steps[0].message == (
        "the build may stop with Failed to load: config_fetch.py if a network request "
        "(urllib.request.urlopen(...)) at config_fetch.py:3 fails"
    )


def test_a_request_caught_at_module_level_is_not_uncertain(tmp_path):
    guarded = "import urllib.request\ntry:\n    X = urllib.request.urlopen('http://h/')\nexcept {}:\n    X = None\n"
    for caught in ("OSError", "urllib.error.URLError", "(ValueError, Exception)", "BaseException"):
        assert _uncertain(tmp_path / caught, {"c.py": guarded.format(caught)}) == [], caught
    assert _uncertain(tmp_path / "bare", {"c.py": guarded.replace("except {}:", "except:")}) == []
    # An `except` that does not catch a failed request leaves it uncertain.
    assert [s.file for s in _uncertain(tmp_path / "value", {"c.py": guarded.format("ValueError")})] == ["c.py"]


def test_requests_that_do_not_run_at_import_or_cannot_fail_it_are_not_uncertain(tmp_path):
    files = {
        "in_function.py": "import requests\n\ndef get():\n    return requests.get('http://h/')\n",
        "main_guard.py": "import requests\nif __name__ == '__main__':\n    requests.get('http://h/')\n",
        "subprocess_call.py": "import subprocess\nsubprocess.run(['true'])\n",
    }
    assert _uncertain(tmp_path, files) == []


def test_requests_in_several_files_are_listed_in_import_order(tmp_path):
    files = {
        "b.py": "import requests\nR = requests.get('http://h/')\n",
        "a.py": "import httpx\nhttpx.get('http://h/')\n",
    }
    assert [(s.file, s.line) for s in _uncertain(tmp_path, files)] == [("a.py", 1), ("b.py", 1)]


def test_every_file_whose_module_level_import_reaches_the_request_fails_with_it(tmp_path):
    files = {
        "config_fetch.py": FETCH,
        "settings.py": "from config_fetch import SETTINGS\n",
        "app.py": "import settings\n",  # before config_fetch.py in the build's order, through settings
        "lazy.py": "def now():\n    import config_fetch\n    return config_fetch.SETTINGS\n",
        "guarded.py": "try:\n    import settings\nexcept OSError:\n    settings = None\n",
        "wrong_guard.py": "try:\n    import config_fetch\nexcept ImportError:\n    config_fetch = None\n",
        "plain.py": "X = 1\n",
    }
    (step,) = _uncertain(tmp_path, files)
    assert step.fails == ("app.py", "config_fetch.py", "settings.py", "wrong_guard.py")
    assert step.message.startswith(
        "the build may stop with Failed to load: app.py, config_fetch.py, settings.py, wrong_guard.py if"
    )
    assert step.to_json()["fails"] == list(step.fails)


def test_an_importer_edited_and_imported_again_alone_gains_and_loses_its_failure(tmp_path):
    files = {"b_loader.py": "import config_fetch\n", "c_user.py": "X = 1\n", "config_fetch.py": FETCH}
    root = write_project(tmp_path / "p", {"worker.py": WORKER, **files}, main=False)
    editor = Project(root, FLASH_121, ENV, {}, trust_disk_cache=True)
    editor.analyze("t")
    rescans = []

    def recording(*args, **kwargs):
        rescans.append(scan_reuse.rescan(*args, **kwargs))
        return rescans[-1]

    fails = []
    with mock.patch("flash_lsp.core.flash1.analysis.rescan", recording):
        for text in ("import config_fetch\n", "X = 2\n"):
            editor.set_override("c_user.py", text)
            cold = Project(root, FLASH_121, ENV, {})
            cold.set_override("c_user.py", text)
            steps = editor.analyze("t").outcome.uncertain
            assert steps == cold.analyze("t").outcome.uncertain
            fails += [s.fails for s in steps]
    assert len(rescans) == 2 and None not in rescans  # c_user.py was imported again alone
    assert fails == [("b_loader.py", "c_user.py", "config_fetch.py"), ("b_loader.py", "config_fetch.py")]


def test_the_ast_era_imports_nothing_so_nothing_is_uncertain(tmp_path):
    assert _uncertain(tmp_path, {"config_fetch.py": FETCH}, FLASH_17) == []


def test_the_combined_outcome_is_unknown_with_an_uncertain_warning(tmp_path):
    root = write_project(tmp_path / "p", {"worker.py": WORKER, "config_fetch.py": FETCH}, main=False)
    model = analyze_project(root, FLASH_121, environment=ENV, env_vars={})
    shown = combined_outcome(model.outcome, PipVerdict("irrelevant"))
    assert shown.succeeds is None and shown.uncertain == model.outcome.uncertain
    assert shown.warnings == [f"Uncertain: {model.outcome.uncertain[0].message}"]
    fl421 = [d for d in model.diagnostics if d.code == "FL421"]
    assert (
        len(fl421) == 1 and "If it fails, the build stops with 'Failed to load: config_fetch.py'." in fl421[0].message
    )


def test_check_shows_the_uncertain_outcome_in_text_and_json(tmp_path):
    root = write_project(tmp_path / "p", {"worker.py": WORKER, "config_fetch.py": FETCH}, main=False)
    base = [sys.executable, "-m", "flash_lsp", "check", str(root), "--profile", "flash-1.21", "--offline"]
    text = subprocess.run(base, capture_output=True, text=True, timeout=60)
    assert text.returncode == 0, text.stderr
    assert "flash build: uncertain (" in text.stdout
    assert "Uncertain: the build may stop with Failed to load: config_fetch.py if a network request" in text.stdout
    js = subprocess.run([*base, "--format", "json"], capture_output=True, text=True, timeout=60)
    build = json.loads(js.stdout)["build"]
    assert build["succeeds"] is None and build["errors"] == []
    assert [(u["file"], u["line"]) for u in build["uncertain"]] == [("config_fetch.py", 3)]
