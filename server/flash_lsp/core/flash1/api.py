"""Static knowledge of the runpod-flash 1.x public API (docs/flash1.md): names, enums, defaults.

Values are copied from runpod-flash 1.21.0; where 1.17.0 differs the table says so.
"""

from __future__ import annotations

from typing import Any

from .. import flash_api
from ..profiles import CPU_CLASSES, LIVE_CLASSES, RESOURCE_CLASSES, RUNTIME_LB_CLASSES  # noqa: F401 - this module's API
from ..sim_values import UNKNOWN, Ref

# The resource classes are the same in every family (core/profiles.py); the 1.x scanner treats all
# four `LoadBalancerSlsResource` subclasses as load-balanced.
LB_CLASSES = RUNTIME_LB_CLASSES
PACKAGE_EXPORTS = frozenset(
    {
        "remote",
        "Endpoint",
        "EndpointJob",
        "CPU_DATACENTERS",
        "DEFAULT_WORKERS_MAX",
        "DEFAULT_WORKERS_MIN",
        "NetworkVolume",
        "PodTemplate",
        "ResourceManager",
        "FlashApp",
        "ServerlessScalerType",
        "ServerlessType",
        "CpuInstanceType",
        "CudaVersion",
        "DataCenter",
        "GpuGroup",
        "GpuType",
        *RESOURCE_CLASSES,
    }
)
# `from runpod_flash.<submodule> import X` paths the examples use; anything else of the package
# resolves to the same names when they are exported.
DEFAULT_WORKERS = (0, 1)
DEFAULT_PYTHON_VERSION = "3.12"
SUPPORTED_PYTHON_VERSIONS = ("3.10", "3.11", "3.12", "3.13")

GPU_GROUPS = {
    **flash_api.GPU_GROUPS,
    "BLACKWELL_96": "BLACKWELL_96",
    "BLACKWELL_180": "BLACKWELL_180",
}
GPU_TYPES = {
    **flash_api.GPU_TYPES,
    "NVIDIA_RTX_PRO_6000_BLACKWELL_SERVER_EDITION": "NVIDIA RTX PRO 6000 Blackwell Server Edition",
    "NVIDIA_RTX_PRO_6000_BLACKWELL_WORKSTATION_EDITION": "NVIDIA RTX PRO 6000 Blackwell Workstation Edition",
    "NVIDIA_RTX_PRO_6000_BLACKWELL_MAX_Q_WORKSTATION_EDITION": "NVIDIA RTX PRO 6000 Blackwell Max-Q Workstation Edition",
    "NVIDIA_B200": "NVIDIA B200",
}
POOLS = {
    **flash_api.POOLS,
    "BLACKWELL_96": (
        "NVIDIA_RTX_PRO_6000_BLACKWELL_SERVER_EDITION",
        "NVIDIA_RTX_PRO_6000_BLACKWELL_WORKSTATION_EDITION",
        "NVIDIA_RTX_PRO_6000_BLACKWELL_MAX_Q_WORKSTATION_EDITION",
    ),
    "BLACKWELL_180": ("NVIDIA_B200",),
}
CUDA_VERSIONS = {**flash_api.CUDA_VERSIONS, "V12_9": "12.9", "V13_0": "13.0"}
# 1.17.0+ (1.10–1.16 had four more: EUR_IS_1, US_GA_2, US_MD_1, US_NC_1), in enum order.
DATA_CENTERS = {
    name: name.replace("_", "-")
    for name in (
        "US_CA_2",
        "US_IL_1",
        "US_KS_2",
        "US_MO_1",
        "US_MO_2",
        "US_NC_2",
        "US_NE_1",
        "US_WA_1",
        "EU_CZ_1",
        "EU_RO_1",
        "EUR_NO_1",
    )
}
CPU_DATACENTERS = ("EU_RO_1",)

ENUMS = {
    "GpuGroup": GPU_GROUPS,
    "GpuType": GPU_TYPES,
    "CpuInstanceType": flash_api.CPU_INSTANCES,
    "CudaVersion": CUDA_VERSIONS,
    "DataCenter": DATA_CENTERS,
    "ServerlessScalerType": flash_api.SCALER_TYPES,
    "ServerlessType": flash_api.SERVERLESS_TYPES,
}
# Image repositories of the Live classes, and the variables that override them.
IMAGE_TYPES = {
    "LiveServerless": ("gpu", "runpod/flash", "FLASH_GPU_IMAGE"),
    "CpuLiveServerless": ("cpu", "runpod/flash-cpu", "FLASH_CPU_IMAGE"),
    "LiveLoadBalancer": ("lb", "runpod/flash-lb", "FLASH_LB_IMAGE"),
    "CpuLiveLoadBalancer": ("lb-cpu", "runpod/flash-lb-cpu", "FLASH_CPU_LB_IMAGE"),
}
# Keyword parameters of `Endpoint(...)` with their defaults (None: no default given).
ENDPOINT_PARAMETERS = {
    "name": None,
    "id": None,
    "gpu": None,
    "cpu": None,
    "workers": None,
    "idle_timeout": 60,
    "dependencies": None,
    "system_dependencies": None,
    "accelerate_downloads": True,
    "volume": None,
    "datacenter": None,
    "env": None,
    "gpu_count": 1,
    "execution_timeout_ms": 0,
    "flashboot": True,
    "image": None,
    "scaler_type": None,
    "scaler_value": 4,
    "template": None,
    "min_cuda_version": "12.8",
    "max_concurrency": 1,
}
# Keywords `Endpoint` gained after 1.10.2, with the behaviour switch of the release that added them
# (1.11.0, 1.13.0): an older release's constructor rejects them with a TypeError.
_ENDPOINT_PARAMETER_SINCE = {"min_cuda_version": "import_scan", "max_concurrency": "max_concurrency"}


def endpoint_parameters(features: frozenset[str] | None) -> frozenset[str]:
    """The keywords the release's `Endpoint(...)` accepts (`features` None: the newest release)."""
    return frozenset(
        k for k in ENDPOINT_PARAMETERS if features is None or _ENDPOINT_PARAMETER_SINCE.get(k, "") in {"", *features}
    )


REMOTE_PARAMETERS = (
    "resource_config",
    "dependencies",
    "system_dependencies",
    "accelerate_downloads",
    "local",
    "method",
    "path",
    "_internal",
)
HTTP_METHODS_SET_REPR = "{'GET', 'POST', 'PUT', 'DELETE', 'PATCH'}"


def gpu_ids_string(groups: list[str], types: list[str]) -> str:
    """`GpuGroup.to_gpu_ids_str` of 1.21: pool ids plus negations of the unlisted types of pools
    chosen through a `GpuType`, sorted with negations last (case-insensitive)."""
    pools: set[str] = set()
    explicit = set(types)
    for group in groups:
        pools.add(group)
    type_pools = {pool for pool, members in POOLS.items() for t in types if t in members}
    pools |= type_pools
    tokens = {GPU_GROUPS[p] for p in pools}
    for pool in type_pools - set(groups):
        tokens |= {f"-{GPU_TYPES[t]}" for t in POOLS.get(pool, ()) if t not in explicit}
    return ",".join(sorted(tokens, key=lambda t: (t.startswith("-"), t.lstrip("-").lower())))


def all_gpu_groups() -> list[str]:
    """`GpuGroup.all()`: what `ANY` expands to."""
    return ["AMPERE_48"] + [g for g in GPU_GROUPS if g != "ANY"]


def cpu_disk_limit(instances: list[str]) -> int | None:
    """The largest container disk (GB) every instance allows (None: no CPU instances)."""
    return min(flash_api.cpu_disk_limit(i) for i in instances) if instances else None


_API_KINDS = {
    "remote": "remote",
    "Endpoint": "endpoint",
    "PodTemplate": "template_class",
    "NetworkVolume": "volume_class",
}


def api_ref(name: str) -> Any:
    """How the simulation sees a name imported from runpod_flash."""
    if name in _API_KINDS:
        return Ref(_API_KINDS[name], name)
    if name in RESOURCE_CLASSES:
        return Ref("resource_class", name)
    if name in ENUMS:
        return Ref("enum", name)
    return UNKNOWN


def exit_ref(module: str, name: str) -> Any:
    """`sys.exit` and friends, as imported names (None for anything else)."""
    return Ref("exit", f"{module}.{name}") if f"{module}.{name}" in ("sys.exit", "os._exit", "os.abort") else None
