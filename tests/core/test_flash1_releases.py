"""Releases 1.8.0–1.17.0: what each one changes in the manifest (docs/flash1.md, "The AST era" and
"Import-scan releases before 1.17"). The whole outputs are compared with real 1.11.2, 1.10.2 and
1.9.1 builds by `tests/test_fidelity_flash1.py`; these tests pin each release switch on its own."""

from __future__ import annotations

import pytest

from flash_lsp.core.environment import Environment
from flash_lsp.core.flash1.baseline import FLASH1_BASELINE
from flash_lsp.core.flash1.deployment_ast import default_env_file
from flash_lsp.core.profiles import FLASH_17, FLASH_110, profile_for_version
from flash_lsp.core.project import analyze_project

from .conftest import write_project

ENV = Environment(FLASH1_BASELINE, "test", "3.11", "2.14")
WORKER = """from runpod_flash import DataCenter, Endpoint, GpuGroup, NetworkVolume

vol = NetworkVolume(name="models", size=50, dataCenterId=DataCenter.EU_RO_1)


@Endpoint(name="gpu", gpu=GpuGroup.ANY, volume=vol, datacenter=DataCenter.EU_RO_1)
async def gpu(x): return x


@Endpoint(name="cpu", cpu="cpu3c-1-2")
def cpu(x): return x
"""


def _manifest(tmp_path, profile, files=None, environment=ENV):
    root = write_project(tmp_path / "p", files or {"worker.py": WORKER, ".env": "SECRET=1\n"}, main=False)
    model = analyze_project(root, profile, environment=environment, env_vars={})
    assert model.outcome.succeeds, model.outcome.errors
    return model.manifest


def test_python_versions_as_the_ast_era_writes_them(tmp_path):
    manifest = _manifest(tmp_path, FLASH_110)
    assert manifest["python_version"] == "3.11"  # the interpreter running the build
    gpu, cpu = manifest["resources"]["gpu"], manifest["resources"]["cpu"]
    keys = list(cpu)
    assert keys[keys.index("makes_remote_calls") + 1] == "target_python_version" and keys[-1] == "handler_file"
    assert gpu["target_python_version"] == cpu["target_python_version"] == "3.12"
    assert gpu["imageName"] == "runpod/flash:py3.12-latest"
    assert cpu["imageName"] == "runpod/flash-cpu:py3.11-latest"


def test_before_1_8_there_are_no_python_versions(tmp_path):
    manifest = _manifest(tmp_path, FLASH_17)
    assert "python_version" not in manifest
    cpu = manifest["resources"]["cpu"]
    assert "target_python_version" not in cpu and cpu["imageName"] == "runpod/flash-cpu:latest"


@pytest.mark.parametrize(("release", "blackwell"), [("1.8.1", False), ("1.9.0", True), ("1.10.2", True)])
def test_gpu_any_gets_the_blackwell_groups_from_1_9(tmp_path, release, blackwell):
    gpu_ids = _manifest(tmp_path, profile_for_version(release, "runpod_flash"))["resources"]["gpu"]["gpuIds"]
    assert ("BLACKWELL_96" in gpu_ids.split(",")) is blackwell and "AMPERE_80" in gpu_ids.split(",")


def test_datacenters_and_volumes_from_1_10(tmp_path):
    before = _manifest(tmp_path / "a", profile_for_version("1.9.1", "runpod_flash"))["resources"]["gpu"]
    after = _manifest(tmp_path / "b", profile_for_version("1.10.0", "runpod_flash"))["resources"]["gpu"]
    volume = {"name": "models", "size": 50, "dataCenterId": "EU-RO-1"}
    assert "locations" not in before and before["networkVolume"] == volume and "networkVolumes" not in before
    assert after["locations"] == "EU-RO-1" and after["networkVolumes"] == [volume] and "networkVolume" not in after


def test_without_datacenter_1_10_writes_no_locations(tmp_path):
    assert "locations" not in _manifest(tmp_path, FLASH_110)["resources"]["cpu"]


def test_env_default_until_1_10_2_then_only_as_given(tmp_path):
    project = tmp_path / "p"
    site = project / ".venv" / "lib" / "python3.11" / "site-packages"
    (site / "runpod_flash" / "core" / "resources").mkdir(parents=True)
    environment = Environment(FLASH1_BASELINE, str(site), "3.11", "2.14")
    files = {
        "worker.py": WORKER.replace('cpu="cpu3c-1-2")', 'cpu="cpu3c-1-2", env={})'),
        ".env": "SECRET=1\nRUNPOD_API_KEY=k\n",
    }
    old = _manifest(tmp_path, profile_for_version("1.10.0", "runpod_flash"), files, environment)
    new = _manifest(tmp_path, FLASH_110, files, environment)
    assert old["resources"]["gpu"]["env"] == {"SECRET": "1"} and "env" not in old["resources"]["cpu"]
    assert "env" not in new["resources"]["gpu"] and new["resources"]["cpu"]["env"] == {}


def test_the_env_default_is_the_dotenv_found_from_the_installed_package(tmp_path):
    project = write_project(tmp_path / "p", {".env": "A=1\n", "w.py": "x = 1\n"}, main=False)
    inside = project / ".venv" / "lib" / "python3.11" / "site-packages"
    outside = tmp_path / "venvs" / "v" / "lib" / "python3.11" / "site-packages"
    for site in (inside, outside):
        (site / "runpod_flash" / "core" / "resources").mkdir(parents=True)
    assert default_env_file(str(inside)) == (project / ".env").resolve()
    assert default_env_file(str(outside)) is None
    assert default_env_file("assumed: a fresh venv") is None


def test_an_untrusted_workspace_takes_no_env_default_from_outside_the_project(tmp_path):
    """A `.env` found above an interpreter outside the project is read only when the workspace is
    trusted (`reads_outside`); the project's own `.env` is read either way."""
    from dataclasses import replace

    site = tmp_path / "venvs" / "lib" / "python3.11" / "site-packages"
    (site / "runpod_flash" / "core" / "resources").mkdir(parents=True)
    (tmp_path / "venvs" / ".env").write_text("SHARED=1\n")
    trusted = Environment(FLASH1_BASELINE, str(site), "3.11", "2.14")
    old = profile_for_version("1.10.0", "runpod_flash")
    assert _manifest(tmp_path / "a", old, None, trusted)["resources"]["gpu"]["env"] == {"SHARED": "1"}
    untrusted = replace(trusted, reads_outside=False)
    assert "env" not in _manifest(tmp_path / "b", old, None, untrusted)["resources"]["gpu"]


CLASSES = """from runpod_flash import Endpoint, GpuGroup


@Endpoint(name="models", gpu=GpuGroup.ADA_24)
class Models:
    def predict(self, x): return x

    async def embed(self, x): return [x]
"""


@pytest.mark.parametrize(
    ("release", "name", "class_async"),
    [("1.11.2", "models-fb", False), ("1.11.3", "models", False), ("1.13.0", "models", True)],
)
def test_early_import_scan_names_and_class_async(tmp_path, release, name, class_async):
    manifest = _manifest(tmp_path, profile_for_version(release, "runpod_flash"), {"w.py": CLASSES})
    assert list(manifest["resources"]) == [name] and manifest["function_registry"] == {"Models": name}
    assert manifest["resources"][name]["functions"][0]["is_async"] is class_async
    assert manifest["resources"][name]["handler_file"] == f"handler_{name}.py"


@pytest.mark.parametrize(
    ("release", "last", "locations"), [("1.15.0", False, False), ("1.16.0", True, False), ("1.17.0", True, True)]
)
def test_target_version_position_and_default_datacentres(tmp_path, release, last, locations):
    manifest = _manifest(tmp_path, profile_for_version(release, "runpod_flash"), {"w.py": CLASSES})
    entry = manifest["resources"]["models"]
    keys = list(entry)
    assert (keys[-1] == "target_python_version") is last
    assert last or keys[keys.index("makes_remote_calls") + 1] == "target_python_version"
    assert ("locations" in entry) is locations and manifest["python_version"] == "3.12"


def test_conflicting_python_versions_are_an_error_only_from_1_16(tmp_path):
    source = """from runpod_flash import LiveServerless, CpuLiveServerless, remote

a = LiveServerless(name="a", python_version="3.12")
b = CpuLiveServerless(name="b", python_version="3.11")


@remote(a)
async def fa(x): return x


@remote(b)
async def fb(x): return x
"""
    old = _manifest(tmp_path / "old", profile_for_version("1.15.0", "runpod_flash"), {"w.py": source})
    assert {r["target_python_version"] for r in old["resources"].values()} == {"3.12"}
    root = write_project(tmp_path / "new" / "p", {"w.py": source}, main=False)
    model = analyze_project(root, profile_for_version("1.16.0", "runpod_flash"), environment=ENV, env_vars={})
    assert not model.outcome.succeeds and "one python_version across all resources" in " ".join(model.outcome.errors)
