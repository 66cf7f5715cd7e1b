"""The AST-era profile (runpod-flash 1.7.0) against outputs recorded from real 1.7.0 builds."""

from __future__ import annotations

import json

from flash_lsp.core.environment import Environment
from flash_lsp.core.flash1.baseline import FLASH1_BASELINE
from flash_lsp.core.profiles import FLASH_17
from flash_lsp.core.project import analyze_project

from .conftest import write_project

ENV = Environment(FLASH1_BASELINE, "test", "3.11", "2.14")
ROUTES = """from runpod_flash import Endpoint

api = Endpoint(name="api", cpu="cpu3c-1-2", workers=(1, 3))


@api.get("/health")
async def health() -> dict:
    return {"ok": True}


@api.put("/items/{item_id}")
def replace(item_id: str, item: dict) -> dict:
    return {"id": item_id, **item}
"""
# flash build of runpod-flash 1.7.0 on the same source (generated_at left out).
RECORDED = {
    "version": "1.0",
    "project_name": "p",
    "resources": {
        "api": {
            "resource_type": "Endpoint",
            "file_path": "api.py",
            "local_path_prefix": "/api",
            "module_path": "api",
            "functions": [
                {
                    "name": "health",
                    "module": "api",
                    "is_async": True,
                    "is_class": False,
                    "http_method": "GET",
                    "http_path": "/health",
                },
                {
                    "name": "replace",
                    "module": "api",
                    "is_async": False,
                    "is_class": False,
                    "http_method": "PUT",
                    "http_path": "/items/{item_id}",
                },
            ],
            "is_load_balanced": True,
            "is_live_resource": True,
            "config_variable": "api",
            "makes_remote_calls": False,
            "imageName": "runpod/flash-lb-cpu:latest",
            "instanceIds": ["cpu3c-1-2"],
            "workersMin": 1,
            "workersMax": 3,
            "scalerType": "REQUEST_COUNT",
            "scalerValue": 4,
            "template": {
                "containerDiskInGb": 10,
                "dockerArgs": "",
                "startScript": "",
                "advancedStart": False,
                "containerRegistryAuthId": "",
            },
        }
    },
    "function_registry": {"health": "api", "replace": "api"},
    "routes": {"api": {"GET /health": "health", "PUT /items/{item_id}": "replace"}},
}


def test_endpoint_routes_as_the_ast_scanner_records_them(tmp_path):
    root = write_project(tmp_path / "p", {"api.py": ROUTES}, main=False)
    model = analyze_project(root, FLASH_17, environment=ENV, env_vars={})
    manifest = dict(model.manifest)
    manifest.pop("generated_at")
    assert json.dumps(manifest, indent=2) == json.dumps(RECORDED, indent=2)


def test_import_failures_do_not_fail_an_ast_era_build(tmp_path):
    files = {
        "worker.py": 'import tabulate\nfrom runpod_flash import Endpoint\n@Endpoint(name="w", cpu="cpu3c-1-2")\ndef f(x): return x\n'
    }
    model = analyze_project(write_project(tmp_path / "p", files, main=False), FLASH_17, environment=ENV, env_vars={})
    entry = model.manifest["resources"]["w"]
    assert model.outcome.succeeds and entry["resource_type"] == "Endpoint" and "imageName" not in entry
