"""Version profiles: the data that differs between `flash build` families.

The analysis flow is the same for every family; a profile only supplies data (class names, ignore
patterns, limits) and a few switches. A new family (runpod-flash 1.x) is a new `Profile` value.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

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
    family: str = "tetra"  # "tetra" (tetra-rp 0.2x), "flash1" (runpod-flash 1.x) or "runpod2" (runpod 2.0)
    release: str = ""  # the exact release whose behaviour the profile reproduces
    features: frozenset[str] = frozenset()  # behaviour switches of the family, see `has`

    def has(self, feature: str) -> bool:
        """Whether the modelled release has `feature` (names listed in docs/flash1.md)."""
        return feature in self.features


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

TETRA_024 = replace(
    TETRA_020,
    name="tetra-0.24",
    label="tetra-rp 0.22.0–0.24.0",
    lb_classes=TETRA_020.lb_classes | {"CpuLiveLoadBalancer"},
    live_classes=TETRA_020.live_classes | {"CpuLiveLoadBalancer"},
    reserved_paths=("/execute", "/ping"),
    manifest_without_functions=True,
    mothership=True,
    deployment_fields=True,
    lb_template="tetra-0.24",
    no_resources_message="No resources detected",
)

# runpod-flash 1.x (docs/flash1.md): built-in ignore patterns of 1.11.1+ and the behaviour switches.
_FLASH1_IGNORES = (
    ".build/",
    ".flash/",
    ".runpod/",
    "*.tar.gz",
    ".git/",
    ".gitignore",
    "__pycache__/",
    "*.pyc",
    "*.pyo",
    "*.pyd",
    "*.egg-info/",
    "dist/",
    "build/",
    ".venv/",
    "venv/",
    "env/",
    ".vscode/",
    ".idea/",
    ".env",
    ".env.local",
    "tests/",
    "test_*.py",
    "*_test.py",
    "docs/",
    "*.md",
    "!README.md",
)
_F117 = frozenset(
    {
        "import_scan",
        "gitignore_only",
        "fixed_python_default",
        "max_concurrency",
        "source_fingerprint",
        "multi_file_check",
        "python_version_option",
        "python_313",
        "python_versions",
        "blackwell_groups",
        "datacenter_list",
        "explicit_env",
        "no_fb_suffix",
        "all_datacenters",
    }
)

FLASH_121 = Profile(
    name="flash-1.21",
    label="runpod-flash 1.19.0–1.21.0",
    package="runpod_flash",
    lb_classes=RUNTIME_LB_CLASSES,
    live_classes=LIVE_CLASSES,
    builtin_ignores=_FLASH1_IGNORES,
    reserved_paths=("/execute", "/ping"),
    scan_skip_root_dirs=frozenset(),
    manifest_without_functions=True,
    mothership=False,
    deployment_fields=True,
    lb_template="flash-1.21",
    archive_name="artifact.tar.gz",
    size_limit_mb=1500,
    size_limit_is_error=True,
    family="flash1",
    release="1.21.0",
    features=_F117 | {"closure_check", "client_mode"},
)

# Older 1.x releases: what differs from 1.21.
FLASH_117 = replace(FLASH_121, name="flash-1.17", label="runpod-flash 1.11.0–1.18.x", release="1.17.0", features=_F117)

# 1.4.0–1.10.1 built-in patterns (.flashignore and .gitignore are both read).
FLASH17_IGNORES = (
    ".build/",
    ".flash/",
    ".runpod/",
    ".venv/",
    "venv/",
    "*.tar.gz",
    ".git/",
    "__pycache__/",
    "*.pyc",
    "*.pyo",
    "*.pyd",
)

FLASH_17 = replace(
    FLASH_121,
    name="flash-1.7",
    label="runpod-flash 1.6.1–1.7.x",
    builtin_ignores=FLASH17_IGNORES,
    release="1.7.0",
    features=frozenset(),
    size_limit_mb=500,  # raised to 1500 MB in 1.10.1
)

# The AST era after the Python-version change: 1.8.0–1.10.2 (docs/flash1.md, "The AST era").
FLASH_110 = replace(
    FLASH_121,
    name="flash-1.10",
    label="runpod-flash 1.8.0–1.10.2",
    builtin_ignores=(*FLASH17_IGNORES, ".env", ".env.*"),
    release="1.10.2",
    features=frozenset({"python_versions", "blackwell_groups", "datacenter_list", "explicit_env"}),
)


# runpod 2.0 ("SDK 2.0", `rp flash deploy --build-only`, docs/runpod2.md): the SDK's tables are in
# `core/runpod2/sdk.py`; the final 2.0.0 is a new value here with its own `release`.
from .runpod2 import sdk as _rp2  # noqa: E402  (data only)

RUNPOD_20 = Profile(
    name="runpod-2.0",
    label="runpod 2.0.0rc1–2.0.0rc2 (SDK 2.0)",
    package="runpod",
    lb_classes=frozenset(),
    live_classes=frozenset(),
    builtin_ignores=_rp2.DEFAULT_IGNORES,
    reserved_paths=tuple(sorted(_rp2.RESERVED_PATHS)),
    scan_skip_root_dirs=_rp2.SKIP_DIRS,
    manifest_without_functions=True,
    mothership=False,
    deployment_fields=False,
    lb_template="",
    archive_name="<app>-artifact.tar.gz",
    size_limit_mb=1500,
    size_limit_is_error=True,
    no_resources_message="no runpod.App found",
    resource_classes=(),
    family="runpod2",
    release="2.0.0rc2",
)

PROFILES = {p.name: p for p in (TETRA_020, TETRA_024, FLASH_121, FLASH_117, FLASH_110, FLASH_17, RUNPOD_20)}
DEFAULT_PROFILE = TETRA_024


def get_profile(name: str) -> Profile:
    """Return the profile called `name`; raise `KeyError` with the valid names otherwise."""
    try:
        return PROFILES[name]
    except KeyError:
        raise KeyError(f"unknown profile {name!r}; choose one of: {', '.join(PROFILES)}") from None


def profile_for_version(version: str, package: str = "tetra_rp") -> Profile | None:
    """Map an installed or pinned version of `package` (`tetra_rp`, `runpod_flash` or `runpod`) to its
    profile (None: a release no profile models)."""
    from packaging.version import InvalidVersion, Version

    try:
        v = Version(version)
    except InvalidVersion:
        return None
    if package == "runpod":  # 1.x is the classic serverless SDK: no build
        return replace(RUNPOD_20, release=str(v)) if Version("2.0.0rc1") <= v < Version("2.1") else None
    ranges = _FLASH1_RANGES if package == "runpod_flash" else _TETRA_RANGES
    profile = next((p for low, high, p in ranges if Version(low) <= v < Version(high)), None)
    if profile is None or profile.family != "flash1" or profile.release == str(v):
        return profile
    features = frozenset(f for f, since in _FLASH1_FEATURE_SINCE.items() if v >= Version(since))
    return replace(profile, release=str(v), features=features)


_TETRA_RANGES = (("0.20.0", "0.22.0", TETRA_020), ("0.22.0", "0.25.0", TETRA_024))
_FLASH1_RANGES = (
    ("1.6.1", "1.8.0", FLASH_17),
    ("1.8.0", "1.11.0", FLASH_110),
    ("1.11.0", "1.19.0", FLASH_117),
    ("1.19.0", "1.22.0", FLASH_121),
)
NEWEST_FLASH1 = FLASH_121
# The release that introduced each behaviour switch of the 1.x profiles.
_FLASH1_FEATURE_SINCE = {
    "python_versions": "1.8.0",
    "blackwell_groups": "1.9.0",
    "datacenter_list": "1.10.0",
    "explicit_env": "1.10.2",
    "import_scan": "1.11.0",
    "gitignore_only": "1.11.1",
    "fixed_python_default": "1.11.1",
    "no_fb_suffix": "1.11.3",
    "max_concurrency": "1.13.0",
    "source_fingerprint": "1.14.0",
    "multi_file_check": "1.15.0",
    "python_version_option": "1.16.0",
    "python_313": "1.17.0",
    "all_datacenters": "1.17.0",
    "closure_check": "1.19.0",
    "client_mode": "1.21.0",
}
