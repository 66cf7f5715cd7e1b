"""Catalogue entries for the archive-size prediction (FL8xx), placed on the `requirements.txt` line or
`dependencies=[...]` string they concern. `kinds` are the size hints' names (`flash_lsp.bundle.hints`)."""

from __future__ import annotations

from ..model import Severity
from .catalogue import SIZE, Rule

E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

SIZE_RULES = (
    Rule("FL801", W, "predicted archive exceeds the size limit", SIZE,
         build="tetra-rp warns (Deployment Size Warning) and still writes the archive; runpod-flash 1.x fails "
               "(then an error). Shown on the requirements that bring in the most.",
         example="torch==2.5.1  # 1.8 GB with its CUDA libraries",
         fix="Exclude what the worker image already has, drop or slim heavy requirements.",
         kinds=("over-limit",)),
    Rule("FL802", W, "predicted archive above 80 % of the size limit", SIZE,
         build="Builds normally; the next requirement may cross the limit.",
         example="(an archive predicted at 430 MB of 500 MB)",
         fix="Nothing yet; keep an eye on what new requirements bring in.", kinds=("near-limit",)),
    Rule("FL803", E, "no wheel for the build's target (Linux x86_64, CPython X.Y)", SIZE,
         build="pip on the build's target finds no installable distribution and the build fails.",
         example="winonly==1.0  # ships Windows wheels only",
         fix="Pick a version with a Linux x86_64 wheel (the message lists them), or another package.",
         kinds=("no-wheel",)),
    Rule("FL804", E, "requirements conflict (shown on every side)", SIZE,
         build="pip cannot find versions that satisfy all requirements together and the build fails.",
         example="alpha  # needs beta<2\nbeta>=2",
         fix="Relax one of the pins.", kinds=("conflict",)),
    Rule("FL805", INFO, "torch family is in the GPU base image: exclude it", SIZE,
         build="Bundles torch, torchvision and torchaudio although GPU worker images ship them (a warning when "
               "the archive is over the limit).",
         example="@remote(gpu_config, dependencies=[\"torch\"])",
         fix="Exclude them from the build (a quick fix adds them to flash.build.exclude).",
         kinds=("gpu-torch-exclusion",)),
    Rule("FL806", INFO, "torch arrives transitively and is bundled whole", SIZE,
         build="Installs torch as a dependency of another requirement; --exclude only removes requirement lines, "
               "so it cannot be excluded (a warning for GPU endpoints or over the limit).",
         example="accelerate  # requires torch",
         fix="Install the requirement with --no-deps and list what it needs yourself, or accept the size.",
         kinds=("torch-transitive",)),
    Rule("FL807", W, "torch family excluded but a CPU worker needs it", SIZE,
         build="Removes the requirement; CPU worker images have no torch, so the worker fails with "
               "ModuleNotFoundError.",
         example="flash.build.exclude: [\"torch\"] with a CpuLiveServerless endpoint that depends on torch",
         fix="Do not exclude the torch family when CPU endpoints need it."),
    Rule("FL808", W, "exclusion that the build's name matching misses", SIZE,
         build="Compares the text before the first < > = ! [ ; lower-cased, with no -/_ normalisation: the "
               "exclusion does not remove the requirement.",
         example="--exclude my_pkg   # requirement my-pkg==1.0",
         fix="Write the exclusion as the build reads the requirement's name.", kinds=("exclude-name-mismatch",)),
    Rule("FL809", W, "exclusion of a package that arrives as a dependency", SIZE,
         build="Filters requirement lines only: a package installed as a dependency is bundled anyway.",
         example="--exclude beta   # beta comes with alpha",
         fix="Exclude the requirement that brings it in, or accept the size.", kinds=("exclude-transitive",)),
    Rule("FL810", E, "pip cannot install the requirement set", SIZE,
         build="pip fails on the build's target (invalid requirement, no version for the build's Python, "
               "resolution failure) and the build fails.",
         example="alpha[   # invalid requirement",
         fix="Fix the requirement the message names.",
         kinds=("resolution-failed",)),
)
