"""The size question for one analysed project: what `flash build` will install and package."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..core.profiles import CPU_CLASSES
from .model import MIB, SizeRequest
from .release_rules import archive_rules

if TYPE_CHECKING:
    from ..core.project import ProjectModel


def request_for(model: ProjectModel) -> SizeRequest:
    """Requirements after the build's `--exclude`, the Python the wheels are chosen for, the shipped
    project files and the generated files (manifest and handlers, sized from their text), and what
    the profile's release adds (archive filter, bundled package, limit)."""
    if "runpod2" in model.__dict__:  # runpod 2.0: one artifact per App, see core/runpod2/size.py
        from ..core.runpod2.size import size_request

        return size_request(model)
    rules = archive_rules(model)
    files = list(model.files.sizes)
    generated = dict(model.handlers.files)
    text = model.manifest_text()
    if text is not None:
        generated["flash_manifest.json"] = text
    files += [(relpath, len(body.encode("utf-8"))) for relpath, body in generated.items()]
    gpu = any(fn.resource_type not in CPU_CLASSES for fn in model.functions)
    return SizeRequest.make(
        [str(r.text) for r in model.requirements.installed],
        rules.python_version,
        project_files=files,
        project_root=str(model.root),
        exclusions=tuple(model.requirements.exclusions),
        excluded_requirements=[str(r.text) for r in model.requirements.excluded],
        gpu=gpu,
        limit_bytes=rules.limit_mb * MIB,
        tarball_filter=rules.tarball_filter,
        bundled_bytes=rules.bundled_bytes,
    )
