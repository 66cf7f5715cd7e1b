"""Version profiles: the data that differs between `flash build` families.

The analysis flow is the same for every family; a profile only supplies data (class names, ignore
patterns, limits) and a few switches. A new family (runpod-flash 1.x) is a new `Profile` value.
"""

from __future__ import annotations

from dataclasses import dataclass, field

RESOURCE_CLASSES = (
    "ServerlessEndpoint",
    "CpuServerlessEndpoint",
    "LoadBalancerSlsResource",
    "CpuLoadBalancerSlsResource",
    "LiveServerless",
    "CpuLiveServerless",
    "LiveLoadBalancer",
    "CpuLiveLoadBalancer",
)
CPU_CLASSES = frozenset(
    {"CpuServerlessEndpoint", "CpuLoadBalancerSlsResource", "CpuLiveServerless", "CpuLiveLoadBalancer"}
)
LIVE_CLASSES = frozenset({"LiveServerless", "CpuLiveServerless", "LiveLoadBalancer", "CpuLiveLoadBalancer"})
# Classes that are `LoadBalancerSlsResource` subclasses at runtime: `remote()` demands method and path.
RUNTIME_LB_CLASSES = frozenset(
    {"LoadBalancerSlsResource", "CpuLoadBalancerSlsResource", "LiveLoadBalancer", "CpuLiveLoadBalancer"}
)
HTTP_METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH")


@dataclass(frozen=True)
class Profile:
    """What one family of `flash build` does differently."""

    name: str
    label: str
    package: str
    lb_classes: frozenset[str]
    live_classes: frozenset[str]
    builtin_ignores: tuple[str, ...]
    reserved_paths: tuple[str, ...]
    scan_skip_root_dirs: frozenset[str]
    manifest_without_functions: bool
    mothership: bool
    deployment_fields: bool
    lb_template: str
    archive_name: str = "archive.tar.gz"
    size_limit_mb: int = 500
    size_limit_is_error: bool = False
    no_resources_message: str = ""
    image_env: dict[str, tuple[str, str]] = field(default_factory=dict)
    resource_classes: tuple[str, ...] = RESOURCE_CLASSES

_TETRA_IGNORES = (".build/", ".tetra/", "*.tar.gz", ".git/", "__pycache__/", "*.pyc", "*.pyo", "*.pyd")
# Live images: env var → (fallback env var for the tag, image repository).
_TETRA_IMAGES = {
    "LiveServerless": ("TETRA_GPU_IMAGE", "runpod/tetra-rp"),
    "CpuLiveServerless": ("TETRA_CPU_IMAGE", "runpod/tetra-rp-cpu"),
    "LiveLoadBalancer": ("TETRA_LB_IMAGE", "runpod/tetra-rp-lb"),
    "CpuLiveLoadBalancer": ("TETRA_CPU_LB_IMAGE", "runpod/tetra-rp-lb-cpu"),
}

TETRA_020 = Profile(
    name="tetra-0.20",
    label="tetra-rp 0.20.0–0.21.0",
    package="tetra_rp",
    lb_classes=frozenset({"LoadBalancerSlsResource", "LiveLoadBalancer"}),
    live_classes=frozenset({"LiveLoadBalancer"}),
    builtin_ignores=_TETRA_IGNORES,
    reserved_paths=("/execute", "/ping", "/manifest"),
    scan_skip_root_dirs=frozenset({".venv", ".flash", ".runpod"}),
    manifest_without_functions=False,
    mothership=False,
    deployment_fields=False,
    lb_template="tetra-0.20",
    no_resources_message="No @remote functions found",
    image_env=_TETRA_IMAGES,
)

TETRA_024 = Profile(
    name="tetra-0.24",
    label="tetra-rp 0.22.0–0.24.0",
    package="tetra_rp",
    lb_classes=frozenset({"LoadBalancerSlsResource", "LiveLoadBalancer", "CpuLiveLoadBalancer"}),
    live_classes=frozenset({"LiveLoadBalancer", "CpuLiveLoadBalancer"}),
    builtin_ignores=_TETRA_IGNORES,
    reserved_paths=("/execute", "/ping"),
    scan_skip_root_dirs=frozenset({".venv", ".flash", ".runpod"}),
    manifest_without_functions=True,
    mothership=True,
    deployment_fields=True,
    lb_template="tetra-0.24",
    no_resources_message="No resources detected",
    image_env=_TETRA_IMAGES,
)

PROFILES = {p.name: p for p in (TETRA_020, TETRA_024)}
DEFAULT_PROFILE = TETRA_024


def get_profile(name: str) -> Profile:
    """Return the profile called `name`; raise `KeyError` with the valid names otherwise."""
    try:
        return PROFILES[name]
    except KeyError:
        raise KeyError(f"unknown profile {name!r}; choose one of: {', '.join(PROFILES)}") from None


def profile_for_version(version: str) -> Profile | None:
    """Map an installed or pinned `tetra_rp` version string to its profile (None: unsupported)."""
    from packaging.version import InvalidVersion, Version

    try:
        v = Version(version)
    except InvalidVersion:
        return None
    if Version("0.20.0") <= v < Version("0.22.0"):
        return TETRA_020
    if Version("0.22.0") <= v < Version("0.25.0"):
        return TETRA_024
    return None
