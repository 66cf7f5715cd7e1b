"""runpod-flash 1.21 predictions against outputs recorded from real `flash build` runs of
runpod-flash 1.21.0 (Python 3.11, pydantic 2.14) on the same sources."""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from flash_lsp.core.environment import Environment
from flash_lsp.core.flash1.baseline import FLASH1_BASELINE
from flash_lsp.core.profiles import FLASH_121
from flash_lsp.core.project import analyze_project

from .conftest import write_project

RECORDED = Path(__file__).parent / "flash1_recorded"
ENV = Environment(FLASH1_BASELINE, "test", "3.11", "2.14")


def cli(*args):
    proc = subprocess.run([sys.executable, "-m", "flash_lsp", *args], capture_output=True, text=True, timeout=60)
    return proc.returncode, proc.stdout, proc.stderr


def test_manifest_equals_the_real_build_byte_for_byte(tmp_path):
    root = tmp_path / "p1"
    shutil.copytree(RECORDED / "p1", root)
    code, out, err = cli("manifest", str(root), "--profile", "flash-1.21")
    assert code == 0, err
    ours = json.loads(out)
    ours["generated_at"] = "GENERATED_AT"
    assert json.dumps(ours, indent=2) == (RECORDED / "p1.manifest.json").read_text(encoding="utf-8")
    assert not out.endswith("\n")


def _errors(tmp_path, files: dict[str, str]) -> list[str]:
    root = write_project(tmp_path / "p", files, main=False)
    model = analyze_project(root, FLASH_121, environment=ENV, env_vars={})
    return model.outcome.errors


IMPORT_FAILURES = {
    "a.py": "import torch\nfrom runpod_flash import Endpoint\n",
    "b.py": "x = undefined_name + 1\n",
    "c.py": "def f(:\n    pass\n",
    "pkg/d.py": "from .missing import thing\n",
    "e.py": "from .sibling import x\n",
    "f.py": "from b import nothing\n",
    "g.py": "from helpers import nope\n",
    "helpers.py": "VALUE = 1\n",
    "h.py": "from runpod_flash import DataCenter\ndc = DataCenter.US_GA_2\n",
}


def test_failed_to_load_lines_of_import_errors(tmp_path):
    assert _errors(tmp_path, IMPORT_FAILURES) == [
        "Failed to load:",
        "a.py: ModuleNotFoundError: No module named 'torch'",
        "b.py: NameError: name 'undefined_name' is not defined",
        "c.py: SyntaxError: invalid syntax (c.py, line 1)",
        "e.py: ImportError: attempted relative import with no known parent package",
        "f.py: NameError: name 'undefined_name' is not defined",
        f"g.py: ImportError: cannot import name 'nope' from 'helpers' ({tmp_path}/p/.flash/.build/helpers.py)",
        "h.py: AttributeError: US_GA_2",
        "pkg/d.py: ModuleNotFoundError: No module named 'pkg.missing'",
    ]


EP = "from runpod_flash import Endpoint, GpuGroup\n"
VALIDATION_FAILURES = {
    "a.py": EP + 'ep = Endpoint(name="x", gpu=GpuGroup.ADA_24, cpu="cpu3c-1-2")\n',
    "b.py": EP + 'ep = Endpoint(name="y", cpu="bogus")\n',
    "c.py": EP + 'ep = Endpoint(name="z", workers=(3, 1))\n',
    "d.py": EP + 'ep = Endpoint(name="w", max_concurrency=0)\n',
    "e.py": EP + 'api = Endpoint(cpu="cpu3c-1-2")\n@api.get("/x")\ndef x(): return 1\n',
    "f.py": EP + 'api = Endpoint(name="lb")\n@api.post("/ping")\ndef x(): return 1\n',
    "g.py": EP + 'api = Endpoint(name="lb2")\n@api.post("nope")\ndef x(): return 1\n',
    "h.py": EP + '@Endpoint(name="idle", idle_timeout=0)\ndef x(): return 1\n',
    "i.py": EP + 'ep = Endpoint(name="w", workers="many")\n',
    "j.py": "import sys\nsys.exit('bye')\n",
    "k.py": EP + 'ep = Endpoint(id="abc", image="img")\n',
}


def test_failed_to_load_lines_of_endpoint_validation(tmp_path):
    # As printed: Rich drops the "[type=value_error, ...]" part of pydantic's message as markup;
    # sys.exit ends only the scanner's import thread, so j.py counts as loaded.
    assert _errors(tmp_path, VALIDATION_FAILURES) == [
        "Failed to load:",
        "a.py: ValueError: gpu and cpu are mutually exclusive. specify one or neither.",
        "b.py: ValueError: 'bogus' is not a valid CpuInstanceType",
        "c.py: ValueError: workers min (3) cannot exceed max (1)",
        "d.py: ValueError: max_concurrency must be >= 1, got 0",
        "e.py: ValueError: name is required for load-balanced endpoints. use Endpoint(name='my-api', ...) when registering routes.",
        "f.py: ValueError: path '/ping' is reserved by the framework. reserved paths: /execute, /ping",
        "g.py: ValueError: path must start with '/', got: nope",
        "h.py: ValidationError: 1 validation error for LiveServerless\nidleTimeout\n  Value error, idleTimeout must be between 1 "
        "and 3600 seconds \n    For further information visit https://errors.pydantic.dev/2.14/v/value_error",
        "i.py: ValueError: workers must be an int or (min, max) tuple, got str: many",
        "k.py: ValueError: id and image are mutually exclusive. id= connects to an existing endpoint, image= deploys a new one.",
    ]


def test_failures_are_diagnostics_where_they_are_raised(tmp_path):
    root = write_project(
        tmp_path / "p",
        {"a.py": "import os\nimport torch\n", "b.py": "import requests\nrequests.get('http://x')\n"},
        main=False,
    )
    model = analyze_project(root, FLASH_121, environment=ENV, env_vars={})
    by_code = {(d.code, d.path, d.span.line) for d in model.diagnostics}
    assert ("FL420", "a.py", 1) in by_code
    assert ("FL421", "b.py", 1) in by_code


def test_module_level_reexport_is_the_multiple_files_error(tmp_path):
    files = {
        "cpu_worker.py": 'from runpod_flash import Endpoint\n@Endpoint(name="cpu", cpu="cpu3c-1-2")\nasync def pre(x): return x\n',
        "gpu_worker.py": 'from runpod_flash import Endpoint\nfrom cpu_worker import pre\n@Endpoint(name="gpu")\nasync def run(x): return await pre(x)\n',
    }
    errors = _errors(tmp_path, files)
    build = tmp_path / "p" / ".flash" / ".build"
    assert errors == [
        f"endpoint 'cpu' is defined in multiple files: {build}/cpu_worker.py, {build}/gpu_worker.py. "
        "each endpoint name must be unique across the project."
    ]


@pytest.mark.parametrize("files", [{}, {"notes.txt": "x"}])
def test_a_project_without_python_files_is_not_a_flash_project(tmp_path, files):
    root = tmp_path / "p"
    root.mkdir()
    write_project(root, files, main=False)
    errors = analyze_project(root, FLASH_121, environment=ENV, env_vars={}).outcome.errors
    assert errors == [f"No Python files found in {root.resolve()}", "Not a valid Flash project"]


MODEL_FAILURES = {
    "a.py": 'from runpod_flash import LiveServerless\ncfg = LiveServerless(name="x", workersMin=3, workersMax=1)\n',
    "b.py": 'from runpod_flash import Endpoint, DataCenter\nep = Endpoint(name="c", cpu="cpu3c-1-2", datacenter=DataCenter.US_CA_2)\n'
    '@ep.get("/x")\ndef f(): return 1\n',
    "c.py": 'from runpod_flash import CpuLiveServerless, PodTemplate\ncfg = CpuLiveServerless(name="d", template=PodTemplate(containerDiskInGb=500))\n',
    "d.py": 'from runpod_flash import Endpoint\n@Endpoint(name="e", min_cuda_version="9.9")\ndef f(): return 1\n',
    "f.py": 'from runpod_flash import Endpoint\nep = Endpoint(name="h", bogus=1)\n',
}


def test_failed_to_load_lines_of_resource_validators(tmp_path):
    docs = "\n    For further information visit https://errors.pydantic.dev/2.14/v/value_error"
    assert _errors(tmp_path, MODEL_FAILURES) == [
        "Failed to load:",
        "a.py: ValidationError: 1 validation error for LiveServerless\n  Value error, workersMin (3) cannot be greater than workersMax (1) "
        + docs,
        "b.py: ValidationError: 1 validation error for CpuLiveLoadBalancer\n  Value error, CPU endpoints are not available in: US-CA-2. "
        "Supported CPU data centers: EU-RO-1 " + docs,
        "c.py: ValidationError: 1 validation error for CpuLiveServerless\n  Value error, Container disk size 500GB exceeds the maximum "
        "allowed for CPU instances. Instance limits: cpu3g-2-8: max 20GB. Maximum allowed: 20GB " + docs,
        "d.py: ValidationError: 1 validation error for LiveServerless\nminCudaVersion\n  Value error, '9.9' is not a valid CudaVersion "
        + docs,
        "f.py: TypeError: Endpoint.__init__() got an unexpected keyword argument 'bogus'",
    ]


def test_python_version_and_missing_name_errors(tmp_path):
    files = {
        "a.py": 'from runpod_flash import LiveServerless\ncfg = LiveServerless(name="old", python_version="3.9")\n',
        "b.py": "from runpod_flash import LiveServerless\ncfg = LiveServerless(gpuCount=1)\n",
    }
    assert _errors(tmp_path, files) == [
        "Failed to load:",
        "a.py: ValidationError: 1 validation error for LiveServerless\n  Value error, Python 3.9 is not supported. Supported "
        "versions: 3.10, 3.11, 3.12, 3.13 \n    For further information visit https://errors.pydantic.dev/2.14/v/value_error",
        "b.py: ValidationError: 1 validation error for LiveServerless\nname\n  Field required \n"
        "    For further information visit https://errors.pydantic.dev/2.14/v/missing",
    ]


def test_files_that_are_not_utf8_text(tmp_path):
    root = tmp_path / "p"
    root.mkdir()
    (root / "u.py").write_bytes(b'x = "\xff\xfe"\n')
    (root / "z.py").write_bytes(b"x = 1\x00\n")
    (root / "l.py").write_bytes(b'# -*- coding: latin-1 -*-\nx = "\xe9"\n')
    model = analyze_project(root, FLASH_121, environment=ENV, env_vars={})
    assert model.outcome.errors == [
        "Failed to load:",
        "u.py: SyntaxError: (unicode error) 'utf-8' codec can't decode byte 0xff in position 0: invalid start byte (u.py, line 1)",
        "z.py: SyntaxError: source code string cannot contain null bytes",
    ]


def test_the_editor_keeps_the_last_parsable_version_while_a_file_is_being_typed(tmp_path):
    from flash_lsp.core.project import Project

    worker = 'from runpod_flash import Endpoint\n@Endpoint(name="w", cpu="cpu3c-1-2")\ndef f(x): return x\n'
    root = write_project(tmp_path / "p", {"w.py": worker}, main=False)
    project = Project(root, FLASH_121, ENV, {}, keep_last_good=True, trust_disk_cache=True)
    assert list(project.analyze().manifest["resources"]) == ["w"]
    project.set_override("w.py", worker + "def g(:\n")
    model = project.analyze()
    assert list(model.manifest["resources"]) == ["w"]
    (diag,) = [d for d in model.diagnostics if d.code == "FL420"]
    assert diag.span.line == 3 and "invalid syntax" in diag.message
    cli_view = analyze_project(root, FLASH_121, {"w.py": worker + "def g(:\n"}, ENV, env_vars={})
    assert cli_view.outcome.errors == ["Failed to load:", "w.py: SyntaxError: invalid syntax (w.py, line 4)"]


def test_names_we_cannot_see_and_conditional_raises_are_not_predicted_failures(tmp_path):
    files = {
        "a.py": "from json import *\nvalue = loads('1')\n",
        "b.py": "import os\nif os.environ.get('NOT_SET_ANYWHERE'):\n    raise RuntimeError('boom')\n",
        "c.py": "globals()['y'] = 1\nz = y + 1\n",
        "d.py": "import sys\ndef install():\n    setattr(sys.modules[__name__], 'w', 1)\ninstall()\nprint(w)\n",
        "e.py": "x = undefined_name\n",
    }
    assert _errors(tmp_path, files) == ["Failed to load:", "e.py: NameError: name 'undefined_name' is not defined"]


HELPER_1X = "import json\nfrom dataclasses import dataclass\n\n\n@dataclass\nclass R:\n    v: int\n\n    def scaled(self, k):\n        return self.v * k\n"
WORKER_1X = 'from runpod_flash import Endpoint\nfrom h import R\n\n\n@Endpoint(name="w", cpu="cpu3c-1-2")\ndef f(x):\n    y = R(x)\n    return y.scaled(2)\n'


@pytest.mark.parametrize(
    ("relpath", "old", "new", "reused"),
    [
        ("h.py", "return self.v * k", "return self.v * k * 3", True),  # a helper's body: nothing the build reads
        ("h.py", "return self.v * k", "import os; return os.sep", False),  # an import: closure and requirements read it
        ("w.py", "return y.scaled(2)", "return y.scaled(3)", False),  # an endpoint's body ships
    ],
)
def test_a_body_edit_the_build_cannot_see_reuses_the_parsed_file(tmp_path, relpath, old, new, reused):
    from flash_lsp.core.project import Project

    root = write_project(tmp_path / "p", {"w.py": WORKER_1X, "h.py": HELPER_1X}, main=False)
    project = Project(root, FLASH_121, ENV, {}, keep_last_good=True, trust_disk_cache=True)
    project.analyze("2026-01-01T00:00:00.000000Z")
    before = project.__dict__["_flash1_sources"][relpath][1]
    edited = (HELPER_1X if relpath == "h.py" else WORKER_1X).replace(old, new)
    project.set_override(relpath, edited)
    model = project.analyze("2026-01-01T00:00:00.000000Z")
    source = project.__dict__["_flash1_sources"][relpath][1]
    assert (source is before) == reused
    if reused:
        assert ast.unparse(source.tree) == ast.unparse(ast.parse(edited)) and source.lines == edited.splitlines()
    fresh = Project(root, FLASH_121, ENV, {}, keep_last_good=True)
    fresh.set_override(relpath, edited)
    expected = fresh.analyze("2026-01-01T00:00:00.000000Z")
    assert model.manifest == expected.manifest and model.outcome == expected.outcome
    assert [d.code for d in model.diagnostics] == [d.code for d in expected.diagnostics]


def test_a_body_edit_that_does_not_parse_is_reported_not_spliced(tmp_path):
    from flash_lsp.core.project import Project

    root = write_project(tmp_path / "p", {"w.py": WORKER_1X, "h.py": HELPER_1X}, main=False)
    project = Project(root, FLASH_121, ENV, {}, keep_last_good=True, trust_disk_cache=True)
    project.analyze()
    broken = HELPER_1X.replace("return self.v * k", "return (self.v")
    project.set_override("h.py", broken)
    model = project.analyze()
    fresh = Project(root, FLASH_121, ENV, {}, keep_last_good=True)
    fresh.set_override("h.py", broken)
    expected = fresh.analyze()
    assert not model.outcome.succeeds and model.outcome == expected.outcome
    assert [d.code for d in model.diagnostics] == [d.code for d in expected.diagnostics]
