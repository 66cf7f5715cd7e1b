"""What the `runpod` 2.0 SDK fixes as data (docs/runpod2.md, "The SDK's tables"): GPU pools and
devices, CPU flavours, CUDA versions, datacenters, reserved paths, the discovery skip list, the
packaging ignore lists and the runtime packages every artifact vendors.

Only data lives here; a new release that changes a table is a change to this module or to the
profile (`core/profiles.py`), not to the analysis.
"""

from __future__ import annotations

GPU_POOLS = (
    "ADA_24",
    "ADA_32_PRO",
    "ADA_48_PRO",
    "ADA_80_PRO",
    "AMPERE_16",
    "AMPERE_24",
    "AMPERE_48",
    "AMPERE_80",
    "HOPPER_141",
    "BLACKWELL_96",
    "BLACKWELL_180",
)
# GpuType member name -> device display name, in the SDK's order (ANY excluded).
GPU_TYPES = {
    "NVIDIA_GEFORCE_RTX_4090": "NVIDIA GeForce RTX 4090",
    "NVIDIA_GEFORCE_RTX_5090": "NVIDIA GeForce RTX 5090",
    "NVIDIA_RTX_6000_ADA_GENERATION": "NVIDIA RTX 6000 Ada Generation",
    "NVIDIA_RTX_PRO_6000_BLACKWELL_SERVER_EDITION": "NVIDIA RTX PRO 6000 Blackwell Server Edition",
    "NVIDIA_RTX_PRO_6000_BLACKWELL_WORKSTATION_EDITION": "NVIDIA RTX PRO 6000 Blackwell Workstation Edition",
    "NVIDIA_RTX_PRO_6000_BLACKWELL_MAX_Q_WORKSTATION_EDITION": "NVIDIA RTX PRO 6000 Blackwell Max-Q Workstation Edition",
    "NVIDIA_H100_80GB_HBM3": "NVIDIA H100 80GB HBM3",
    "NVIDIA_H100_PCIe": "NVIDIA H100 PCIe",
    "NVIDIA_H100_NVL": "NVIDIA H100 NVL",
    "NVIDIA_RTX_A4000": "NVIDIA RTX A4000",
    "NVIDIA_RTX_A4500": "NVIDIA RTX A4500",
    "NVIDIA_RTX_4000_ADA_GENERATION": "NVIDIA RTX 4000 Ada Generation",
    "NVIDIA_RTX_2000_ADA_GENERATION": "NVIDIA RTX 2000 Ada Generation",
    "NVIDIA_RTX_A5000": "NVIDIA RTX A5000",
    "NVIDIA_L4": "NVIDIA L4",
    "NVIDIA_GEFORCE_RTX_3090": "NVIDIA GeForce RTX 3090",
    "NVIDIA_A40": "NVIDIA A40",
    "NVIDIA_RTX_A6000": "NVIDIA RTX A6000",
    "NVIDIA_A100_80GB_PCIe": "NVIDIA A100 80GB PCIe",
    "NVIDIA_A100_SXM4_80GB": "NVIDIA A100-SXM4-80GB",
    "NVIDIA_H200": "NVIDIA H200",
    "NVIDIA_B200": "NVIDIA B200",
}
CPU_INSTANCES = tuple(
    f"cpu{gen}-{v}-{m}"
    for gen, sizes in (
        ("3g", ((1, 4), (2, 8), (4, 16), (8, 32))),
        ("3c", ((1, 2), (2, 4), (4, 8), (8, 16))),
        ("5c", ((1, 2), (2, 4), (4, 8), (8, 16))),
    )
    for v, m in sizes
)
CUDA_VERSIONS = frozenset(
    {"11.8", "12.0", "12.1", "12.2", "12.3", "12.4", "12.5", "12.6", "12.7", "12.8", "12.9", "13.0"}
)
DATACENTERS = (
    "US-CA-2",
    "US-IL-1",
    "US-KS-2",
    "US-MO-1",
    "US-MO-2",
    "US-NC-2",
    "US-NE-1",
    "US-WA-1",
    "EU-CZ-1",
    "EU-RO-1",
    "EUR-NO-1",
)
SCALER_TYPES = ("QUEUE_DELAY", "REQUEST_COUNT")
HTTP_METHODS = frozenset({"GET", "POST", "PUT", "DELETE", "PATCH"})
RESERVED_PATHS = frozenset({"/execute", "/ping", "/_runpod/sync"})
ENDPOINT_MOUNT_PATH = "/runpod-volume"
SECRET_REFERENCE = "{{{{ RUNPOD_SECRET_{name} }}}}"

# Directories discovery never enters (any path component).
SKIP_DIRS = frozenset({".git", ".venv", "venv", "node_modules", "__pycache__", ".runpod", ".flash", "build", "dist"})
# Packaging: defaults, then each directory's .gitignore, then .runpodignore (last word); the
# protected list is applied first and nothing overrides it.
DEFAULT_IGNORES = (
    ".venv/",
    "venv/",
    "env/",
    "__pycache__/",
    "*.pyc",
    "node_modules/",
    ".DS_Store",
    "*.tar.gz",
    "tests/",
    "test/",
    "test_*.py",
    "*_test.py",
    ".pytest_cache/",
    ".mypy_cache/",
    ".ruff_cache/",
    ".tox/",
    ".nox/",
)
PROTECTED_IGNORES = (
    ".git",
    ".runpod",
    ".flash",
    "/env",
    "/runpod_manifest.json",
    ".env",
    ".env.*",
    "*.env",
    "*.env.*",
    "*.pem",
    "*.key",
    "id_rsa",
    "id_rsa.*",
    "id_dsa",
    "id_dsa.*",
    "id_ecdsa",
    "id_ecdsa.*",
    "id_ed25519",
    "id_ed25519.*",
    ".ssh",
    ".aws",
    ".azure",
    ".kube",
    ".docker/config.json",
    "**/.docker/config.json",
    ".netrc",
    ".npmrc",
    ".pypirc",
    ".git-credentials",
    ".boto",
    "service-account*.json",
    "service_account*.json",
)
# Vendored into env/ for every artifact; api workers add the second tuple.
RUNTIME_REQUIREMENTS = (
    "aiohttp[speedups]",
    "aiohttp-retry",
    "backoff",
    "cloudpickle",
    "py-cpuinfo",
    "requests",
    "tomli",
    "tomlkit",
    "tqdm-loggable",
)
API_RUNTIME_REQUIREMENTS = ("fastapi[standard]", "uvicorn>=0.30")
# Left to the GPU images when every resource is GPU on a built-in image.
SIZE_PROHIBITIVE = frozenset({"torch", "torchvision", "torchaudio", "triton"})
SUPPORTED_PYTHONS = ("3.10", "3.11", "3.12", "3.13", "3.14")
DEFAULT_PYTHON = "3.12"
MANIFEST_VERSION = 1


def resolve_gpu_string(value: str) -> list[str] | None:
    """The values a GPU string stands for, as the SDK resolves it; None: unknown (an error)."""
    text = value.strip()
    if text.lower() == "any":
        return ["any"]
    upper = text.upper()
    for pool in GPU_POOLS:
        if pool.upper() == upper:
            return [pool]
    for name, device in GPU_TYPES.items():
        if device.upper() == upper or name == upper:
            return [device]
    fragment = upper.replace("_", " ")
    return [d for d in GPU_TYPES.values() if fragment in d.upper()] or None


def unknown_gpu_message(value: str) -> str:
    pools = ", ".join(GPU_POOLS)
    devices = ", ".join(GPU_TYPES.values())
    return (
        f"unknown gpu '{value}'. use a pool id ({pools}), a device name ({devices}), "
        f"or a fragment like '4090' or 'H100'"
    )


def requirement_name(requirement: str) -> str:
    """The distribution name of a requirement string, as the build compares them."""
    import re

    match = re.match(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    return (match.group(1) if match else requirement).lower().replace("_", "-")
