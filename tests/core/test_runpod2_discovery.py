"""runpod 2.0 discovery and manifest, predicted statically (docs/runpod2.md "Discovery",
"Resources", "Manifest"): small projects analysed in-process, answers checked against the SDK's
rules and texts."""

from __future__ import annotations

import json

import pytest

from flash_lsp.core.environment import Environment
from flash_lsp.core.profiles import RUNPOD_20
from flash_lsp.core.project import Project
from flash_lsp.core.runpod2.baseline import RUNPOD2_BASELINE

from .conftest import codes, write_project

ENV = Environment(RUNPOD2_BASELINE, "test", "3.11")


def _model(tmp_path, files, **kwargs):
    root = write_project(tmp_path / "proj", files, main=False)
    return Project(root, RUNPOD_20, ENV, **kwargs).analyze()


def _resources(model):
    return model.manifest["resources"]


def test_queue_manifest_keys_in_sdk_order(tmp_path):
    model = _model(
        tmp_path,
        {
            "main.py": """
        import runpod
        app = runpod.App("demo")
        @app.queue(gpu="H100", workers=4, env={"N": 3, "T": runpod.Secret("tok")}, scaler_value=2)
        def infer(x):
            return x
    """
        },
    )
    (entry,) = _resources(model)
    assert list(entry) == [
        "kind",
        "name",
        "gpuCount",
        "workersMin",
        "workersMax",
        "idleTimeout",
        "gpus",
        "env",
        "scalerValue",
        "module",
        "qualname",
    ]
    assert entry["gpus"] == ["NVIDIA H100 80GB HBM3", "NVIDIA H100 PCIe", "NVIDIA H100 NVL"]
    assert entry["env"] == {"N": "3", "T": "{{ RUNPOD_SECRET_tok }}"}
    assert (entry["workersMin"], entry["workersMax"]) == (0, 4)
    assert model.manifest["pythonVersion"] == "3.11" and model.outcome.succeeds


def test_unsupported_local_python_builds_for_312_with_warning(tmp_path):
    root = write_project(tmp_path / "p", {"m.py": "import runpod\napp = runpod.App('abc')\n"}, main=False)
    model = Project(root, RUNPOD_20, Environment(RUNPOD2_BASELINE, "t", "3.9")).analyze()
    assert model.manifest["pythonVersion"] == "3.12"
    assert any("local python has no runtime image" in w for w in model.outcome.warnings)


def test_api_class_routes_sorted_by_handler_and_init(tmp_path):
    model = _model(
        tmp_path,
        {
            "svc.py": """
        import runpod
        app = runpod.App("svc-app")
        @app.api(cpu="cpu3c-2-4")
        class Service:
            @runpod.init
            def setup(self): ...
            @runpod.post("/z")
            def b_handler(self): ...
            @runpod.get("/a")
            def a_handler(self): ...
    """
        },
    )
    (entry,) = _resources(model)
    assert entry["routes"] == [
        {"method": "GET", "path": "/a", "handler": "a_handler"},
        {"method": "POST", "path": "/z", "handler": "b_handler"},
    ]
    assert entry["name"] == "Service" and entry["module"] == "svc" and entry["qualname"] == "Service"


def test_dedup_by_name_first_file_wins_with_related_location(tmp_path):
    model = _model(
        tmp_path,
        {
            "a.py": "import runpod\napp = runpod.App('same')\n",
            "b.py": "import runpod\napp = runpod.App('same')\n@app.queue(cpu='cpu3c-1-2')\ndef work(x):\n    return x\n",
        },
    )
    assert model.manifest["resources"] == []
    (shadow,) = [d for d in model.diagnostics if d.code == "FL902"]
    assert shadow.path == "b.py" and shadow.related[0].path == "a.py"


def test_shared_app_module_runs_twice_and_its_empty_copy_wins(tmp_path):
    model = _model(
        tmp_path,
        {
            "app_def.py": "import runpod\napp = runpod.App('shared')\n",
            "workers.py": "from app_def import app\n@app.queue(cpu='cpu3c-1-2')\ndef work(x):\n    return x\n",
        },
    )
    assert model.outcome.succeeds and model.manifest["resources"] == []


def test_package_modules_are_imported_once(tmp_path):
    model = _model(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/app.py": "import runpod\napp = runpod.App('pkg-app')\n",
            "pkg/work.py": "from .app import app\n@app.queue(cpu='cpu3c-1-2')\ndef work(x):\n    return x\n",
        },
    )
    assert [r["module"] for r in _resources(model)] == ["pkg.work"]
    assert "FL902" not in codes(model)


def test_failing_file_is_a_warning_while_another_app_exists(tmp_path):
    model = _model(
        tmp_path,
        {
            "a.py": "import numpy\n",
            "b.py": "import runpod\napp = runpod.App('ok-app')\n",
        },
    )
    assert model.outcome.succeeds
    assert any(w.endswith("a.py failed: No module named 'numpy'") for w in model.outcome.warnings)
    assert "FL900" in codes(model)


def test_no_app_with_failures_is_the_error(tmp_path):
    model = _model(tmp_path, {"a.py": "import runpod\nimport numpy\napp = runpod.App('x-app')\n"})
    assert not model.outcome.succeeds and model.manifest_text() is None
    assert model.outcome.errors[0] == "no runpod.App found; some files failed to import:"
    assert model.outcome.errors[1].endswith("a.py failed: No module named 'numpy'")
    assert {"FL900", "FL901"} <= set(codes(model))


@pytest.mark.parametrize(
    ("decorator", "code", "text"),
    [
        ('@app.queue(gpu="4090", cpu="cpu3c-2-4")', "FL904", "resource 'work': gpu and cpu are mutually exclusive"),
        ('@app.queue(gpu="RTX 9999")', "FL905", "unknown gpu 'RTX 9999'. use a pool id (ADA_24,"),
        (
            '@app.queue(cpu="cpu3c-2-4", min_cuda_version="12.4")',
            "FL906",
            "resource 'work': min_cuda_version has no effect on cpu resources",
        ),
        ('@app.task(gpu="A40", model="a/b")', "FL907", "App.task() got an unexpected keyword argument 'model'"),
        ("@app.queue(workers=(3, 1))", "FL915", "workers min (3) cannot exceed max (1)"),
        (
            '@app.queue(mounts={"/data": runpod.NetworkVolume("v")})',
            "FL915",
            "endpoints support one volume mounted at /runpod-volume",
        ),
    ],
)
def test_sdk_validation_errors_at_the_decorator(tmp_path, decorator, code, text):
    model = _model(
        tmp_path, {"main.py": f"import runpod\napp = runpod.App('val-app')\n{decorator}\ndef work(x):\n    return x\n"}
    )
    (diag,) = [d for d in model.diagnostics if d.code == code]
    assert text in diag.message and diag.path == "main.py" and diag.span.line == 2
    assert text in model.outcome.errors[1]


def test_route_checks(tmp_path):
    files = {
        "r.py": "import runpod\napp = runpod.App('routes')\n@app.api(cpu='cpu3c-1-2')\nclass S:\n    @runpod.get('/ping')\n    def p(self): ...\n",
        "d.py": "import runpod\napp = runpod.App('dups')\n@app.api(cpu='cpu3c-1-2')\nclass S:\n    @runpod.get('/x')\n    def a(self): ...\n    @runpod.get('/x')\n    def b(self): ...\n",
        "i.py": "import runpod\napp = runpod.App('inits')\n@app.api(cpu='cpu3c-1-2')\nclass S:\n    @runpod.init\n    def a(self): ...\n    @runpod.init\n    def b(self): ...\n    @runpod.get('/x')\n    def c(self): ...\n",
        "n.py": "import runpod\napp = runpod.App('names')\n@app.queue(cpu='cpu3c-1-2', name='same')\ndef a(x): ...\n@app.queue(cpu='cpu3c-1-2', name='same')\ndef b(x): ...\n",
        "c.py": "import runpod\napp = runpod.App('calls')\n@app.queue(cpu='cpu3c-1-2')\ndef hello(x): ...\nhello.remote(1)\n",
    }
    model = _model(tmp_path, files)
    by_code = {d.code: d for d in model.diagnostics}
    assert (
        "path '/ping' is reserved by the worker runtime (reserved: /_runpod/sync, /execute, /ping)"
        in by_code["FL908"].message
    )
    assert "duplicate route GET /x on S: 'a' and 'b'" in by_code["FL909"].message
    assert "multiple @init methods on S: 'a' and 'b'" in by_code["FL911"].message
    assert "duplicate resource name 'same' in app 'names'" in by_code["FL910"].message
    assert "'hello' was invoked at import time" in by_code["FL912"].message and by_code["FL912"].span.line == 4


def test_main_guard_and_short_task_names_are_fine(tmp_path):
    model = _model(
        tmp_path,
        {
            "m.py": "import runpod\napp = runpod.App('ok-app')\n@app.task(cpu='cpu3c-1-2', name='t')\ndef t(x): ...\nif __name__ == '__main__':\n    t.remote(1)\n"
        },
    )
    assert model.outcome.succeeds and _resources(model)[0]["workersMax"] == 3


def test_short_queue_name_fails_at_the_manifest_step(tmp_path):
    model = _model(
        tmp_path, {"m.py": "import runpod\napp = runpod.App('ok-app')\n@app.queue(cpu='cpu3c-1-2')\ndef ab(x): ...\n"}
    )
    assert model.outcome.errors == [
        "resource name 'ab' is too short to deploy; queue and api names must be at least 3 characters"
    ]
    assert "FL903" in codes(model)


@pytest.mark.parametrize(("gpus", "cpu_elsewhere", "excluded"), [(True, False, ["torch"]), (True, True, None)])
def test_torch_exclusion_needs_every_resource_on_gpu(tmp_path, gpus, cpu_elsewhere, excluded):
    extra = "@app.queue(cpu='cpu3c-1-2')\ndef light(x): ...\n" if cpu_elsewhere else ""
    model = _model(
        tmp_path,
        {
            "requirements.txt": "torch==2.5.0\n-r more.txt\ntabulate\n",
            "m.py": f"import runpod\napp = runpod.App('t-app')\n@app.queue(gpu='4090', dependencies=['tabulate==0.9', 'six'])\ndef heavy(x): ...\n{extra}",
        },
    )
    assert model.manifest.get("excludedPackages") == excluded
    prediction = model.__dict__["runpod2"]
    kept = prediction.artifacts[0].requirements
    assert kept == (["tabulate", "six"] if excluded else ["torch==2.5.0", "tabulate", "six"])


def test_several_apps_give_one_manifest_each(tmp_path):
    model = _model(
        tmp_path,
        {"a.py": "import runpod\nx = runpod.App('one-app')\n", "b.py": "from runpod import App\ny = App('two-app')\n"},
    )
    decoder, text, found = json.JSONDecoder(), model.manifest_text(), []
    index = 0
    while index < len(text):
        obj, index = decoder.raw_decode(text, index)
        found.append(obj["app"])
        index += 1
    assert found == ["one-app", "two-app"]


def test_unknown_app_of_a_decorator_is_reported_not_guessed(tmp_path):
    model = _model(
        tmp_path,
        {
            "m.py": "import runpod\nimport helpers_made_at_runtime as h\napp = runpod.App('ok-app')\n",
            "helpers_made_at_runtime.py": "X = 1\n",
            "w.py": "import m\n@m.h.something.queue(cpu='cpu3c-1-2')\ndef work(x): ...\n",
        },
    )
    assert model.manifest["resources"] == []
    assert [d.span.line for d in model.diagnostics if d.code == "FL914"] == [1]
