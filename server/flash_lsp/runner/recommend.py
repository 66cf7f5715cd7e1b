"""Exclusions to recommend for `flash.package` (`flash build --exclude …`), from the resource types.

GPU worker images ship torch, torchvision and torchaudio (`docs/tetra-build.md`, "Archive"), so a
GPU app should not package them; CPU images (`python:3.12-slim`) have nothing pre-installed, so a CPU-only app
excludes nothing. The exclusion applies to the one archive every resource shares.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from packaging.version import InvalidVersion, Version

TORCH_FAMILY = ("torch", "torchvision", "torchaudio")
GPU_TYPES = frozenset({"ServerlessEndpoint", "LoadBalancerSlsResource", "LiveServerless", "LiveLoadBalancer"})
CPU_TYPES = frozenset(
    {"CpuServerlessEndpoint", "CpuLoadBalancerSlsResource", "CpuLiveServerless", "CpuLiveLoadBalancer"}
)
AUTO_EXCLUDE_FROM = Version("1.8.1")  # runpod-flash: SIZE_PROHIBITIVE_PACKAGES are excluded by the build


@dataclass(frozen=True)
class ExclusionAdvice:
    exclude: tuple[str, ...]
    reason: str
    caveats: tuple[str, ...] = ()

    @property
    def argument(self) -> str:
        """`--exclude a,b` or "" when nothing should be excluded."""
        return f"--exclude {','.join(self.exclude)}" if self.exclude else ""


def package_name(requirement: str) -> str:
    """The name `flash build` matches exclusions against (text before < > = ! [ ;, lower-cased)."""
    return re.split(r"[<>=!\[;]", requirement)[0].strip().lower()


def recommend_exclusions(
    resource_types: Iterable[str],
    *,
    requirements: Iterable[str] | None = None,
    package: str | None = None,
    version: str | None = None,
) -> ExclusionAdvice:
    """Advice for these resource types; `requirements` narrows it to what would actually match."""
    types = list(resource_types)
    gpu = sorted({t for t in types if t in GPU_TYPES})
    cpu = sorted({t for t in types if t in CPU_TYPES})
    unknown = sorted({t for t in types if t not in GPU_TYPES and t not in CPU_TYPES})
    caveats = []
    if unknown:
        caveats.append(f"GPU or CPU unknown for {', '.join(unknown)}; not counted.")
    if package == "runpod-flash" and version:
        try:
            if Version(version) >= AUTO_EXCLUDE_FROM:
                return ExclusionAdvice(
                    (),
                    f"runpod-flash {version} already excludes torch, torchvision, torchaudio and triton.",
                    tuple(caveats),
                )
        except InvalidVersion:
            pass
    if not gpu:
        why = (
            "CPU-only app: CPU images have no ML packages pre-installed, so nothing should be excluded."
            if cpu
            else "No GPU resources."
        )
        return ExclusionAdvice((), why, tuple(caveats))
    exclude = TORCH_FAMILY
    if requirements is not None:
        names = {package_name(r) for r in requirements}
        exclude = tuple(p for p in TORCH_FAMILY if p in names)
        if not exclude:
            return ExclusionAdvice(
                (),
                "GPU images ship torch, but the app does not request torch, torchvision or torchaudio.",
                tuple(caveats),
            )
    if cpu:
        caveats.append(
            f"CPU resources ({', '.join(cpu)}) run on images without torch and share the archive: "
            "do not exclude torch if their code imports it."
        )
    return ExclusionAdvice(
        exclude, f"GPU images ({', '.join(gpu)}) already ship torch, torchvision and torchaudio.", tuple(caveats)
    )
