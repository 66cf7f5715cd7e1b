"""The size question for an SDK 2.0 artifact (docs/runpod2.md, "Requirements and the vendored
env/"): the first App's requirements with the runtime packages, the worker Python, the shipped
project files plus `runpod_manifest.json`, and the client's `runpod` package copied into `env/`.
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..core.project import ProjectModel
    from .model import SizeRequest

# pip compiles every installed `.py` and the build ships the bytecode: archive bytes of the `.pyc`
# per raw `.py` byte. Fitted on two real level-9 artifacts (queue app: 0.479, app with an api: 0.421;
# per file and package the zlib ratio spreads over 0.2-0.76), checked on a third (docs/runpod2.md).
BYTECODE_RATIO = 0.45
# Compressed bytes of the `runpod` 2.0.0rc2 package as the build copies it (no bytecode; measured in
# a real artifact), for when the build interpreter's copy cannot be read.
RECORDED_RUNPOD_BYTES = 423_000


def size_request(model: ProjectModel) -> SizeRequest:
    from .model import MIB, SizeRequest

    prediction = model.__dict__["runpod2"]
    artifact = prediction.artifacts[0] if prediction.artifacts else None
    requirements = [*artifact.runtime, *artifact.requirements] if artifact else []
    files = list(model.files.sizes)
    if artifact is not None and artifact.manifest is not None:
        files.append(("runpod_manifest.json", len(json.dumps(artifact.manifest, indent=2).encode("utf-8"))))
    gpu = bool(artifact) and all(r.is_gpu and not r.settings.get("image") for r in artifact.app.resources.values())
    return SizeRequest.make(
        requirements,
        prediction.python_version,
        project_files=files,
        project_root=str(model.root),
        excluded_requirements=list(artifact.excluded)
        if artifact
        else [],  # direct ones only: pip still pulls them in transitively
        gpu=gpu,
        limit_bytes=model.profile.size_limit_mb * MIB,
        bundled_bytes=runpod_package_bytes(model.environment.source),
        bytecode_ratio=BYTECODE_RATIO,
    )


def runpod_package_bytes(site_packages: str) -> int:
    """Compressed bytes of the client's `runpod` package as `sync_running_package` copies it."""
    from .project import project_bytes

    package = os.path.join(site_packages, "runpod")
    if not os.path.isdir(os.path.join(package, "apps")):
        return RECORDED_RUNPOD_BYTES
    files = []
    for dirpath, dirnames, filenames in os.walk(package):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for name in filenames:
            if not name.endswith(".pyc"):
                full = os.path.join(dirpath, name)
                files.append((os.path.relpath(full, site_packages), os.path.getsize(full)))
    return project_bytes(files, site_packages)[0]
