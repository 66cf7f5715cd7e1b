"""Predicting the size of the archive `flash build` writes (the model: `docs/size-model.md`).

Public API::

    from flash_lsp.bundle import SizePredictor, SizeRequest, SizeEstimate, estimate_size

    req = SizeRequest.make(["transformers"], "3.11", project_files=[("main.py", 97)], project_root=".")
    est = await SizePredictor().estimate(req, on_update=show)   # or estimate_size(req) (sync)
    est.archive_bytes, est.confidence, est.state, est.packages, est.hints, est.to_dict()

See `model` for the fields, `predictor` for the flow, `wheelstats` for the size model; the command
line is `flash-lsp size`.
"""

from .hints import extract_package_name, split_requirements
from .model import (
    DEFAULT_LIMIT_BYTES,
    MIB,
    Hint,
    PackageSize,
    Problem,
    SizeEstimate,
    SizeRequest,
    TopLevel,
)
from .predictor import SizePredictor, default_predictor, estimate_size
from .tags import RUNPOD_PLATFORMS

__all__ = [
    "DEFAULT_LIMIT_BYTES",
    "MIB",
    "RUNPOD_PLATFORMS",
    "Hint",
    "PackageSize",
    "Problem",
    "SizeEstimate",
    "SizePredictor",
    "SizeRequest",
    "TopLevel",
    "default_predictor",
    "estimate_size",
    "extract_package_name",
    "split_requirements",
]
