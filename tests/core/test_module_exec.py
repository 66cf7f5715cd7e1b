"""The static import simulation that decides whether deployment fields are read.

See `docs/tetra-build.md`, "Manifest" (deployment fields).
"""

import ast

import pytest

from flash_lsp.core.deployment import gpu_ids_string
from flash_lsp.core.environment import BASELINE
from flash_lsp.core.module_exec import simulate
from flash_lsp.core.sim_values import EnumMember, ResourceValue


def run(source: str):
    return simulate(ast.parse(source), source.splitlines(), BASELINE.importable, "tetra_rp")


@pytest.mark.parametrize(
    "source, kind",
    [
        ("from workers.cpu import f\n", "import"),
        ("import torch\n", "import"),
        ("from . import sibling\n", "relative_import"),
        ("from tetra_rp import remote\n@remote(cfg)\ndef f(): pass\ncfg = 1\n", "name"),
        ("from tetra_rp import LiveServerless\ncfg = LiveServerless()\n", "validation"),
        ("from tetra_rp import ServerlessEndpoint\ncfg = ServerlessEndpoint(name='x')\n", "validation"),
        ("from tetra_rp import remote\n@remote()\ndef f(): pass\n", "call"),
        (
            "from tetra_rp import remote, LiveLoadBalancer\nlb = LiveLoadBalancer(name='a')\n"
            "@remote(lb, method='post', path='/x')\ndef f(): pass\n",
            "remote",
        ),
        ("from tetra_rp import GpuGroup\nx = GpuGroup.NOPE\n", "validation"),
        ("raise SystemExit\n", "exit"),
        ("raise ValueError(1)\n", "raise"),
        ("import sys\nif __name__ != '__main__':\n    sys.exit('no')\n", "exit"),
    ],
)
def test_predicted_failures(source, kind):
    result = run(source)
    assert result.failure is not None and result.failure.kind == kind


@pytest.mark.parametrize(
    "source",
    [
        "try:\n    import torch\nexcept ImportError:\n    torch = None\n",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import torch\n",
        "import os, json\nfrom fastapi import FastAPI\napp = FastAPI()\n",
        "if __name__ == '__main__':\n    import torch\n",
        "def f():\n    from workers.cpu import g\n    return g()\n",
    ],
)
def test_imports_that_do_not_fail(source):
    assert run(source).failure is None


def test_config_values_are_evaluated_from_literals():
    result = run(
        "from tetra_rp import LiveServerless, GpuGroup, PodTemplate\nN = 2\n"
        "cfg = LiveServerless(name='g', gpus=[GpuGroup.ADA_24], workersMax=N * 2, template=PodTemplate(containerDiskInGb=80))\n"
    )
    cfg = result.bindings["cfg"]
    assert isinstance(cfg, ResourceValue)
    assert cfg.kwargs["workersMax"] == 4 and cfg.kwargs["gpus"] == [EnumMember("GpuGroup", "ADA_24")]


def test_gpu_ids_add_negations_only_for_pools_chosen_by_type():
    members = [EnumMember("GpuType", "NVIDIA_A100_80GB_PCIe"), EnumMember("GpuGroup", "ADA_24")]
    assert sorted(gpu_ids_string(members).split(",")) == sorted(["AMPERE_80", "ADA_24", "-NVIDIA A100-SXM4-80GB"])
