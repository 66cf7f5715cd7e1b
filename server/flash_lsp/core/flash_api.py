"""Static knowledge of the tetra-rp 0.22–0.24 public API: enums, defaults, limits.

The classes and enums are described in `docs/tetra-build.md`, "Resource classes".

Used to evaluate resource-config constructors without importing anything, and for completion.
"""

from __future__ import annotations

from .runpod2 import sdk

PACKAGE_EXPORTS = (
    "remote",
    "CpuInstanceType",
    "CpuLiveLoadBalancer",
    "CpuLiveServerless",
    "CpuLoadBalancerSlsResource",
    "CpuServerlessEndpoint",
    "CudaVersion",
    "DataCenter",
    "GpuGroup",
    "GpuType",
    "LiveLoadBalancer",
    "LiveServerless",
    "LoadBalancerSlsResource",
    "NetworkVolume",
    "PodTemplate",
    "ResourceManager",
    "ServerlessEndpoint",
    "ServerlessType",
    "FlashApp",
)

GPU_GROUPS = {
    "ANY": "any",
    "ADA_24": "ADA_24",
    "ADA_32_PRO": "ADA_32_PRO",
    "ADA_48_PRO": "ADA_48_PRO",
    "ADA_80_PRO": "ADA_80_PRO",
    "AMPERE_16": "AMPERE_16",
    "AMPERE_24": "AMPERE_24",
    "AMPERE_48": "AMPERE_48",
    "AMPERE_80": "AMPERE_80",
    "HOPPER_141": "HOPPER_141",
}

# GpuType member -> device name: tetra-rp 0.24 has "any" and the devices of the runpod 2.0 SDK's
# table (same names, same order) but the six added after it.
_ADDED_AFTER_TETRA = frozenset(
    {
        "NVIDIA_RTX_PRO_6000_BLACKWELL_SERVER_EDITION",
        "NVIDIA_RTX_PRO_6000_BLACKWELL_WORKSTATION_EDITION",
        "NVIDIA_RTX_PRO_6000_BLACKWELL_MAX_Q_WORKSTATION_EDITION",
        "NVIDIA_H100_PCIe",
        "NVIDIA_H100_NVL",
        "NVIDIA_B200",
    }
)
GPU_TYPES = {"ANY": "any", **{k: v for k, v in sdk.GPU_TYPES.items() if k not in _ADDED_AFTER_TETRA}}

# GPU pool → the GpuType members it contains (tetra_rp.core.resources.gpu.POOLS_TO_TYPES).
POOLS = {
    "ADA_24": ("NVIDIA_GEFORCE_RTX_4090",),
    "ADA_32_PRO": ("NVIDIA_GEFORCE_RTX_5090",),
    "ADA_48_PRO": ("NVIDIA_RTX_6000_ADA_GENERATION",),
    "ADA_80_PRO": ("NVIDIA_H100_80GB_HBM3",),
    "AMPERE_16": (
        "NVIDIA_RTX_A4000",
        "NVIDIA_RTX_A4500",
        "NVIDIA_RTX_4000_ADA_GENERATION",
        "NVIDIA_RTX_2000_ADA_GENERATION",
    ),
    "AMPERE_24": ("NVIDIA_RTX_A5000", "NVIDIA_L4", "NVIDIA_GEFORCE_RTX_3090"),
    "AMPERE_48": ("NVIDIA_A40", "NVIDIA_RTX_A6000"),
    "AMPERE_80": ("NVIDIA_A100_80GB_PCIe", "NVIDIA_A100_SXM4_80GB"),
    "HOPPER_141": ("NVIDIA_H200",),
}

CPU_INSTANCES = {
    f"CPU{gen.upper()}_{vcpu}_{ram}": f"cpu{gen}-{vcpu}-{ram}"
    for gen, sizes in (
        ("3g", ((1, 4), (2, 8), (4, 16), (8, 32))),
        ("3c", ((1, 2), (2, 4), (4, 8), (8, 16))),
        ("5c", ((1, 2), (2, 4), (4, 8), (8, 16))),
    )
    for vcpu, ram in sizes
}

CUDA_VERSIONS = {"V11_8": "11.8", **{f"V12_{i}": f"12.{i}" for i in range(9)}}
DATA_CENTERS = {"EU_RO_1": "EU-RO-1"}
SCALER_TYPES = {"QUEUE_DELAY": "QUEUE_DELAY", "REQUEST_COUNT": "REQUEST_COUNT"}
SERVERLESS_TYPES = {"QB": "QB", "LB": "LB"}

ENUMS = {
    "GpuGroup": GPU_GROUPS,
    "GpuType": GPU_TYPES,
    "CpuInstanceType": CPU_INSTANCES,
    "CudaVersion": CUDA_VERSIONS,
    "DataCenter": DATA_CENTERS,
    "ServerlessScalerType": SCALER_TYPES,
    "ServerlessType": SERVERLESS_TYPES,
}

# What a GPU pool holds, for completion and hover (`docs/tetra-build.md`, "Resource classes").
POOL_DESCRIPTIONS = {
    "ANY": "any GPU pool",
    "ADA_24": "RTX 4090",
    "ADA_32_PRO": "RTX 5090",
    "ADA_48_PRO": "RTX 6000 Ada",
    "ADA_80_PRO": "H100 80GB HBM3",
    "AMPERE_16": "A4000, A4500, RTX 4000 Ada, RTX 2000 Ada",
    "AMPERE_24": "A5000, L4, RTX 3090",
    "AMPERE_48": "A40, A6000",
    "AMPERE_80": "A100 80GB PCIe, A100-SXM4-80GB",
    "HOPPER_141": "H200",
}

DEFAULT_CONTAINER_DISK_GB = 64
DEFAULT_CPU_INSTANCE = "CPU3G_2_8"
TEMPLATE_FIELDS = ("containerDiskInGb", "dockerArgs", "startScript", "advancedStart", "containerRegistryAuthId")
TEMPLATE_DEFAULTS = {
    "containerDiskInGb": DEFAULT_CONTAINER_DISK_GB,
    "dockerArgs": "",
    "startScript": "",
    "advancedStart": False,
    "containerRegistryAuthId": "",
}


def cpu_disk_limit(member: str) -> int:
    """Max container disk (GB) of a CPU instance: vCPU × 10 (cpu3g/cpu3c) or × 15 (cpu5c)."""
    family, vcpu, _ram = member.split("_")
    return int(vcpu) * (15 if family == "CPU5C" else 10)


# Keyword parameters of the resource classes, for completion (type, default); see
# `docs/tetra-build.md`, "Resource classes".
RESOURCE_PARAMETERS = {
    "name": ("str", "required"),
    "gpus": ("List[GpuGroup | GpuType]", "[GpuGroup.ANY]"),
    "gpuCount": ("int", "1"),
    "cudaVersions": ("List[CudaVersion]", "[]"),
    "instanceIds": ("List[CpuInstanceType]", "None (CPU classes: [CpuInstanceType.CPU3G_2_8])"),
    "workersMin": ("int", "0"),
    "workersMax": ("int", "3"),
    "idleTimeout": ("int", "5"),
    "executionTimeoutMs": ("int", "0"),
    "scalerType": ("ServerlessScalerType", "QUEUE_DELAY (LB classes: REQUEST_COUNT)"),
    "scalerValue": ("int", "4"),
    "flashboot": ("bool", "True"),
    "env": ("Dict[str, str]", "contents of .env"),
    "datacenter": ("DataCenter", "DataCenter.EU_RO_1"),
    "locations": ("str", "None"),
    "networkVolume": ("NetworkVolume", "None"),
    "networkVolumeId": ("str", "None"),
    "templateId": ("str", "None"),
    "imageName": ("str", '"" (locked on Live classes)'),
    "template": ("PodTemplate", "None"),
    "workersPFBTarget": ("int", "0"),
}
